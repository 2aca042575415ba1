"""pyhf's own readxml (pyhf run from source) on the HistFactory XML validation inputs.

pyhf reads the ROOT histograms with uproot, which cannot be installed here (no PyPI). This
script puts a stand-in `uproot` module in front of pyhf that serves the histogram contents and
errors listed in shared/data/histfactory-xml/pyhf/README.md (read there with JSROOT, independent
of hepflow's ROOT reader); everything else — the XML interpretation, modifier and parameter
building, ordering, de-duplication, schema validation — is pyhf's code.

Usage: python3 pyhf_xml2json.py SHARED_DIR OUT_DIR
"""
import json
import re
import sys
import types
from pathlib import Path

import numpy as np

shared, outdir = Path(sys.argv[1]), Path(sys.argv[2])
base = shared / "data/histfactory-xml/pyhf"
readme = (base / "README.md").read_text()

# "- `validation/.../x.root`" then "  - `name;cycle`: TH1F 2 bins [0, 2] content [..] err [..]"
files = {}
current = None
for line in readme.splitlines():
    m = re.match(r"^- `(validation/[^`]+\.root)`$", line)
    if m:
        current = files.setdefault(str((base / m.group(1)).resolve()), {})
        continue
    m = re.match(r"^  - `([^;`]+);(\d+)`: (TH[12][FD]) .* content \[([^\]]*)\] err \[([^\]]*)\]", line)
    if m and current is not None:
        name, cycle, cls = m.group(1), int(m.group(2)), m.group(3)
        dtype = np.float32 if cls.endswith("F") else np.float64
        content = np.array([float(v) for v in m.group(4).split(",")], dtype=dtype).astype(np.float64)
        err = np.array([float(v) for v in m.group(5).split(",")], dtype=dtype).astype(np.float64)
        if name not in current or current[name][0] < cycle:
            current[name] = (cycle, content, err)


class Hist:
    def __init__(self, content, err):
        self.content, self.err, self.weighted = content, err, True

    def to_numpy(self):
        return self.content, np.arange(len(self.content) + 1)

    def variances(self):
        return self.err**2


class File:
    def __init__(self, path):
        if path not in files:
            raise FileNotFoundError(path)
        self.hists = files[path]

    def close(self):
        pass

    def keys(self, cycle=False):
        return list(self.hists)

    def __getitem__(self, name):
        _, c, e = self.hists[name]
        return Hist(c, e)


fake = types.ModuleType("uproot")
fake.open = lambda p: File(str(Path(p).resolve()))
fake.behaviors = types.SimpleNamespace(TH1=types.SimpleNamespace(TH1=Hist))
sys.modules["uproot"] = fake

import pyhf  # noqa: E402
import pyhf.readxml  # noqa: E402

cases = {
    "xmlimport_input": ("validation/xmlimport_input/config/example.xml", "validation/xmlimport_input"),
    "xmlimport_input_DataDriven": ("validation/xmlimport_input/config/examples/example_DataDriven.xml", "validation/xmlimport_input"),
    "xmlimport_input_ShapeSys": ("validation/xmlimport_input/config/examples/example_ShapeSys.xml", "validation/xmlimport_input"),
    "xmlimport_input_Expression": ("validation/xmlimport_input/config/examples/example_Expression.xml", "validation/xmlimport_input"),
    "xmlimport_input2": ("validation/xmlimport_input2/config/example.xml", "validation/xmlimport_input2"),
    "xmlimport_input3_ShapeSys": ("validation/xmlimport_input3/config/examples/example_ShapeSys.xml", "validation/xmlimport_input3"),
}
for name, (config, rootdir) in cases.items():
    pyhf.readxml.clear_filecache()
    try:
        ws = pyhf.readxml.parse(base / config, base / rootdir)
    except Exception as e:  # record what pyhf says instead of a workspace
        ws = {"error": f"{type(e).__name__}: {e}"}
    ws["_generator"] = {"pyhf": pyhf.__version__, "config": config, "basedir": rootdir, "histograms": "stand-in uproot serving the README's JSROOT contents"}
    (outdir / f"{name}.json").write_text(json.dumps(ws, indent=1) + "\n")
    print(name, "error" in ws)
