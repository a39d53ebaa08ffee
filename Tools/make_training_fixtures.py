#!/usr/bin/env python3
"""Writes the training and evaluation fixtures under Tests/VitRelTests/Fixtures/training/.

    python3 Tools/make_training_fixtures.py

Needs torch, numpy and scikit-learn. Everything is computed in float64 from a fixed seed, so
the Swift tests can compare Double results to ~1e-12 and Float results to ~1e-6.

  losses.json                 softmax cross-entropy (class weights, label smoothing) and
                              BCE-with-logits (pos_weight): loss and d loss / d logits
  adamw.json                  torch.optim.AdamW over a few steps with timm's no-decay groups,
                              plus torch.nn.utils.clip_grad_norm_
  classification_report.json  sklearn classification_report / confusion_matrix / roc_auc_score
"""
import json
import os

import numpy as np
import torch
from sklearn.metrics import classification_report, confusion_matrix, roc_auc_score

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "VitRelTests", "Fixtures", "training")
torch.set_default_dtype(torch.float64)


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def losses():
    g = torch.Generator().manual_seed(7)
    batch, classes = 5, 4
    logits = torch.randn(batch, classes, generator=g) * 2
    logits[0, 1] = 40.0  # a confident row: log-softmax must not overflow
    labels = torch.tensor([1, 0, 3, 3, 2])
    weights = torch.tensor([0.5, 2.0, 1.0, 3.0])
    cases = []
    for name, weight, smoothing in [
        ("plain", None, 0.0), ("weighted", weights, 0.0),
        ("smoothed", None, 0.1), ("weighted_smoothed", weights, 0.2),
    ]:
        x = logits.clone().requires_grad_(True)
        loss = torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=smoothing)(x, labels)
        loss.backward()
        cases.append({
            "name": name, "class_weights": None if weight is None else flat(weight),
            "label_smoothing": smoothing, "loss": float(loss.detach()), "gradient": flat(x.grad),
        })
    bce_logits = torch.randn(batch, classes, generator=g) * 3
    bce_logits[0, 0], bce_logits[1, 2] = 60.0, -60.0  # saturated: naive log(sigmoid) would give inf
    targets = (torch.rand(batch, classes, generator=g) > 0.5).double()
    targets[0, 0], targets[1, 2] = 0.0, 1.0
    pos_weight = torch.tensor([1.0, 2.5, 0.5, 4.0])
    bce = []
    for name, pw in [("plain", None), ("pos_weight", pos_weight)]:
        x = bce_logits.clone().requires_grad_(True)
        loss = torch.nn.BCEWithLogitsLoss(pos_weight=pw)(x, targets)
        loss.backward()
        bce.append({"name": name, "pos_weight": None if pw is None else flat(pw), "loss": float(loss.detach()), "gradient": flat(x.grad)})
    return {
        "script": "Tools/make_training_fixtures.py",
        "batch": batch, "classes": classes,
        "softmax": {"logits": flat(logits), "labels": labels.tolist(), "cases": cases},
        "bce": {"logits": flat(bce_logits), "targets": flat(targets), "cases": bce},
    }


