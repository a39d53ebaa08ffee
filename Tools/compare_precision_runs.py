#!/usr/bin/env python3
"""Compare two `vitrel compare` folders made with the same command at --precision fp32 and
--precision bf16: for each metric and method, the bf16 mean against the fp32 mean and its
bootstrap interval (group "all"), and the largest per-image change of the score.

Usage (from the repository root; plain Python 3, no packages):
    vitrel compare ... --precision fp32 --out /tmp/cmp-fp32
    vitrel compare ... --precision bf16 --out /tmp/cmp-bf16
    python3 Tools/compare_precision_runs.py /tmp/cmp-fp32 /tmp/cmp-bf16
Prints a Markdown table (the README's Precision section quotes it).
"""
import csv
import json
import sys


def cells(folder):
    summary = json.load(open(f"{folder}/summary.json"))["summary"]
    out = {}
    for metric in summary["metrics"]:
        for method in metric["methods"]:
            for cell in method["cells"]:
                if cell["group"] == "all":
                    out[(metric["metric"], method["method"])] = cell["statistics"]
    return out


def scores(folder):
    out = {}
    with open(f"{folder}/results.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                out[(row["image"], row["method"], row["metric"])] = float(row["score"])
            except ValueError:
                pass
    return out


def main():
    fp32_folder, bf16_folder = sys.argv[1], sys.argv[2]
    fp32, bf16 = cells(fp32_folder), cells(bf16_folder)
    fp32_scores, bf16_scores = scores(fp32_folder), scores(bf16_folder)
    print("| metric | method | fp32 mean [95% interval] | bf16 mean | inside | largest per-image change |")
    print("|---|---|---|---|---|---|")
    inside_count = total = 0
    for key in sorted(fp32):
        metric, method = key
        if metric == "seconds" or key not in bf16:
            continue
        a, b = fp32[key], bf16[key]
        lower, upper = a["interval"]["lower"], a["interval"]["upper"]
        inside = lower <= b["mean"] <= upper
        inside_count += inside
        total += 1
        changes = [abs(bf16_scores[k] - v) for k, v in fp32_scores.items()
                   if k[1] == method and k[2] == metric and k in bf16_scores]
        print(f"| {metric} | {method} | {a['mean']:.4f} [{lower:.4f}, {upper:.4f}] | {b['mean']:.4f} | "
              f"{'yes' if inside else 'NO'} | {max(changes) if changes else float('nan'):.4g} |")
    print(f"\n{inside_count} of {total} bf16 means inside the fp32 bootstrap interval")


if __name__ == "__main__":
    main()
