// Where the ML variant's models are and which columns it reads: kept apart from ml.mjs so that the
// processor checks them without loading the BDT code (ml.mjs is imported only when -P ml=true).
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HepflowError } from "hepflow/util";

/** Where model_even.json / model_odd.json are: the `models` parameter, else ../shared/reference/agc beside the repository. */
export const modelDir = (models) => resolve(models || fileURLToPath(new URL("../../../shared/reference/agc/", import.meta.url)));

export const ML_COLUMNS = ["event", "Jet_qgl", "Electron_phi", "Electron_mass", "Muon_phi", "Muon_mass"];

/** The model files of the `models` parameter; a clear error if one is missing. */
export function checkModels(models) {
  return ["model_even", "model_odd"].map((name) => {
    const p = join(modelDir(models), `${name}.json`);
    if (!existsSync(p)) throw new HepflowError("AGC_NO_MODEL", `the ML variant needs ${name}.json; set -P models=DIR to the folder holding model_even.json and model_odd.json`, { file: p });
    return p;
  });
}
