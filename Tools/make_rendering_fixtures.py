#!/usr/bin/env python3
"""Writes the fixture of vitrel's colour-map tests to Tests/VitRelTests/Fixtures/rendering/.

Regenerate (from the repository root; never needed by CI):

    python3 Tools/make_rendering_fixtures.py

`colormaps.json` holds, for matplotlib's 'jet', 'bwr' and 'RdBu_r' (the registered colour
maps, 256-entry lookup tables):
- `points`: the RGB colours `cmap(x)` returns at 13 fixed x in [0, 1] (11 evenly spaced,
  plus 0.35 and 0.999, which sit on a segment break and at the top bin), computed from a
  float64 array as matplotlib's `Colormap.__call__` does (x·N, truncated to a bin, x = 1 in
  the last bin);
- `lut`: the whole lookup table, `cmap(np.arange(256) / 255)`, 256 RGB rows;
- `versions`: the Python and matplotlib that made it.
"""
import json
import os
import re
import sys

import matplotlib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "VitRelTests", "Fixtures", "rendering")
POINTS = [i / 10 for i in range(11)] + [0.35, 0.999]
NAMES = ["jet", "bwr", "RdBu_r"]


def rgb_rows(cmap, x):
    return [[float(v) for v in row[:3]] for row in cmap(np.asarray(x, dtype=np.float64))]


def main():
    os.makedirs(OUT, exist_ok=True)
    maps = {}
    for name in NAMES:
        cmap = matplotlib.colormaps[name]
        assert cmap.N == 256, (name, cmap.N)
        maps[name] = {
            "points": {"x": POINTS, "rgb": rgb_rows(cmap, POINTS)},
            "lut": rgb_rows(cmap, np.arange(256) / 255),
        }
    document = {
        "generator": "Tools/make_rendering_fixtures.py",
        "versions": {"python": sys.version.split()[0], "matplotlib": matplotlib.__version__, "numpy": np.__version__},
        "colormaps": maps,
    }
    with open(os.path.join(OUT, "colormaps.json"), "w") as f:
        text = json.dumps(document, indent=1)
        # One RGB row per line keeps the file short and readable.
        text = re.sub(r"\[\s*([-0-9.e]+),\s*([-0-9.e]+),\s*([-0-9.e]+)\s*\]", r"[\1, \2, \3]", text)
        f.write(text + "\n")


if __name__ == "__main__":
    main()
