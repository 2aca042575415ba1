"""pyhf's toy calculator on one workspace: writes the reference hepflow's toy tests compare to.

Usage: python3 pyhf_toys.py WORKSPACE.json NTOYS SEED [time] > out.json
With "time": one toy hypotest at mu = 1 only, printing {"seconds", "CLs_obs", "CLs_exp"} (for bench/stats-toys).
Records, per tested POI value, pyhf's CLs/CLs+b/CLb, the expected band and the sampled test
statistics under s+b and b-only (for a two-sample comparison), and a toy-based upper limit on a scan.
"""
import json
import subprocess
import sys
import time

import numpy as np
import pyhf

path, ntoys, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pyhf.set_backend("numpy")
ws = pyhf.Workspace(json.load(open(path)))
model = ws.model()
data = ws.data(model)
np.random.seed(seed)
if sys.argv[4:] == ["time"]:
    t0 = time.time()
    r = pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde", calctype="toybased", ntoys=ntoys, return_expected_set=True, track_progress=False)
    print(json.dumps({"seconds": time.time() - t0, "CLs_obs": float(r[0]), "CLs_exp": [float(v) for v in r[1]]}))
    sys.exit(0)
out = {
    "schema": "hepflow.pyhf-toys/v1",
    "workspace": path.split("/")[-1],
    "generator": {"pyhf": pyhf.__version__, "numpy": np.__version__, "backend": "numpy", "seed": seed, "command": " ".join(sys.argv)},
    "ntoys": ntoys,
    "test_stat": "qtilde",
    "hypotests": [],
}
for mu in (0.5, 1.0):
    calc = pyhf.infer.utils.create_calculator("toybased", data, model, test_stat="qtilde", ntoys=ntoys, track_progress=False)
    t0 = time.time()
    sb, b = calc.distributions(mu)
    obs = float(calc.teststatistic(mu))
    clsb, clb, cls = (float(v) for v in calc.pvalues(obs, sb, b))
    exp = calc.expected_pvalues(sb, b)
    out["hypotests"].append({
        "poi_test": mu, "CLs_obs": cls, "CLsb_obs": clsb, "CLb_obs": clb,
        "CLs_exp": [float(v) for v in exp[2]], "test_stat_value": obs,
        "signal_test_stats": [float(v) for v in sb.samples], "background_test_stats": [float(v) for v in b.samples],
        "seconds": time.time() - t0,
    })
scan = np.linspace(0, 2, 9)
t0 = time.time()
obs_limit, exp_limits = pyhf.infer.intervals.upper_limits.upper_limit(data, model, scan=scan, level=0.05, test_stat="qtilde", calctype="toybased", ntoys=ntoys // 4, track_progress=False)
out["upper_limit"] = {"scan": scan.tolist(), "ntoys": ntoys // 4, "obs": float(obs_limit), "exp": [float(v) for v in exp_limits], "seconds": time.time() - t0}
print(json.dumps(out))
