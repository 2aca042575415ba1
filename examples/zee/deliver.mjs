// The same Z → ee request from the TypeScript API: the query as arrow functions, deliver() as the
// client. It has the same cache key as spec.yaml's Python query, so either one reuses the other's
// transform. Usage (a service running, see README): node examples/zee/deliver.mjs
import { FromTree } from "hepflow/query";
import { deliver } from "hepflow/service";

export const query = FromTree("Events")
  .Select((e, { ptMin, etaMax }) => ({ el: e.Electron.Where((el) => el.pt > ptMin && Math.abs(el.eta) < etaMax) }), { ptMin: 20, etaMax: 2.5 })
  .Where((r) => r.el.Count() >= 2)
  .Select((r) => ({
    el_pt: r.el.Select((el) => el.pt),
    el_eta: r.el.Select((el) => el.eta),
    el_phi: r.el.Select((el) => el.phi),
    el_charge: r.el.Select((el) => el.charge),
    m_ee: Math.sqrt(2 * r.el.ElementAt(0).pt * r.el.ElementAt(1).pt * (Math.cosh(r.el.ElementAt(0).eta - r.el.ElementAt(1).eta) - Math.cos(r.el.ElementAt(0).phi - r.el.ElementAt(1).phi))),
  }));

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await deliver(
    { Sample: [{ Name: "zee", Dataset: "zee", Query: query }] },
    {
      onProgress: (name, s) => process.stderr.write(`\r${name}: ${s["files-completed"]}/${s["files-total"]} files`),
    },
  );
  process.stderr.write("\n");
  console.log(r.zee.files.join("\n"));
}
