/** Writing `hepflow generate jets` samples as CSV or as a ROOT TTree. */
import { generateJets, jetsToCsv, JET_FEATURES } from "../../generate/index.js";
import type { JetOptions } from "../../generate/index.js";
import { createFile } from "../../root/index.js";
import { claimOutputFile, writeOutputFile, HepflowError } from "../../util/index.js";

/** Generates the sample and writes it to `out` (.csv or .root); returns the number of jets. */
export async function writeJets(out: string, opts: JetOptions, rule: { force?: boolean }): Promise<number> {
  const isRoot = /\.root$/i.test(out);
  if (!isRoot && !/\.csv$/i.test(out)) throw new HepflowError("GEN_BAD_OPTION", "the output must end in .csv or .root", { file: out });
  claimOutputFile(out, rule);
  const s = generateJets(opts);
  if (!isRoot) {
    writeOutputFile(out, jetsToCsv(s), { force: true });
    return s.n;
  }
  const w = await createFile(out, { compression: "zlib:1" });
  try {
    const tree = w.writeTree("jets", [...JET_FEATURES.map((name) => ({ name, type: "f32" as const })), { name: "label", type: "u8" as const }], { title: "W vs QCD jets" });
    tree.write({ ...s.columns, label: s.label });
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  return s.n;
}
