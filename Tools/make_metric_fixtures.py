#!/usr/bin/env python3
"""Writes the explanation-metric fixtures under Tests/VitRelTests/Fixtures/metrics/.

    python3 Tools/make_metric_fixtures.py

Needs quantus 0.6.0 (checked below), torch, numpy and scipy; written with torch 2.15, numpy
2.4, scipy 1.17. Everything is deterministic: fixed seeds, no GPU.

The model is linear, logits = W·x + b on 3×8×8 inputs with 3 classes, computed in float64 on
the float32 input and returned as float32 (so the Swift side, which does the same, agrees to
the last bit up to summation order). W, b, the inputs, the attributions and the masks are all
in the JSON, so the Swift test rebuilds the same model as a `BatchModel` closure.

quantus.json
  model, inputs, targets          the linear model and 4 inputs with their target classes
  pixel_attributions [4,1,8,8]    distinct random values; Quantus spreads them over the 3 channels
  tied_attributions  [4,1,8,8]    a 4×4 map upsampled to 8×8 (nearest): every value ties 4 pixels,
                                  as an upsampled token map ties whole patches
  full_attributions  [4,3,8,8]    distinct random values, one per feature
  masks              [4,1,8,8]    the last one empty (NaN semantics)
  faithfulness_estimate, pixel_flipping, region_perturbation, selectivity,
  monotonicity_correlation        Quantus 0.6.0 outputs per case (scores or curves)
  faithfulness_correlation        Quantus outputs with the random subsets it drew: np.random is
                                  seeded, the script replays the draws (np.random.choice per
                                  image, then the np.random.uniform of the "uniform" baseline
                                  entry Quantus computes on every perturbation) and checks that
                                  FC recomputed on the replayed subsets equals Quantus's output
  relevance_mass, relevance_rank, pointing_game   Quantus 0.6.0 localisation scores
  road                            a 1-channel variant (Quantus 0.6.0 ROAD fails for C > 1):
                                  its own linear model, ROAD accuracy curves with noise 0, and
                                  images imputed by quantus noisy_linear_imputation (noise 0),
                                  plus a 2×32×32 image with a 70% blob removed
  rise                            RISE's gkern(11, 5), the blurred substrate (conv2d, zero
                                  padding) and insertion/deletion curves computed with the logic
                                  of eclique/RISE evaluation.py (CausalMetric.single_run), with
                                  the given target instead of the predicted class
statistics.json                   scipy.stats.pearsonr / spearmanr (ties) and numpy.percentile /
                                  numpy.trapz on fixed series

Quantus asserts that features_in_step divides H·W; that check is lifted here (a no-op) so the
pixel maps can be stepped 3 features (one pixel, all channels) at a time.

Tie order. Faithfulness Estimate, Pixel Flipping and Monotonicity Correlation rank the C·H·W
features of the broadcast map with np.argsort. numpy's default sort is not stable, so on ties
(every channel copy of a spread pixel map, and whole runs of pixels in an upsampled token map)
Quantus's order is whatever the sort does on that machine: not reproducible. A stable argsort
over Quantus's [C, H, W] flattening breaks ties channel first, taking channel 0 of all tied
pixels before any channel 1. vitrel orders ties by pixel, then channel, so that steps take
whole pixels (AttributionFeatures.wholePixelOrder). Here the np.argsort those three Quantus
modules call is a stable argsort over the pixel-major layout [H, W, C], mapped back to
Quantus's feature indices: the only reproducible order, and the one vitrel uses. Quantus's
metric code is otherwise run unchanged.
"""
import json
import os
import types
import warnings

import numpy as np
import scipy
import scipy.ndimage
import scipy.stats
import torch

import quantus
import quantus.helpers.asserts as quantus_asserts
from quantus.functions.perturb_func import noisy_linear_imputation

assert quantus.__version__ == "0.6.0", f"quantus {quantus.__version__}: these fixtures are for 0.6.0"
warnings.filterwarnings("ignore")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "VitRelTests", "Fixtures", "metrics")
BATCH, CHANNELS, SIDE, CLASSES = 4, 3, 8, 3

