// The AGC validator rules (spec §9.2) applied to histograms.json-shaped objects:
//   node examples/agc-ttbar/validate.mjs OUT/histograms.json shared/reference/agc/histos_1_file_per_process.json
import { readFileSync } from "node:fs";
import { argv, exit } from "node:process";

const close = (a, b, rtol = 1e-5, atol = 1e-8) => Math.abs(a - b) <= atol + rtol * Math.abs(b);

/** Errors (strings) of `produced` against `reference`; empty means it passes. */
export function validate(produced, reference) {
  const errors = [];
  for (const [name, ref] of Object.entries(reference)) {
    const got = produced[name];
    if (!got) {
      if (!name.endsWith("_pseudodata")) errors.push(`${name}: missing`);
      continue;
    }
    if (got.edges.length !== ref.edges.length || got.edges.some((e, i) => !close(e, ref.edges[i]))) {
      errors.push(`${name}: edges differ`);
      continue;
    }
    if (name.includes("pt_res_up")) continue; // random by construction
    const bad = [];
    ref.contents.forEach((r, i) => {
      if (!close(got.contents[i], r)) bad.push(i);
    });
    // group failing bins into runs of consecutive indices; a run is a tolerated bin migration
    // if no bin moves by more than 2.0 and the run's sum is conserved
    for (let k = 0; k < bad.length; ) {
      let end = k;
      while (end + 1 < bad.length && bad[end + 1] === bad[end] + 1) end++;
      const run = bad.slice(k, end + 1);
      const big = run.filter((i) => Math.abs(got.contents[i] - ref.contents[i]) > 2.0 + 1e-5 * Math.abs(ref.contents[i]));
      const sg = run.reduce((s, i) => s + got.contents[i], 0),
        sr = run.reduce((s, i) => s + ref.contents[i], 0);
      if (big.length) errors.push(`${name}: bins ${big.join(",")} differ by more than 2.0`);
      if (!close(sg, sr)) errors.push(`${name}: bins ${run[0]}-${run.at(-1)} sum ${sg} vs ${sr}`);
      k = end + 1;
    }
  }
  return errors;
}

if (argv[1] && import.meta.url.endsWith(argv[1].split("/").pop())) {
  const [p, r] = argv.slice(2);
  const errors = validate(JSON.parse(readFileSync(p, "utf8")), JSON.parse(readFileSync(r, "utf8")));
  for (const e of errors) console.log(e);
  console.log(errors.length ? `FAILED: ${errors.length} problem(s)` : "all histograms agree with the reference (spec §9.2 rules)");
  exit(errors.length ? 1 : 0);
}
