#!/usr/bin/env python3
"""How much of an explanation lands on the shortcut marker, and how much on the evidence.

Reads the maps `vitrel explain` wrote for images of a `vitrel synth --shortcut P` dataset and
the dataset's `shortcut masks` and `infection masks`, and prints, per true class and overall,
the mean share of the (positive) relevance

  - inside the marker square (`shortcut masks`),
  - inside the ViT patch that holds the square (the token the model actually sees),
  - inside the infection mask (the disease evidence; COVID-19 and Non-COVID only),

with each region's share of the image area for comparison, and how often the most relevant
token is the marker's. Used for the model card of Models/vit-phantom-128-shortcut:

    vitrel synth --out /tmp/fresh-marked --per-class 700 --seed 2024 --shortcut 1.0 --evidence-strength 0.5
    vitrel explain --model Models/vit-phantom-128-shortcut --method chefer-lrp --out /tmp/lrp-shortcut \\
        --image /tmp/fresh-marked/"Infection Segmentation Data"/Test/*/images/*.png
    python3 Tools/measure_shortcut_relevance.py --data /tmp/fresh-marked --explanations /tmp/lrp-shortcut

The maps are the raw `<stem>.<method>.<class>.pixels.npy` at the model input size (negative
values clipped to 0) for the class `explain` explained (the predicted class unless --target
was given); masks at the dataset's size are reduced to the input size by averaging blocks
(a pixel is inside when at least half its block is). Needs numpy and Pillow. Not run by CI.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
from PIL import Image

SUBSET = "Infection Segmentation Data"


def reduce_mask(mask, size):
    """A 0/1 mask at `size` × `size` from a larger square mask, by block averaging."""
    height, width = mask.shape
    if height % size or width % size:
        sys.exit(f"mask of {width}×{height} does not reduce to the map size {size}")
    block = height // size
    return mask.reshape(size, block, size, block).mean(axis=(1, 3)) >= 0.5


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="synth dataset root (with synth.json)")
    parser.add_argument("--explanations", required=True, help="the --out folder of vitrel explain")
    parser.add_argument("--method", default="chefer-lrp")
    parser.add_argument("--split", default="Test")
    parser.add_argument("--patch-size", type=int, default=16, help="the model's patch (pixel-level methods)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()

    manifest = json.load(open(os.path.join(args.data, "synth.json")))
    entries = {(e["split"], e["className"], e["fileName"]): e for e in manifest["images"]}
    rows = []
    for record_path in sorted(glob.glob(os.path.join(args.explanations, f"*.{args.method}.json"))):
        record = json.load(open(record_path))
        # The explained file is <root>/<subset>/<split>/<class>/images/<name>.
        parts = os.path.normpath(record["file"]).split(os.sep)
        entry = entries.get((parts[-4], parts[-3], parts[-1]))
        if entry is None or entry["split"] != args.split:
            continue
        target = record["targets"][0]
        relevance = np.load(os.path.join(args.explanations, target["files"]["pixels"]))
        relevance = np.clip(relevance.astype(np.float64), 0, None)
        size = relevance.shape[0]
        total = relevance.sum()
        if total <= 0:
            continue
        folder = os.path.join(args.data, SUBSET, entry["split"], entry["className"])

        def mask(kind):
            pixels = np.asarray(Image.open(os.path.join(folder, kind, entry["fileName"])), dtype=np.float64) / 255
            return reduce_mask(pixels, size)

        row = {"class": entry["className"], "predicted": record["prediction"]["name"],
               "explained": target["name"], "shortcutClass": entry.get("shortcutClass")}
        if entry["hasShortcut"]:
            box = mask("shortcut masks")
            ys, xs = np.nonzero(box)
            # Token-level maps carry the patch grid; pixel-level ones need --patch-size.
            grid = int(record["mapSize"][0])
            patch = size // grid if grid < size else args.patch_size
            y0, x0 = ys.min() // patch * patch, xs.min() // patch * patch
            if ys.max() >= y0 + patch or xs.max() >= x0 + patch:
                sys.exit(f"{entry['fileName']}: the marker straddles two patches")
            patch_mask = np.zeros_like(box)
            patch_mask[y0:y0 + patch, x0:x0 + patch] = True
            tokens = relevance.reshape(size // patch, patch, size // patch, patch).sum(axis=(1, 3))
            row.update(box=relevance[box].sum() / total, boxArea=box.mean(),
                       patch=relevance[patch_mask].sum() / total, patchArea=patch_mask.mean(),
                       topTokenIsMarker=bool(np.unravel_index(tokens.argmax(), tokens.shape) == (y0 // patch, x0 // patch)))
        infection = mask("infection masks")
        if infection.any():
            row.update(infection=relevance[infection].sum() / total, infectionArea=infection.mean())
        rows.append(row)
    if not rows:
        sys.exit(f"no {args.method} explanations of {args.split} images found in {args.explanations}")

    def summary(selected):
        result = {"images": len(selected),
                  "accuracy": float(np.mean([r["predicted"] == r["class"] for r in selected]))}
        for key in ["box", "boxArea", "patch", "patchArea", "infection", "infectionArea", "topTokenIsMarker"]:
            values = [float(r[key]) for r in selected if key in r]
            if values:
                result[key] = float(np.mean(values))
        return result

    classes = sorted({r["class"] for r in rows})
    table = {name: summary([r for r in rows if r["class"] == name]) for name in classes}
    table["all"] = summary(rows)
    if args.json:
        print(json.dumps(table, indent=2))
        return
    print(f"{args.method} relevance shares (mean over images; area = the region's share of the image)")
    header = f"{'class':<10} {'images':>6} {'accuracy':>8} {'marker box':>10} {'(area)':>7} {'marker patch':>12} {'(area)':>7} " \
             f"{'infection':>9} {'(area)':>7} {'top token = marker':>18}"
    print(header)
    for name, s in table.items():
        def cell(key, width, percent=True):
            if key not in s:
                return f"{'–':>{width}}"
            return f"{100 * s[key]:>{width - 1}.1f}%" if percent else f"{s[key]:>{width}.3f}"
        print(f"{name:<10} {s['images']:>6} {cell('accuracy', 8)} {cell('box', 10)} {cell('boxArea', 7)} {cell('patch', 12)} "
              f"{cell('patchArea', 7)} {cell('infection', 9)} {cell('infectionArea', 7)} {cell('topTokenIsMarker', 18)}")


if __name__ == "__main__":
    main()