quantus_asserts.assert_features_in_step = lambda features_in_step, input_shape: None


def whole_pixel_argsort(a, axis=-1, **kwargs):
    """np.argsort of [B, C·H·W] features (Quantus's channel-first flattening), stable, with ties
    broken by pixel and then channel: a stable argsort of the pixel-major [B, H·W·C] layout,
    mapped back to Quantus's feature indices c·H·W + p."""
    assert axis in (1, -1) and a.ndim == 2 and a.shape[1] == CHANNELS * SIDE * SIDE and not kwargs
    plane = SIDE * SIDE
    pixel_major = a.reshape(a.shape[0], CHANNELS, plane).transpose(0, 2, 1).reshape(a.shape[0], -1)
    order = np.argsort(pixel_major, axis=1, kind="stable")
    return (order % CHANNELS) * plane + order // CHANNELS


numpy_with_whole_pixel_argsort = types.SimpleNamespace(**{name: getattr(np, name) for name in dir(np) if not name.startswith("__")})
numpy_with_whole_pixel_argsort.argsort = whole_pixel_argsort
for module_name in ["faithfulness_estimate", "pixel_flipping", "monotonicity_correlation"]:
    module = __import__(f"quantus.metrics.faithfulness.{module_name}", fromlist=["asserts"])
    module.asserts.assert_features_in_step = quantus_asserts.assert_features_in_step
    module.np = numpy_with_whole_pixel_argsort


class Linear(torch.nn.Module):
    """logits = W·x + b in float64 on the float32 input, returned as float32."""

    def __init__(self, weight, bias):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(weight, dtype=torch.float64), requires_grad=False)
        self.bias = torch.nn.Parameter(torch.tensor(bias, dtype=torch.float64), requires_grad=False)

    def forward(self, x):
        return (x.reshape(x.shape[0], -1).double() @ self.weight.T + self.bias).float()


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def scores(values):
    """Per-image scores or curves; NaN becomes null."""
    def one(v):
        v = float(v)
        return None if np.isnan(v) else float(f"{v:.12g}")
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        return [one(v) for v in arr]
    return [[one(v) for v in row] for row in arr]


