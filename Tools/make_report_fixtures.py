#!/usr/bin/env python3
"""Writes the fixture of vitrel's report tests to Tests/VitRelTests/Fixtures/report/, and
checks notebooks vitrel wrote against the Jupyter schema.

Regenerate the fixture (from the repository root; never needed by CI):

    python3 Tools/make_report_fixtures.py

`boxplot_stats.json` holds value sets chosen for the corners of box-plot statistics (ties,
even and odd counts, outliers on both sides, n = 1, all values equal, NaN and ±inf mixed in,
nothing finite, whisker factors 0, 0.5 and 3) and what `matplotlib.cbook.boxplot_stats`
returns for them: mean, med, q1, q3, iqr, whislo, whishi, fliers (low ones, then high ones,
each in data order), cilo, cihi. matplotlib itself does not drop NaN (its percentiles turn
NaN); vitrel does, so this script drops non-finite values first, as vitrel's
`BoxPlotStatistics` does, and records how many it dropped. Non-finite numbers are written as
the strings "NaN", "Infinity", "-Infinity" (JSON has no literal for them).

Check a notebook written by vitrel's `Notebook` (needs `pip install nbformat`):

    python3 Tools/make_report_fixtures.py --validate-notebook PATH.ipynb

checks that every cell has its own `id` (nbformat 4.5 requires one; `nbformat.read` would
quietly add them), runs `nbformat.validate` against the 4.5 schema and checks that the file
is byte for byte what `nbformat.write` writes for it; prints "valid" and exits 0, or prints
the first line of the error and exits 1. The Swift suite writes such a
notebook (markdown, stream, PNG display and HTML execute_result outputs, a never-run cell) and
keeps a copy when asked:

    VITREL_KEEP_NOTEBOOK=/tmp/vitrel.ipynb swift test -c release --skip-build \
        --disable-swift-testing --filter ReportNotebookTests
    python3 Tools/make_report_fixtures.py --validate-notebook /tmp/vitrel.ipynb
"""
import argparse
import json
import math
import os
import re
import sys

import matplotlib
import numpy as np
from matplotlib import cbook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "VitRelTests", "Fixtures", "report")


def value_sets():
    rng = np.random.default_rng(20240601)
    # 3.5 lies beyond q3 + 1.5·IQR but within q3 + 3·IQR: a flier or not by the whisker factor.
    with_outliers = np.concatenate([[-8.0], rng.normal(0.0, 1.0, 40), [3.5, 9.0, 12.0]])
    return [
        ("odd count with ties", [1, 2, 2, 3, 3, 3, 10], 1.5),
        ("even count", list(rng.normal(0.5, 0.2, 8)), 1.5),
        ("outliers on both sides", list(with_outliers), 1.5),
        ("outliers, whisker 3", list(with_outliers), 3.0),
        ("outliers, whisker 0.5", list(with_outliers), 0.5),
        ("whisker 0: whiskers fall back to the quartiles", [1, 2, 3, 4], 0.0),
        ("one value", [0.42], 1.5),
        ("all equal", [0.3] * 6, 1.5),
        ("two values across zero", [-0.25, 0.75], 1.5),
        ("non-finite values dropped", [0.1, math.nan, 0.5, math.inf, 0.3, -math.inf, 0.9], 1.5),
        ("nothing finite", [math.nan, math.nan], 1.5),
        ("empty", [], 1.5),
        ("unsorted with a low flier", [0.8, 0.75, -0.6, 0.9, 0.7, 0.85, 0.95, 0.72], 1.5),
    ]


def number(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def boxplot_case(name, values, whisker):
    finite = [float(v) for v in values if math.isfinite(v)]
    stats = cbook.boxplot_stats([np.asarray(finite, dtype=np.float64)], whis=whisker)[0]
    keys = ["mean", "med", "q1", "q3", "iqr", "whislo", "whishi", "cilo", "cihi"]
    return {
        "name": name,
        "values": [number(v) for v in values],
        "whisker": whisker,
        "dropped": len(values) - len(finite),
        "count": len(finite),
        **{key: number(stats[key]) for key in keys},
        "fliers": [number(v) for v in stats["fliers"]],
    }


def write_fixture():
    os.makedirs(OUT, exist_ok=True)
    document = {
        "generator": "Tools/make_report_fixtures.py",
        "versions": {"python": sys.version.split()[0], "matplotlib": matplotlib.__version__, "numpy": np.__version__},
        "cases": [boxplot_case(*case) for case in value_sets()],
    }
    with open(os.path.join(OUT, "boxplot_stats.json"), "w") as f:
        text = json.dumps(document, indent=1, allow_nan=False)
        # Lists of numbers on one line keep the file short and readable.
        text = re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
        f.write(text + "\n")


def validate_notebook(path):
    import nbformat

    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        # nbformat.read quietly adds missing cell ids; nbformat 4.5 requires them, so check
        # the file as written first.
        ids = [cell.get("id") for cell in raw.get("cells", [])]
        if None in ids or len(set(ids)) != len(ids):
            raise ValueError(f"cell ids missing or repeated: {ids}")
        notebook = nbformat.from_dict(raw)
        nbformat.validate(notebook, version=4, version_minor=5)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # vitrel promises the bytes nbformat.write gives: saving in Jupyter changes nothing.
        if nbformat.writes(notebook) + "\n" != text:
            raise ValueError("valid, but nbformat.write would write different bytes")
    except Exception as error:  # the schema error says which cell and field
        print(f"{path}: invalid notebook: {str(error).splitlines()[0]}")
        return 1
    print(f"{path}: valid (nbformat {notebook.nbformat}.{notebook.nbformat_minor}, {len(notebook.cells)} cells)")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--validate-notebook", metavar="PATH", help="validate a notebook with nbformat instead")
    arguments = parser.parse_args()
    if arguments.validate_notebook:
        sys.exit(validate_notebook(arguments.validate_notebook))
    write_fixture()


if __name__ == "__main__":
    main()
