"""The Python side of bench/peers.bench.mjs: uproot + awkward + vector + boost-histogram (and plain numpy).

A line-oriented server, so the caller can interleave repetitions with its own: each request on stdin is one
JSON object, each answer one JSON line on stdout.
  {"op": "hello"}                                 -> which peers import here (and why not)
  {"op": "load", "dir": D}                        -> reads the in-memory inputs the caller wrote to D
  {"op": "check", "case": C, "impl": I, "out": D} -> runs once, writes the result to D (for the caller's comparison)
  {"op": "time", "case": C, "impl": I}            -> runs once, answers {"seconds": s}
Imports are outside every timing. uproot files are opened with array_cache=None so a repeated read is a read.
"""
import json, sys, time, hashlib
import numpy as np

peers = {}
why = {}
try:
    import uproot
    peers["uproot"] = uproot.__version__
except Exception as e:  # noqa: BLE001 - any import failure means "absent here"
    why["uproot"] = repr(e)
try:
    import awkward as ak
    peers["awkward"] = ak.__version__
except Exception as e:  # noqa: BLE001
    why["awkward"] = repr(e)
try:
    import vector
    vector.register_awkward()
    peers["vector"] = vector.__version__
except Exception as e:  # noqa: BLE001
    why["vector"] = repr(e)
try:
    import boost_histogram as bh
    peers["boost_histogram"] = bh.__version__
except Exception as e:  # noqa: BLE001
    why["boost_histogram"] = repr(e)
peers["numpy"] = np.__version__

data = {}


def digest(a):
    return hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest()


def column_digest(arr):
    """(counts digest or None, content digest) of one branch as uproot returns it."""
    layout = ak.to_layout(arr)
    if layout.is_list:
        counts = np.asarray(ak.num(arr, axis=1), dtype=np.int32)
        content = ak.to_numpy(ak.flatten(arr, axis=1))
        return [digest(counts), digest(content), str(content.dtype)]
    content = ak.to_numpy(arr)
    return [None, digest(content), str(content.dtype)]


# ---------------------------------------------------------------- reading
def read_case(path, tree, names):
    def run():
        with uproot.open(path, array_cache=None) as f:
            t = f[tree]
            return t.arrays(names if names else None, library="ak")
    return run


# ---------------------------------------------------------------- kernels on the in-memory jets
def f32(x):
    return np.asarray(x, dtype=np.float32)


def np_cart(pt, eta, phi, m):
    x, y, z = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    return x, y, z, np.sqrt(x * x + y * y + z * z + m * m)


def np_construct():
    d = data
    return np_cart(d["pt"], d["eta"], d["phi"], d["mass"])


def np_sum_mass():
    d = data
    a = np_cart(d["pt"], d["eta"], d["phi"], d["mass"])
    b = np_cart(d["pt2"], d["eta2"], d["phi2"], d["mass2"])
    x, y, z, e = (a[i] + b[i] for i in range(4))
    m2 = e * e - x * x - y * y - z * z
    return (np.sign(m2) * np.sqrt(np.abs(m2)),)


def np_sum_ptetaphi():
    d = data
    a = np_cart(d["pt"], d["eta"], d["phi"], d["mass"])
    b = np_cart(d["pt2"], d["eta2"], d["phi2"], d["mass2"])
    x, y, z = (a[i] + b[i] for i in range(3))
    pt = np.sqrt(x * x + y * y)
    return pt, np.arcsinh(z / pt), np.arctan2(y, x)


def np_wrap(d):
    return (d + np.float32(np.pi)) % np.float32(2 * np.pi) - np.float32(np.pi)


def np_delta_phi():
    return (np_wrap(data["phi"] - data["phi2"]),)


def np_delta_r():
    d = data
    de, dp = d["eta"] - d["eta2"], np_wrap(d["phi"] - d["phi2"])
    return (np.sqrt(de * de + dp * dp),)


def np_boost():
    """a into the rest frame of a + b (vector's boostCM_of_p4): boost by beta = -p/E of the sum."""
    d = data
    x, y, z, e = np_cart(d["pt"], d["eta"], d["phi"], d["mass"])
    b = np_cart(d["pt2"], d["eta2"], d["phi2"], d["mass2"])
    sx, sy, sz, se = x + b[0], y + b[1], z + b[2], e + b[3]
    bx, by, bz = -sx / se, -sy / se, -sz / se
    b2 = bx * bx + by * by + bz * bz
    g = 1 / np.sqrt(1 - b2)
    bp = bx * x + by * y + bz * z
    k = (g - 1) / b2 * bp + g * e
    return x + k * bx, y + k * by, z + k * bz, g * (e + bp)


def np_expr_hypot():
    d = data
    return (np.sqrt(d["pt"] * d["pt"] + d["mass"] * d["mass"]),)


def np_expr_trig():
    d = data
    return (d["pt"] * np.cos(d["phi"]) + d["mass"] * np.exp(d["eta"] * np.float32(0.25)),)