def distinct(generator, shape):
    """Random float32 values without ties (ties would make numpy's unstable argsort matter)."""
    while True:
        a = generator.standard_normal(shape).astype(np.float32)
        if len(np.unique(a)) == a.size:
            return a


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    weight = (rng.standard_normal((CLASSES, CHANNELS * SIDE * SIDE)) * 0.1).astype(np.float32)
    bias = (rng.standard_normal(CLASSES) * 0.1).astype(np.float32)
    x = rng.standard_normal((BATCH, CHANNELS, SIDE, SIDE)).astype(np.float32)
    y = np.array([0, 1, 2, 0])
    a_pixel = distinct(rng, (BATCH, 1, SIDE, SIDE))
    a_full = distinct(rng, (BATCH, CHANNELS, SIDE, SIDE))
    # own generator, so that the draws after it (masks, ROAD, RISE) are those of the earlier fixtures
    a_tied = np.repeat(np.repeat(distinct(np.random.default_rng(20240612), (BATCH, 1, SIDE // 2, SIDE // 2)), 2, axis=2), 2, axis=3)
    assert whole_pixel_argsort(np.broadcast_to(a_tied, x.shape).reshape(BATCH, -1)[:1]).tolist() != \
        np.argsort(np.broadcast_to(a_tied, x.shape).reshape(BATCH, -1)[:1], kind="stable").tolist()
    masks = np.zeros((BATCH, 1, SIDE, SIDE), dtype=np.float32)
    masks[0, 0, 1:4, 2:6] = 1
    masks[1, 0, 4:8, 0:3] = 1
    masks[2, 0, 0:2, 0:2] = 1
    masks[2, 0, 5:7, 5:8] = 1
    model = Linear(weight, bias).eval()
    attributions = {"pixel": a_pixel, "full": a_full, "tied": a_tied}

    def run(metric, a, **kwargs):
        return metric(model=model, x_batch=x, y_batch=y, a_batch=a, **kwargs)

    out = {
        "versions": {"quantus": quantus.__version__, "torch": torch.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "model": {"weight": floats(weight), "bias": floats(bias), "classes": CLASSES, "shape": [CHANNELS, SIDE, SIDE]},
        "inputs": floats(x), "targets": y.tolist(),
        "pixel_attributions": floats(a_pixel), "tied_attributions": floats(a_tied), "full_attributions": floats(a_full),
        "masks": floats(masks),
    }

    out["faithfulness_estimate"] = []
    for kind, step, baseline in [("pixel", 3, "black"), ("pixel", 1, "black"), ("full", 1, "black"), ("full", 4, "black"),
                                 ("full", 5, "black"), ("full", 8, "mean"), ("pixel", 6, "white"), ("tied", 3, "black"),
                                 ("tied", 6, "black"), ("tied", 4, "mean")]:
        metric = quantus.FaithfulnessEstimate(features_in_step=step, perturb_baseline=baseline, disable_warnings=True)
        out["faithfulness_estimate"].append({"attribution": kind, "features_in_step": step, "baseline": baseline,
                                             "scores": scores(run(metric, attributions[kind]))})

    out["pixel_flipping"] = []
    for kind, step, baseline in [("pixel", 3, "black"), ("full", 1, "black"), ("full", 7, "black"),
                                 ("pixel", 9, "mean"), ("full", 16, "white"), ("tied", 3, "black"), ("tied", 6, "mean"),
                                 ("tied", 5, "black")]:
        metric = quantus.PixelFlipping(features_in_step=step, perturb_baseline=baseline, disable_warnings=True)
        out["pixel_flipping"].append({"attribution": kind, "features_in_step": step, "baseline": baseline,
                                      "curves": scores(run(metric, attributions[kind]))})

    out["region_perturbation"] = []
    for kind, patch, order, regions, baseline in [("pixel", 2, "morf", 10, "black"), ("pixel", 2, "lerf", 10, "black"),
                                                  ("full", 3, "morf", 100, "mean"), ("full", 3, "lerf", 5, "black"),
                                                  ("pixel", 3, "morf", 100, "white"), ("full", 4, "morf", 3, "mean")]:
        metric = quantus.RegionPerturbation(patch_size=patch, order=order, regions_evaluation=regions,
                                            perturb_baseline=baseline, disable_warnings=True)
        out["region_perturbation"].append({"attribution": kind, "patch_size": patch, "order": order, "regions": regions,
                                           "baseline": baseline, "curves": scores(run(metric, attributions[kind]))})

    out["selectivity"] = []
    for kind, patch, baseline in [("pixel", 2, "black"), ("full", 3, "mean"), ("pixel", 5, "black")]:
        metric = quantus.Selectivity(patch_size=patch, perturb_baseline=baseline, disable_warnings=True)
        out["selectivity"].append({"attribution": kind, "patch_size": patch, "baseline": baseline,
                                   "curves": scores(run(metric, attributions[kind]))})

    out["monotonicity_correlation"] = []
    for kind, step, samples in [("pixel", 3, 2), ("full", 8, 3), ("full", 1, 1), ("tied", 6, 2)]:
        metric = quantus.MonotonicityCorrelation(features_in_step=step, nr_samples=samples, perturb_baseline="black",
                                                 disable_warnings=True)
        out["monotonicity_correlation"].append({"attribution": kind, "features_in_step": step, "samples": samples,
                                                "baseline": "black", "scores": scores(run(metric, attributions[kind]))})

    out["faithfulness_correlation"] = []
    n_features = CHANNELS * SIDE * SIDE
    for kind, runs, subset, seed in [("full", 12, 20, 7), ("pixel", 10, 30, 11)]:
        metric = quantus.FaithfulnessCorrelation(nr_runs=runs, subset_size=subset, return_aggregate=False, disable_warnings=True)
        np.random.seed(seed)
        result = run(metric, attributions[kind])
        np.random.seed(seed)
        drawn = []
        for _ in range(runs):
            drawn.append([np.random.choice(n_features, subset, replace=False) for _ in range(BATCH)])
            np.random.uniform(low=0.0, high=1.0, size=BATCH)  # the "uniform" entry of get_baseline_dict
        subsets = [[drawn[r][b].tolist() for r in range(runs)] for b in range(BATCH)]
        # Replay: FC on the recorded subsets must equal Quantus's output.
        a = np.broadcast_to(attributions[kind] / np.abs(attributions[kind]).max(), x.shape).reshape(BATCH, -1)
        with torch.no_grad():
            y0 = model(torch.tensor(x)).numpy()[np.arange(BATCH), y]
        for b in range(BATCH):
            deltas, sums = [], []
            for r in range(runs):
                xp = x[b].reshape(-1).copy()
                xp[subsets[b][r]] = x[b].min()
                with torch.no_grad():
                    yp = model(torch.tensor(xp.reshape(1, CHANNELS, SIDE, SIDE))).numpy()[0, y[b]]
                deltas.append(y0[b] - yp)
                sums.append(a[b, subsets[b][r]].sum())
            replayed = scipy.stats.pearsonr(sums, deltas)[0]
            assert abs(replayed - result[b]) < 1e-6, f"FC replay {replayed} vs quantus {result[b]}"
        out["faithfulness_correlation"].append({"attribution": kind, "runs": runs, "subset_size": subset,
                                                "subsets": subsets, "scores": scores(result)})

    out["relevance_mass"], out["relevance_rank"] = [], []
    for absolute in [False, True]:
        rma = quantus.RelevanceMassAccuracy(abs=absolute, disable_warnings=True)
        rra = quantus.RelevanceRankAccuracy(abs=absolute, disable_warnings=True)
        out["relevance_mass"].append({"abs": absolute, "scores": scores(run(rma, a_pixel, s_batch=masks))})
        out["relevance_rank"].append({"abs": absolute, "scores": scores(run(rra, a_pixel, s_batch=masks))})
    pointing = quantus.PointingGame(disable_warnings=True)
    # Quantus 0.6.0 stores NaN for an empty mask into a boolean array, where it becomes True.
    out["pointing_game"] = {"scores": [float(bool(v)) for v in run(pointing, a_pixel, s_batch=masks)]}

    out["road"] = road_fixture(rng)
    out["rise"] = rise_fixture(model, x, y, a_pixel)

    with open(os.path.join(OUT, "quantus.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    with open(os.path.join(OUT, "statistics.json"), "w") as f:
        json.dump(statistics_fixture(), f, separators=(",", ":"))


def road_fixture(rng):
    weight = (rng.standard_normal((CLASSES, SIDE * SIDE)) * 0.3).astype(np.float32)
    bias = (rng.standard_normal(CLASSES) * 0.1).astype(np.float32)
    model = Linear(weight, bias).eval()
    x = rng.standard_normal((BATCH, 1, SIDE, SIDE)).astype(np.float32)
    with torch.no_grad():
        y = model(torch.tensor(x)).numpy().argmax(axis=1)  # predicted classes: curves start at 1
    a = distinct(rng, (BATCH, 1, SIDE, SIDE))
    percentages = [5, 20, 50, 80, 95]

    class PerImageROAD(quantus.ROAD):
        """ROAD whose per-image curves survive the averaging in custom_postprocess."""

        def custom_postprocess(self, **kwargs):
            self.per_image = np.array(self.evaluation_scores[0], dtype=np.float64)
            super().custom_postprocess(**kwargs)

    metric = PerImageROAD(noise=0.0, percentages=percentages, disable_warnings=True)
    metric(model=model, x_batch=x, y_batch=y, a_batch=a)
    curves = metric.per_image
    imputed = []
    for b, p in [(0, 20), (1, 50), (2, 95), (3, 5)]:
        order = np.argsort(-a[b].reshape(-1))
        removed = order[: int(SIDE * SIDE * p / 100)]
        values = noisy_linear_imputation(arr=x[b].copy(), indices=removed, noise=0.0)
        imputed.append({"image": b, "percentage": p, "removed": removed.tolist(), "values": floats(values)})
    # A larger image with one smooth removed blob, so that the Swift solver's multigrid has levels.
    side = 32
    large = rng.standard_normal((2, side, side)).astype(np.float32)
    rows, columns = np.mgrid[0:side, 0:side]
    blob = -((rows - 14.0) ** 2 + (columns - 17.0) ** 2)
    removed = np.argsort(-blob.reshape(-1), kind="stable")[: int(side * side * 70 / 100)]
    large_imputed = noisy_linear_imputation(arr=large.copy(), indices=removed, noise=0.0)
    return {"weight": floats(weight), "bias": floats(bias), "inputs": floats(x), "targets": y.tolist(),
            "attributions": floats(a), "percentages": percentages, "curves": scores(curves), "imputed": imputed,
            "large": {"side": side, "channels": 2, "input": floats(large), "removed": removed.tolist(), "values": floats(large_imputed)}}


def rise_fixture(model, x, y, a_pixel):
    klen, sigma, step = 11, 5.0, 8
    impulse = np.zeros((klen, klen))
    impulse[klen // 2, klen // 2] = 1
    kernel2d = scipy.ndimage.gaussian_filter(impulse, sigma)
    kern = np.zeros((CHANNELS, CHANNELS, klen, klen))
    for c in range(CHANNELS):
        kern[c, c] = kernel2d
    kern = torch.from_numpy(kern.astype("float32"))
    blur = lambda t: torch.nn.functional.conv2d(t, kern, padding=klen // 2)
    hw = SIDE * SIDE
    out = {"kernel_size": klen, "sigma": sigma, "pixels_per_step": step, "kernel": floats(kernel2d),
           "blurred": floats(blur(torch.tensor(x[:1])).numpy()), "insertion": [], "deletion": []}
    softmax_model = torch.nn.Sequential(model, torch.nn.Softmax(dim=1))
    for mode in ["ins", "del"]:
        for b in range(BATCH):
            img = torch.tensor(x[b:b + 1])
            if mode == "del":
                start, finish = img.clone(), torch.zeros_like(img)
            else:
                start, finish = blur(img), img.clone()
            n_steps = (hw + step - 1) // step
            curve = np.empty(n_steps + 1)
            order = np.flip(np.argsort(a_pixel[b].reshape(-1, hw), axis=1), axis=-1)
            for i in range(n_steps + 1):
                with torch.no_grad():
                    curve[i] = softmax_model(start)[0, y[b]]
                if i < n_steps:
                    coords = order[:, step * i:step * (i + 1)]
                    start.numpy().reshape(1, CHANNELS, hw)[0, :, coords] = finish.numpy().reshape(1, CHANNELS, hw)[0, :, coords]
            out["insertion" if mode == "ins" else "deletion"].append(scores(curve))
    return out


def statistics_fixture():
    rng = np.random.default_rng(5)
    cases = []
    series = [
        (rng.standard_normal(20), rng.standard_normal(20)),
        (np.array([1, 2, 2, 3, 3, 3, 4, 5, 5, 9.0]), np.array([2, 1, 4, 4, 3, 6, 6, 6, 8, 7.0])),
        (np.round(rng.standard_normal(30), 1), np.round(rng.standard_normal(30), 1)),
        (np.arange(8.0), np.arange(8.0) ** 3),
    ]
    for a, b in series:
        cases.append({"a": floats(a), "b": floats(b),
                      "pearson": float(scipy.stats.pearsonr(a, b)[0]), "spearman": float(scipy.stats.spearmanr(a, b)[0]),
                      "ranks_a": floats(scipy.stats.rankdata(a))})
    values = rng.standard_normal(37)
    qs = [0, 2.5, 10, 25, 50, 75, 97.5, 100]
    return {"correlations": cases, "percentile_values": floats(values), "percentiles": qs,
            "percentile_results": [float(np.percentile(values, q)) for q in qs],
            "trapz_values": floats(values[:11]), "trapz": float(np.trapezoid(values[:11]) if hasattr(np, "trapezoid") else np.trapz(values[:11]))}


if __name__ == "__main__":
    main()
