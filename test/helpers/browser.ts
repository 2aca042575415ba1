import { chromium, type Browser } from "playwright-core";
import { existsSync } from "node:fs";

/** Debian's Chromium (installed by .ci/run), started the way this closed network needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  if (!executablePath) throw new Error("Chromium not found: install Debian's chromium package (.ci/run does)");
  return chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Opens a page, and returns its console errors and the images that failed to load. */
export async function inspectPage(browser: Browser, url: string, screenshot?: string): Promise<{ consoleErrors: string[]; brokenImages: string[]; images: number }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  await page.goto(url, { waitUntil: "load" });
  await page.evaluate(() =>
    Promise.all(
      [...document.images].map((img) =>
        img.complete
          ? null
          : new Promise((r) => {
              img.onload = img.onerror = r;
            }),
      ),
    ),
  );
  const result = await page.evaluate(() => {
    const imgs = [...document.images];
    return { images: imgs.length, brokenImages: imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute("src") ?? "") };
  });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { consoleErrors, ...result };
}
