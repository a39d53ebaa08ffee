#!/usr/bin/env python3
"""Compare two models' predictions on the same images, from `vitrel predict --json` of each
(the README's "Training at bf16" quotes it for a model trained at fp32 and one at bf16): how
many images get the same class, how many each model alone gets right (the true class is the
image's folder name), and the exact two-sided McNemar test on those discordant pairs.

Usage (from the repository root; plain Python 3, no packages):
    find ../shared/data/covid19-radiography/validation -name '*.png' | sort | tr '\\n' '\\0' \\
      | xargs -0 vitrel predict --model A --json --image > /tmp/a.json
    (the same with --model B > /tmp/b.json)
    python3 Tools/compare_prediction_runs.py /tmp/a.json /tmp/b.json
"""
import json
import math
import sys


def predictions(path):
    return [(image["file"], image["prediction"]) for image in json.load(open(path))["images"]]


def main():
    first, second = predictions(sys.argv[1]), predictions(sys.argv[2])
    if [f for f, _ in first] != [f for f, _ in second]:
        sys.exit("the two files do not list the same images in the same order")
    truth = [f.split("/")[-2] for f, _ in first]
    a = [p for _, p in first]
    b = [p for _, p in second]
    same = sum(x == y for x, y in zip(a, b))
    only_first = sum(x == t and y != t for x, y, t in zip(a, b, truth))
    only_second = sum(y == t and x != t for x, y, t in zip(a, b, truth))
    n = only_first + only_second
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(min(only_first, only_second) + 1)) / 2 ** n) if n else 1.0
    print(f"images {len(a)}, same class {same}")
    print(f"correct: first {sum(x == t for x, t in zip(a, truth))}, second {sum(y == t for y, t in zip(b, truth))}")
    print(f"right only in first {only_first}, only in second {only_second}, exact McNemar p = {p:.3g}")


if __name__ == "__main__":
    main()
