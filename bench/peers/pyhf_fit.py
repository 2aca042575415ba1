"""pyhf side of bench/stats-scaling: time build + one free fit (numpy backend, default scipy optimizer).

Usage: python3 pyhf_fit.py WORKSPACE.json [repeats]  → one JSON line on stdout.
"""
import json
import sys
import time

import pyhf

pyhf.set_backend("numpy", "scipy")
path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
text = open(path).read()


def build():
    ws = pyhf.Workspace(json.loads(text))
    model = ws.model()
    return model, ws.data(model)


t = time.perf_counter()
model, data = build()
build_s = time.perf_counter() - t
fits = []
for _ in range(repeats):
    t = time.perf_counter()
    bestfit, twice_nll = pyhf.infer.mle.fit(data, model, return_fitted_val=True)
    fits.append(time.perf_counter() - t)
fits.sort()
print(json.dumps({
    "pyhf": pyhf.__version__,
    "npars": model.config.npars,
    "build_s": build_s,
    "fit_s": fits[len(fits) // 2],
    "twice_nll": float(twice_nll),
    "mu_hat": float(bestfit[model.config.poi_index]),
}))
