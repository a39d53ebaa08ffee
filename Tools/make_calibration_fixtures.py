#!/usr/bin/env python3
"""Writes the calibration fixture of vitrel's evaluation tests to
Tests/VitRelTests/Fixtures/evaluation/calibration.json.

Regenerate it (from the repository root; never needed by CI):

    python3 Tools/make_calibration_fixtures.py

Needs numpy and scipy. Everything is float64 from fixed seeds, so the Swift tests compare to
~1e-12. The reference is written here from the definitions, independently of vitrel's code:
a plain loop over bins with boolean masks, where vitrel assigns each example to its bin in
one pass.

Two sets of 200 examples × 3 classes:

  probabilities  rows of exact fractions k/10, k/15, k/20, k/30, so many confidences sit
                 exactly on bin edges of both 15 and 10 bins (0.6 = 9/15 = 6/10, 1/3 = 5/15,
                 0.4, 2/3, 0.8, ...); rows with tied maxima (1/3, 1/3, 1/3) and (0.4, 0.4, 0.2);
                 one (1, 0, 0) row (confidence 1, the last edge).
  logits         float32-representable logits of an overconfident classifier (the true
                 class gets +3 in 80% of rows, a wrong class otherwise); rows of equal logits
                 (softmax exactly 1/3 at every temperature: an edge), rows with two tied
                 maxima, and one (40, -40, 0) row with a wrong label (log-softmax must not
                 underflow).

For each set and for 15 and 10 bins: top-label ECE and MCE (Guo et al. 2017, "On Calibration
of Modern Neural Networks", Eq. 3 and 5) over equal-width bins (lo, hi], the first bin also
holding 0, edges m/M; per-bin count, mean confidence and accuracy (null when empty); NLL
(mean -log p_true) and the multiclass Brier score (mean sum_k (p_k - y_k)^2). The arg-max is
numpy's (the first of tied maxima).

For the logits: the temperature T fitted by minimising the NLL of softmax(z / T) over
log T in [log 0.01, log 100] with scipy.optimize.minimize_scalar (method "bounded",
xatol 1e-11), checked against the root of d NLL / d(1/T) found by scipy.optimize.brentq; the
same statistics at T = 1 and at the fitted T.
"""
import json
import math
import os

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import log_softmax, softmax

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "VitRelTests", "Fixtures", "evaluation")
ROWS, CLASSES = 200, 3
SEARCH_BOUNDS = (0.01, 100.0)


def reliability(probabilities, labels, bins):
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.arange(bins + 1) / bins
    n = len(labels)
    counts, mean_confidence, accuracy, gaps = [], [], [], []
    ece = 0.0
    for m in range(bins):
        lower, upper = edges[m], edges[m + 1]
        members = (confidence > lower) & (confidence <= upper)
        if m == 0:
            members |= confidence == lower
        count = int(members.sum())
        counts.append(count)
        if count == 0:
            mean_confidence.append(None)
            accuracy.append(None)
            continue
        conf = float(confidence[members].mean())
        acc = float(correct[members].mean())
        mean_confidence.append(conf)
        accuracy.append(acc)
        gaps.append(abs(acc - conf))
        ece += count / n * abs(acc - conf)
    assert sum(counts) == n
    return {"ece": ece, "mce": max(gaps), "count": counts, "mean_confidence": mean_confidence, "accuracy": accuracy}


def brier(probabilities, labels):
    one_hot = np.eye(probabilities.shape[1])[labels]
    return float(((probabilities - one_hot) ** 2).sum(axis=1).mean())


def statistics(probabilities, labels, log_p_true):
    return {
        "bins": {str(m): reliability(probabilities, labels, m) for m in (15, 10)},
        "nll": float(-log_p_true.mean()),
        "brier": brier(probabilities, labels),
        "accuracy": float((probabilities.argmax(axis=1) == labels).mean()),
        "mean_confidence": float(probabilities.max(axis=1).mean()),
    }