def vec_objects():
    d = data
    a = vector.array({"pt": d["pt"], "eta": d["eta"], "phi": d["phi"], "mass": d["mass"]})
    b = vector.array({"pt": d["pt2"], "eta": d["eta2"], "phi": d["phi2"], "mass": d["mass2"]})
    return a, b


def vec_case(name):
    a, b = vec_objects()
    if name == "construct":
        return lambda: (a.px, a.py, a.pz, a.E)
    if name == "sum_mass":
        return lambda: ((a + b).mass,)
    if name == "sum_ptetaphi":
        return lambda: (lambda s: (s.pt, s.eta, s.phi))(a + b)
    if name == "delta_phi":
        return lambda: (a.deltaphi(b),)
    if name == "delta_r":
        return lambda: (a.deltaR(b),)
    if name == "boost":
        return lambda: (lambda v: (v.px, v.py, v.pz, v.E))(a.boostCM_of_p4(a + b))
    raise KeyError(name)


NUMPY_KERNELS = {
    "construct": np_construct, "sum_mass": np_sum_mass, "sum_ptetaphi": np_sum_ptetaphi, "delta_phi": np_delta_phi,
    "delta_r": np_delta_r, "boost": np_boost, "expr_hypot": np_expr_hypot, "expr_trig": np_expr_trig,
}


# ---------------------------------------------------------------- event-level cases on the jagged jets
def ht_case():
    pt = ak.unflatten(data["jet_pt"], data["jet_counts"])
    eta = ak.unflatten(data["jet_eta"], data["jet_counts"])

    def run():
        good = (pt > 25) & (abs(eta) < 2.4)
        ht = ak.sum(pt[good], axis=1)
        n = ak.sum(good, axis=1)
        h = bh.Histogram(bh.axis.Regular(25, 50, 550))
        h.fill(ak.to_numpy(ht[n >= 4]))
        return h
    return run


def dijet_vector_case():
    counts = data["jet_counts"]
    jets = ak.zip({k: ak.unflatten(data["jet_" + k], counts) for k in ("pt", "eta", "phi", "mass")}, with_name="Momentum4D")
    two = counts >= 2

    def run():
        sel = jets[ak.num(jets) >= 2]
        m = (sel[:, 0] + sel[:, 1]).mass
        out = np.full(len(counts), np.nan, dtype=np.float32)
        out[two] = ak.to_numpy(m)
        return out
    return run


def dijet_numpy_case():
    o = data["jet_offsets"]
    counts = data["jet_counts"]
    two = counts >= 2
    cols = {k: data["jet_" + k] for k in ("pt", "eta", "phi", "mass")}

    def run():
        first = o[:-1][two]
        out = np.full(len(counts), np.nan, dtype=np.float32)
        p = [cols[k][first] for k in ("pt", "eta", "phi", "mass")]
        q = [cols[k][first + 1] for k in ("pt", "eta", "phi", "mass")]
        a, b = np_cart(*p), np_cart(*q)
        x, y, z, e = (a[i] + b[i] for i in range(4))
        out[two] = np.sqrt(e * e - x * x - y * y - z * z)
        return out
    return run


def make(case, impl, spec):
    if case["kind"] == "read":
        return read_case(case["path"], case["tree"], case.get("branches"))
    if case["kind"] == "kernel":
        if impl == "numpy":
            return NUMPY_KERNELS[case["name"]]
        return vec_case(case["name"])
    if case["name"] == "ht_fill":
        return ht_case()
    if case["name"] == "dijet_mass":
        return dijet_vector_case() if impl == "uproot-awkward-vector" else dijet_numpy_case()
    raise KeyError(case["name"])


def write_result(case, result, out):
    """What the caller compares: branch digests for reads, float arrays or bin counts for the rest."""
    if case["kind"] == "read":
        cols = {k: column_digest(result[k]) for k in result.fields}
        return {"digests": cols}
    if case["name"] == "ht_fill":
        return {"counts": [float(v) for v in result.values(flow=True)]}
    arrays = result if isinstance(result, tuple) else (result,)
    for i, a in enumerate(arrays):
        np.asarray(a, dtype=np.float32).tofile(f"{out}/{i}.f32")
    return {"outputs": len(arrays)}


runs = {}
for raw in sys.stdin:
    req = json.loads(raw)
    op = req["op"]
    try:
        if op == "hello":
            ans = {"peers": peers, "missing": why}
        elif op == "load":
            d = req["dir"]
            for name, dtype in req["arrays"].items():
                data[name] = np.fromfile(f"{d}/{name}.bin", dtype=dtype)
            ans = {"loaded": len(req["arrays"])}
        else:
            key = (req["case"]["id"], req["impl"])
            if key not in runs:
                runs[key] = make(req["case"], req["impl"], req)
            fn = runs[key]
            if op == "check":
                ans = write_result(req["case"], fn(), req["out"])
            else:
                inner = int(req.get("inner", 1))
                t0 = time.perf_counter()
                for _ in range(inner):
                    fn()
                ans = {"seconds": (time.perf_counter() - t0) / inner}
    except Exception as e:  # noqa: BLE001 - report it to the caller, which prints a skipped line
        ans = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
