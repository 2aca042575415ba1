/** `hepflow json2xml WORKSPACE --output-dir DIR`: pyhf workspace JSON → HistFactory XML + data.root (pyhf json2xml). */
import type { Command } from "commander";
import { loadWorkspace, workspaceToHistFactoryXml, writeHistFactoryXml } from "../../stats/index.js";
import { withOutputDir } from "../../util/index.js";

export function register(program: Command): void {
  program
    .command("json2xml <workspace>")
    .description("write a pyhf JSON workspace as HistFactory XML (Combination + one channel file each) and a ROOT file of histograms")
    .option("--output-dir <dir>", "output directory", ".")
    .option("--specroot <dir>", "subdirectory of the channel XML files", "config")
    .option("--dataroot <dir>", "subdirectory of data.root", "data")
    .option("--resultprefix <name>", "prefix of the XML file names", "FitConfig")
    .option("--patch <file>", "JSON patch applied first; repeatable", (v: string, p: string[]) => p.concat([v]), [] as string[])
    .option("--force", "replace an existing non-empty output directory")
    .action(async (file: string, o: { outputDir: string; specroot: string; dataroot: string; resultprefix: string; patch: string[]; force?: boolean }) => {
      const ws = loadWorkspace(file, o.patch);
      const exp = workspaceToHistFactoryXml(ws.toJSON(), { specroot: o.specroot, dataroot: o.dataroot, resultprefix: o.resultprefix });
      await withOutputDir(o.outputDir, { force: o.force, inputs: [file, ...o.patch] }, (dir) => writeHistFactoryXml(dir, exp));
      // the first file is the top-level combination, the one xml2json reads
      const top = exp.files[0]?.path;
      process.stdout.write(
        `wrote ${exp.files.length} XML files and ${exp.rootFile} (${exp.histograms.length} histograms) under ${o.outputDir}${top ? `; read back with: hepflow xml2json ${o.outputDir}/${top} --basedir ${o.outputDir}` : ""}\n`,
      );
    });
}
