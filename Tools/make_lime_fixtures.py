#!/usr/bin/env python3
"""Writes the fixtures of vitrel's superpixel and LIME tests to Tests/VitRelTests/Fixtures/lime/.

Regenerate (from the repository root; never needed by CI):

    python3 Tools/make_lime_fixtures.py

Made with Python 3.11, numpy 2.4, scikit-image 0.26.0, scikit-learn 1.9, lime 0.2.0.1
(`manifest.json` records the versions that actually ran). Every input is synthetic and made
here from fixed seeds, except the optional real X-ray entry (see below).

Files (all raw little-endian, described by `manifest.json`):
- `*.u8` / `*.u16` / `*.f64` arrays; images are planar [C, H, W] uint8 (the test maps k to
  Float(k) / 255, exactly what this script feeds scikit-image after the same float32 rounding,
  so both sides segment identical numbers).
- SLIC labels (`start_label=0`) for an RGB pattern, a gray pattern replicated to RGB, and the
  same gray pattern as a plain 2-D image (`channel_axis=None`), with n_segments 100 and 50;
  plus a non-square crop with sigma 1 and compactness 20.
- quickshift labels with LIME's settings (kernel_size 4, max_dist 200, ratio 0.2) for the RGB
  and gray-as-RGB patterns, plus one small crop with the exact density noise scikit-image
  drew, so the test can demand identical labels.
- Real X-ray: labels of one COVID-QU-Ex sample reduced to 64x64 by 4x4 block means, keyed by
  hashes of the block sums. The pixels themselves are NOT stored (the data may not be copied
  into the repository); the test recomputes the block sums from the shared folder.
- `surrogate.json`: a fixed 200 x 12 sample matrix, 3-class predictions, kernel weights and
  lime's `LimeBase.explain_instance_with_data` outputs for every feature-selection mode.
"""
import hashlib
import json
import os
import sys
from functools import partial

import numpy as np
import scipy
import skimage
import sklearn
from skimage.segmentation import quickshift, slic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "VitRelTests", "Fixtures", "lime")
SAMPLES = os.path.join(os.path.dirname(ROOT), "shared", "data", "covid-qu-ex-samples")
XRAY = os.path.join("Infection Segmentation Data", "Test", "COVID-19", "images", "covid_1579.png")

SIZE = 96
QUICKSHIFT = dict(kernel_size=4, max_dist=200, ratio=0.2)

manifest = {
    "generator": "Tools/make_lime_fixtures.py",
    "versions": {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-image": skimage.__version__,
        "scikit-learn": sklearn.__version__,
    },
    "arrays": {},
    "slic": [],
    "quickshift": [],
}


def save(name, array, dtype):
    """Writes `array` as raw little-endian `dtype` and records its shape in the manifest."""
    array = np.ascontiguousarray(array).astype(np.dtype(dtype).newbyteorder("<"), copy=False)
    file = f"{name}.{ {'uint8': 'u8', 'uint16': 'u16', 'float64': 'f64'}[dtype] }"
    array.tofile(os.path.join(OUT, file))
    manifest["arrays"][name] = {"file": file, "dtype": dtype, "shape": list(array.shape)}
    return name


def save_labels(name, labels):
    return save(name, labels, "uint8" if labels.max() < 256 else "uint16")


def as_float(u8):
    """uint8 -> the float32 value vitrel's Image holds, widened to float64 for scikit-image."""
    return (u8.astype(np.float32) / np.float32(255)).astype(np.float64)


