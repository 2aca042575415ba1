// The model of the scaling benchmark (issue 15's table): one channel with N bins, a signal with a
// normfactor, a background with a per-bin shapesys and a staterror, so 2N + 1 parameters.
// Deterministic (a fixed linear congruential generator), so hepflow and pyhf fit the same numbers.

/** pyhf workspace JSON for N bins. */
export function binnedWorkspace(N) {
  let state = 12345;
  const uniform = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  const sig = [];
  const bkg = [];
  const obs = [];
  for (let b = 0; b < N; b++) {
    const x = (b + 0.5) / N;
    const s = (200 / N) * 30 * Math.exp(-0.5 * ((x - 0.5) / 0.05) ** 2) + 0.01;
    const bk = (20000 / N) * (Math.exp(-3 * x) + 0.05) + 5;
    sig.push(Number(s.toFixed(6)));
    bkg.push(Number(bk.toFixed(6)));
    obs.push(Math.max(0, Math.round(bk * (1 + 0.04 * gauss()) + 0.5 * s + Math.sqrt(bk) * gauss())));
  }
  return {
    channels: [
      {
        name: "SR",
        samples: [
          { name: "signal", data: sig, modifiers: [{ name: "mu", type: "normfactor", data: null }] },
          {
            name: "background",
            data: bkg,
            modifiers: [
              { name: "bkg_shape", type: "shapesys", data: bkg.map((v) => Number((0.05 * v).toFixed(6))) },
              { name: "staterror_SR", type: "staterror", data: bkg.map((v) => Number((0.03 * v).toFixed(6))) },
            ],
          },
        ],
      },
    ],
    observations: [{ name: "SR", data: obs }],
    measurements: [{ name: "meas", config: { poi: "mu", parameters: [] } }],
    version: "1.0.0",
  };
}
