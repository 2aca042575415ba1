// Builds the page of `hepflow ui` into dist/web-client (shipped in the npm package; no CDN, no build at the user's end).
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

export default {
  root: here,
  base: "./",
  logLevel: "warn",
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("../dist/web-client", import.meta.url)),
    emptyOutDir: true,
    // one bundle: the page is served from this machine, a split would only add requests
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
    modulePreload: false,
    reportCompressedSize: false,
  },
};
