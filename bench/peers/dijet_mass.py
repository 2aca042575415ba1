"""Leading-dijet invariant mass on the arrays bench/vector.bench.mjs wrote, timed in-process.

Reads DIR/{offsets.i32, pt,eta,phi,mass.f32}; prints one JSON line per implementation it can run:
numpy (the float32 Cartesian chain vector's numpy backend evaluates, on regular (n, 2) arrays — the
array-kernel floor, with no jagged structure) and, when importable, scikit-hep vector on awkward
arrays (the peer). Writes each result to DIR/<impl>.f32 so the caller checks the values first.
"""
import json, sys, time
import numpy as np

d = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
o = np.fromfile(f"{d}/offsets.i32", dtype=np.int32)
col = {k: np.fromfile(f"{d}/{k}.f32", dtype=np.float32) for k in ("pt", "eta", "phi", "mass")}
nev = len(o) - 1
counts = np.diff(o)
two = counts >= 2


def best(fn):
    for _ in range(3):
        fn()
    t = float("inf")
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - s)
    return t


def numpy_chain():
    first = o[:-1][two]
    out = np.full(nev, np.nan, dtype=np.float32)
    p = [col[k][first] for k in ("pt", "eta", "phi", "mass")]
    q = [col[k][first + 1] for k in ("pt", "eta", "phi", "mass")]
    def cart(pt, eta, phi, m):
        x, y, z = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
        return x, y, z, np.sqrt(x * x + y * y + z * z + m * m)
    a, b = cart(*p), cart(*q)
    x, y, z, e = (a[i] + b[i] for i in range(4))
    out[two] = np.sqrt(e * e - x * x - y * y - z * z)
    return out


def report(impl, fn):
    out = fn()
    out.astype(np.float32).tofile(f"{d}/{impl}.f32")
    t = best(fn)
    print(json.dumps({"case": "leading_dijet_mass", "impl": impl, "events": nev, "events_per_s": round(nev / t)}), flush=True)


report("numpy", numpy_chain)
try:
    import awkward as ak
    import vector
    vector.register_awkward()
    jets = ak.zip({k: ak.unflatten(col[k], counts) for k in ("pt", "eta", "phi", "mass")}, with_name="Momentum4D")

    def vector_chain():
        sel = jets[ak.num(jets) >= 2]
        m = (sel[:, 0] + sel[:, 1]).mass
        out = np.full(nev, np.nan, dtype=np.float32)
        out[two] = ak.to_numpy(m)
        return out

    report("uproot-awkward-vector", vector_chain)
except ImportError as err:
    print(json.dumps({"case": "leading_dijet_mass", "impl": "uproot-awkward-vector", "skipped": f"not importable here ({err}); build it with ../shared/peers/build.sh and set HEPFLOW_PEERS_SITE"}), flush=True)