def blobs(seed, channels):
    """A smooth pattern: a gradient plus SIZE/4 Gaussian blobs of random colour, stretched to
    [0.04, 0.96] without clipping (flat plateaus would make quickshift depend on its noise)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    img = np.stack([x / SIZE, y / SIZE, 1 - x / SIZE][:channels], -1) * 0.5
    for _ in range(SIZE // 4):
        cx, cy = rng.uniform(0, SIZE, 2)
        r = rng.uniform(SIZE / 14, SIZE / 6)
        colour = rng.uniform(-1, 1, channels)
        img += colour * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))[..., None]
    lo, hi = img.min(axis=(0, 1)), img.max(axis=(0, 1))
    img = 0.04 + 0.92 * (img - lo) / (hi - lo)
    return np.round(img * 255).astype(np.uint8)  # [H, W, C]


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def make_superpixels():
    rgb = blobs(2, 3)                  # [H, W, 3]
    gray = blobs(11, 1)[..., 0]        # [H, W]
    save("rgb_image", np.moveaxis(rgb, -1, 0), "uint8")          # planar [3, H, W]
    save("gray_image", gray[None], "uint8")                        # planar [1, H, W]
    rgb_f, gray_f = as_float(rgb), as_float(gray)
    gray3_f = np.repeat(gray_f[..., None], 3, -1)

    inputs = [
        ("rgb", "rgb_image", "lab", rgb_f, {}),
        ("gray_as_rgb", "gray_image", "lab", gray3_f, {}),
        ("gray_plain", "gray_image", "intensity", gray_f, {"channel_axis": None}),
    ]
    for tag, image, mode, data, extra in inputs:
        for n_segments in (100, 50):
            labels = slic(data, n_segments=n_segments, start_label=0, **extra)
            manifest["slic"].append({
                "image": image, "mode": mode, "n_segments": n_segments,
                "labels": save_labels(f"slic_{tag}_{n_segments}", labels),
                "count": int(labels.max() + 1),
            })
    # Non-square crop with smoothing and another compactness: exercises regular_grid with
    # unequal sides and the Gaussian pre-blur.
    crop_h, crop_w = 40, 72
    labels = slic(rgb_f[:crop_h, :crop_w], n_segments=30, compactness=20, sigma=1, start_label=0)
    manifest["slic"].append({
        "image": "rgb_image", "mode": "lab", "n_segments": 30, "compactness": 20, "sigma": 1,
        "crop_height_width": [crop_h, crop_w],
        "labels": save_labels("slic_rgb_crop_sigma1", labels), "count": int(labels.max() + 1),
    })
    for tag, image, data in [("rgb", "rgb_image", rgb_f), ("gray_as_rgb", "gray_image", gray3_f)]:
        labels = quickshift(data, rng=0, **QUICKSHIFT)
        manifest["quickshift"].append({
            "image": image, "mode": "lab", **QUICKSHIFT,
            "labels": save_labels(f"quickshift_{tag}", labels), "count": int(labels.max() + 1),
        })

    # Exact check: scikit-image draws its density noise as default_rng(rng).normal(1e-5, (H, W)).
    crop = 48
    seed = 7
    noise = np.random.default_rng(seed).normal(scale=0.00001, size=(crop, crop))
    labels = quickshift(rgb_f[:crop, :crop], rng=seed, **QUICKSHIFT)
    manifest["quickshift_exact"] = {
        "image": "rgb_image", "crop": crop, "mode": "lab", **QUICKSHIFT,
        "noise": save("quickshift_exact_noise", noise, "float64"),
        "labels": save_labels("quickshift_exact", labels), "count": int(labels.max() + 1),
    }


def make_real_xray():
    path = os.path.join(SAMPLES, XRAY)
    if not os.path.exists(path):
        print(f"skipping the real X-ray entry: {path} is absent")
        return
    from PIL import Image

    pixels = np.asarray(Image.open(path))
    assert pixels.shape == (256, 256) and pixels.dtype == np.uint8, pixels.shape
    sums = pixels.astype(np.uint16).reshape(64, 4, 64, 4).sum(axis=(1, 3)).astype(np.uint16)
    gray = (sums.astype(np.float32) / np.float32(16 * 255)).astype(np.float64)
    gray3 = np.repeat(gray[..., None], 3, -1)
    key = sums.astype("<u2").tobytes()
    entry = {
        "source": XRAY.replace(os.sep, "/"),
        "reduction": "4x4 block sums of the 256x256 uint8 image; pixel = Float(sum) / Float(16 * 255)",
        "block_sums_sha256": hashlib.sha256(key).hexdigest(),
        "block_sums_fnv1a64": fnv1a64(key),
        "size": 64,
        "slic": [],
    }
    for n_segments in (100, 50):
        labels = slic(gray3, n_segments=n_segments, start_label=0)
        entry["slic"].append({"mode": "lab", "n_segments": n_segments,
                              "labels": save_labels(f"xray_slic_{n_segments}", labels),
                              "count": int(labels.max() + 1)})
    labels = quickshift(gray3, rng=0, **QUICKSHIFT)
    entry["quickshift"] = {"mode": "lab", **QUICKSHIFT,
                           "labels": save_labels("xray_quickshift", labels),
                           "count": int(labels.max() + 1)}
    manifest["real_xray"] = entry


def make_surrogate():
    import lime
    from lime import lime_base
    from sklearn.metrics import pairwise_distances

    manifest["versions"]["lime"] = getattr(lime, "__version__", "0.2.0.1")
    rng = np.random.RandomState(2016)
    n_samples, n_features, n_classes = 200, 12, 3
    data = rng.randint(0, 2, (n_samples, n_features))
    data[0, :] = 1
    # A made-up classifier: linear effects, one interaction and noise, through a softmax.
    effects = rng.normal(0, 1.5, (n_features, n_classes))
    logits = data @ effects + 1.2 * (data[:, [2]] * data[:, [5]]) * np.array([1, -1, 0]) \
        + rng.normal(0, 0.3, (n_samples, n_classes))
    logits -= logits.max(axis=1, keepdims=True)
    predictions = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

    kernel_width = 0.25
    distances = pairwise_distances(data, data[0].reshape(1, -1), metric="cosine").ravel()

    def kernel(d, kernel_width):
        return np.sqrt(np.exp(-(d ** 2) / kernel_width ** 2))

    kernel_fn = partial(kernel, kernel_width=kernel_width)
    base = lime_base.LimeBase(kernel_fn, random_state=0)
    cases = []
    for selection, num_features in [("auto", 5), ("auto", 100000), ("forward_selection", 5),
                                    ("highest_weights", 5), ("none", 100000)]:
        for label in range(n_classes):
            intercept, explanation, score, local_pred = base.explain_instance_with_data(
                data, predictions, distances, label, num_features, feature_selection=selection)
            cases.append({
                "feature_selection": selection, "num_features": num_features, "label": label,
                "intercept": float(intercept),
                "explanation": [[int(f), float(w)] for f, w in explanation],
                "score": float(score), "local_pred": float(np.ravel(local_pred)[0]),
            })
    surrogate = {
        "generator": "Tools/make_lime_fixtures.py", "versions": manifest["versions"],
        "kernel_width": kernel_width,
        "samples": data.tolist(),
        "predictions": predictions.tolist(),
        "distances": distances.tolist(),
        "weights": kernel_fn(distances).tolist(),
        "cases": cases,
    }
    with open(os.path.join(OUT, "surrogate.json"), "w") as f:
        json.dump(surrogate, f, indent=None, separators=(",", ":"))
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    with open(os.path.join(OUT, ".gitattributes"), "w") as f:
        f.write("# raw arrays: never diff or convert line endings\n*.u8 binary\n*.u16 binary\n*.f64 binary\n")
    make_superpixels()
    make_real_xray()
    make_surrogate()
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total / 1024:.1f} KiB, to {OUT}")


if __name__ == "__main__":
    main()