def probability_set():
    rng = np.random.default_rng(2017)
    rows, labels = [], []
    for i in range(ROWS):
        if i < 6:
            counts, denominator = [1, 1, 1], 3  # three-way tie at 1/3 = 5/15
        elif i < 10:
            counts, denominator = [2, 2, 1], 5  # two-way tie at 0.4 = 6/15 = 4/10
        elif i == 10:
            counts, denominator = [1, 0, 0], 1  # confidence 1: the last edge
        else:
            denominator = int(rng.choice([10, 15, 20, 30]))
            top = int(rng.integers(math.ceil(denominator / 3), denominator - 1))
            rest = denominator - top
            second = int(rng.integers(1, rest))
            counts = list(rng.permutation([top, second, rest - second]))
        row = np.array(counts, dtype=np.float64) / denominator
        rows.append(row)
        # Labels drawn from the row itself (roughly calibrated), except that every tenth row's
        # label is the least likely class; never a class of probability 0 (its NLL is infinite).
        if i == 10:
            labels.append(0)
        elif i % 10 == 9:
            labels.append(int(row.argmin()))
        else:
            labels.append(int(rng.choice(CLASSES, p=row)))
    probabilities = np.array(rows)
    labels = np.array(labels)
    p_true = probabilities[np.arange(ROWS), labels]
    assert (p_true > 0).all()
    confidence = probabilities.max(axis=1)
    for m in (15, 10):
        edges = set((np.arange(m + 1) / m).tolist())
        on_edges = sum(c in edges for c in confidence.tolist())
        assert on_edges >= 20, f"only {on_edges} confidences on the {m}-bin edges"
    result = {"labels": labels.tolist(), "probabilities": probabilities.reshape(-1).tolist()}
    result.update(statistics(probabilities, labels, np.log(p_true)))
    return result


def nll(logits, labels, temperature):
    return float(-log_softmax(logits / temperature, axis=1)[np.arange(len(labels)), labels].mean())


def slope(logits, labels, inverse_temperature):
    """d NLL / d beta at beta = 1 / T: mean over rows of E_softmax(beta z)[z] - z_label."""
    p = softmax(inverse_temperature * logits, axis=1)
    return float(((p * logits).sum(axis=1) - logits[np.arange(len(labels)), labels]).mean())


def logit_set():
    rng = np.random.default_rng(2018)
    labels = rng.integers(0, CLASSES, size=ROWS)
    logits = rng.normal(0.0, 1.5, size=(ROWS, CLASSES))
    for i in range(ROWS):
        favoured = labels[i] if rng.random() < 0.8 else (labels[i] + rng.integers(1, CLASSES)) % CLASSES
        logits[i, favoured] += 3.0
    logits[0] = [0.0, 0.0, 0.0]
    logits[1] = [1.25, 1.25, 1.25]
    logits[2] = [-2.5, -2.5, -2.5]
    logits[3] = [2.5, 2.5, -1.0]
    logits[4] = [2.5, 2.5, -1.0]
    labels[3], labels[4] = 0, 1  # the tie predicts class 0: one right, one wrong
    logits[5] = [0.5, 3.75, 3.75]
    logits[6] = [40.0, -40.0, 0.0]
    labels[6] = 1
    logits = logits.astype(np.float32).astype(np.float64)  # what a Float model hands over

    fit = minimize_scalar(
        lambda u: nll(logits, labels, math.exp(u)), bounds=tuple(math.log(b) for b in SEARCH_BOUNDS),
        method="bounded", options={"xatol": 1e-11})
    temperature = math.exp(fit.x)
    root = 1 / brentq(lambda beta: slope(logits, labels, beta), 1 / SEARCH_BOUNDS[1], 1 / SEARCH_BOUNDS[0], xtol=1e-15, rtol=1e-15)
    assert abs(temperature - root) < 1e-6 * root, (temperature, root)
    assert SEARCH_BOUNDS[0] * 1.01 < temperature < SEARCH_BOUNDS[1] / 1.01
    assert nll(logits, labels, temperature) < nll(logits, labels, 1.0)

    def at(t):
        log_p = log_softmax(logits / t, axis=1)
        return statistics(softmax(logits / t, axis=1), labels, log_p[np.arange(ROWS), labels])

    return {
        "labels": labels.tolist(), "logits": logits.reshape(-1).tolist(),
        "search_bounds": list(SEARCH_BOUNDS), "temperature": temperature, "temperature_from_slope_root": root,
        "at_1": at(1.0), "at_fitted": at(temperature),
    }


def dump(value, indent=0):
    """JSON with one key per line but lists of numbers on a single line (a small file)."""
    pad = " " * indent
    if isinstance(value, dict):
        items = [f'{pad} {json.dumps(k)}: {dump(v, indent + 1).lstrip()}' for k, v in value.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return pad + json.dumps(value)


def main():
    os.makedirs(OUT, exist_ok=True)
    fixture = {"script": "Tools/make_calibration_fixtures.py", "classes": CLASSES,
               "probability_set": probability_set(), "logit_set": logit_set()}
    path = os.path.join(OUT, "calibration.json")
    with open(path, "w") as f:
        f.write(dump(fixture) + "\n")
    print("wrote", path, "T =", fixture["logit_set"]["temperature"])


if __name__ == "__main__":
    main()