def adamw():
    g = torch.Generator().manual_seed(11)
    # Names follow timm; which ones decay is timm's rule: ndim <= 1, ".bias", or no_weight_decay().
    shapes = {
        "cls_token": [4], "pos_embed": [3, 4], "blocks.0.mlp.fc1.weight": [5, 4],
        "blocks.0.mlp.fc1.bias": [5], "norm.weight": [4], "head.weight": [2, 4],
    }
    params = {n: torch.nn.Parameter(torch.randn(*s, generator=g)) for n, s in shapes.items()}
    initial = {n: flat(p) for n, p in params.items()}
    decay = [p for n, p in params.items() if p.ndim > 1 and not n.endswith(".bias") and n not in ("cls_token", "pos_embed")]
    no_decay = [p for n, p in params.items() if not any(p is q for q in decay)]
    lr, wd = 1e-2, 0.05
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.999), eps=1e-8, foreach=False)
    learning_rates = [0.002, 0.006, 0.01, 0.008, 0.003]
    steps = []
    for step_lr in learning_rates:
        for group in opt.param_groups:
            group["lr"] = step_lr
        grads = {n: torch.randn(*s, generator=g) * (0.1 if i % 2 else 1.0) for i, (n, s) in enumerate(shapes.items())}
        for n, p in params.items():
            p.grad = grads[n].clone()
        opt.step()
        steps.append({"learning_rate": step_lr, "gradients": {n: flat(v) for n, v in grads.items()},
                      "parameters": {n: flat(p) for n, p in params.items()}})
    # Global-norm clipping of one gradient set.
    clip_grads = {n: torch.randn(*s, generator=g) for n, s in shapes.items()}
    tensors = [torch.nn.Parameter(torch.zeros(*s)) for s in shapes.values()]
    for t, v in zip(tensors, clip_grads.values()):
        t.grad = v.clone()
    max_norm = 1.5
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return {
        "script": "Tools/make_training_fixtures.py",
        "names": list(shapes), "shapes": list(shapes.values()), "weight_decay": wd,
        "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
        "initial": initial, "steps": steps,
        "clip": {"max_norm": max_norm, "gradients": {n: flat(v) for n, v in clip_grads.items()},
                 "total_norm": float(total), "clipped": {n: flat(t.grad) for n, t in zip(shapes, tensors)}},
    }


def report():
    rng = np.random.default_rng(3)
    n, classes = 50, 4
    labels = rng.integers(0, classes, size=n)
    labels[:4] = [0, 1, 2, 3]  # every class present, so every one-vs-rest AUROC is defined
    # Scores on a tenths grid: many exact ties, rows still sum to 1. Class 3 is never the argmax
    # (its score is at most 0.1), so its precision is 0/0 → 0 (sklearn's zero_division).
    scores = np.zeros((n, classes))
    for i in range(n):
        s3 = rng.integers(0, 2)
        a = rng.integers(0, 11 - s3)
        b = rng.integers(0, 11 - s3 - a)
        scores[i] = [a, b, 10 - s3 - a - b, s3]
        scores[i] /= 10
    predictions = scores.argmax(axis=1)
    names = ["COVID-19", "Non-COVID", "Normal", "Other"]
    rep = classification_report(labels, predictions, labels=list(range(classes)), target_names=names,
                                output_dict=True, zero_division=0)
    text = classification_report(labels, predictions, labels=list(range(classes)), target_names=names,
                                  digits=2, zero_division=0)
    text4 = classification_report(labels, predictions, labels=list(range(classes)), target_names=names,
                                  digits=4, zero_division=0)
    auroc = [float(roc_auc_score(labels == c, scores[:, c])) for c in range(classes)]
    macro = float(roc_auc_score(labels, scores, multi_class="ovr", average="macro"))
    return {
        "script": "Tools/make_training_fixtures.py",
        "class_names": names, "labels": labels.tolist(), "predictions": predictions.tolist(),
        "scores": scores.reshape(-1).tolist(),
        "precision": [rep[c]["precision"] for c in names], "recall": [rep[c]["recall"] for c in names],
        "f1": [rep[c]["f1-score"] for c in names], "support": [int(rep[c]["support"]) for c in names],
        "accuracy": rep["accuracy"],
        "macro": [rep["macro avg"][k] for k in ("precision", "recall", "f1-score")],
        "weighted": [rep["weighted avg"][k] for k in ("precision", "recall", "f1-score")],
        "confusion_matrix": confusion_matrix(labels, predictions, labels=list(range(classes))).tolist(),
        "auroc": auroc, "macro_auroc": macro, "text": text, "text_digits4": text4,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make in [("losses.json", losses), ("adamw.json", adamw), ("classification_report.json", report)]:
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(make(), f, indent=1)
            f.write("\n")
        print("wrote", os.path.join(OUT, name))


if __name__ == "__main__":
    main()
