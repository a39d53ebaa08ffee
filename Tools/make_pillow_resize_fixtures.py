#!/usr/bin/env python3
"""Writes Pillow's 8-bit resize references: Tests/VitRelTests/Fixtures/pillow_resize/.

Regenerate from the repository root (CI never runs this; the outputs are committed):

    python3 Tools/make_pillow_resize_fixtures.py

Made with Python 3.11, Pillow 13.0.0, numpy 2.4.6, torch 2.15.0, torchvision 0.29.2,
timm 1.0.31. Everything derives from a seeded numpy pattern (seed 20240612) and from the
existing checkpoint fixture Fixtures/checkpoints/timm_token (read, never rewritten).

The Swift tests (PillowResizeTests.swift) expect every uint8 array here bit for bit and the
timm tensor to 1e-6; the logits to 1e-5 relative.

Contents (arrays are .npy, version 1.0, C order):
  manifest.json      every case: source, filter, size, reference file
  gray_37x29.png     8-bit L: noise, a hard-edged bright square, 0 and 255 stripes (so
                     bicubic and lanczos overshoot and clip), a one-pixel line
  rgb_19x15.png      8-bit RGB, the same kinds of content per channel
  tall_2x230.png     8-bit L, 230 rows of 2 pixels: a strong height reduction, resized
                     height first (Pillow 13.0.0 runs the vertical pass first when
                     h - H > 0 and h - H > 2 (w - W); newer Pillow sources also special-case
                     images over 100 times taller than wide in Image.resize, 13.0.0 does not)
  xray_37x45.png     8-bit L, a smooth "film" with edges, for the eval transform and logits
  resize/*.npy       Pillow Image.resize(size, filter) of those images, uint8 [H, W] (L) or
                     [H, W, 3] (RGB): nearest, box, bilinear, hamming, bicubic, lanczos;
                     down- and up-sizing, non-integer ratios, one axis only, both pass orders
  timm_token_input.npy   timm's eval transform of xray_37x45.png for timm_token
                     (resolve_data_config + create_transform: Resize(35) bicubic → 42 × 35,
                     CenterCrop(32), ToTensor, Normalize(0.5, 0.5)), float32 [3, 32, 32]
  timm_token_logits.npy  timm_token on that tensor, float32 [1, 3]
  manifest.json "shorterSide": torchvision Resize(int) output sizes (its
                     _compute_resized_output_size) for a few shapes, against truncation errors
"""

import json
import shutil
from pathlib import Path

import numpy as np
import PIL
import timm
import torch
import torchvision
from PIL import Image
from torchvision.transforms import functional as TF

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/VitRelTests/Fixtures/pillow_resize"
CHECKPOINT = ROOT / "Tests/VitRelTests/Fixtures/checkpoints/timm_token"
SEED = 20240612
FILTERS = {
    "nearest": Image.Resampling.NEAREST, "box": Image.Resampling.BOX, "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING, "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS,
}


def pattern(rng, height, width, channels):
    """Noise with hard edges and saturated bands: every rounding and clipping path matters."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        base = 40 + 150 * rng.random((height, width))
        base[height // 4: height // 2, width // 3: 2 * width // 3] = 250 - 30 * c  # bright square
        base[:, width - 3:] = 0 if c % 2 == 0 else 255                          # saturated band
        base[height - 2, :] = 255                                               # a thin bright line
        base += 20 * np.sin((x + 2 * c) / 2.0)                                  # ripple near Nyquist
        planes.append(base)
    image = np.clip(np.round(np.stack(planes, axis=-1)), 0, 255).astype(np.uint8)
    return image[..., 0] if channels == 1 else image


def film(height, width):
    """A smooth radiograph-like image: bright lungs' surround, darker fields, a burned-in marker."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    body = 170 - 60 * np.exp(-(((x - width * 0.3) / 6) ** 2 + ((y - height * 0.5) / 12) ** 2))
    body -= 60 * np.exp(-(((x - width * 0.7) / 6) ** 2 + ((y - height * 0.5) / 12) ** 2))
    body += 8 * np.sin(y / 1.5)
    body[3:8, 3:9] = 255  # marker
    return np.clip(np.round(body), 0, 255).astype(np.uint8)


def main():
    rng = np.random.default_rng(SEED)
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "resize").mkdir(parents=True)
    manifest = {"generator": "Tools/make_pillow_resize_fixtures.py",
                "versions": {"Pillow": PIL.__version__, "torch": torch.__version__.split("+")[0],
                             "torchvision": torchvision.__version__.split("+")[0], "timm": timm.__version__},
                "resize": []}

    images = {
        "gray_37x29.png": Image.fromarray(pattern(rng, 29, 37, 1), "L"),
        "rgb_19x15.png": Image.fromarray(pattern(rng, 15, 19, 3), "RGB"),
        "tall_2x230.png": Image.fromarray(pattern(rng, 230, 2, 1), "L"),
    }
    # (width, height): down, up, non-integer both ways, width only, height only, one up one down.
    sizes = {
        # (45, 19) and (33, 20) go height first, (32, 20) width first: either side of the rule.
        "gray_37x29.png": [(17, 13), (50, 41), (25, 20), (23, 29), (37, 11), (45, 19), (33, 20), (32, 20)],
        "rgb_19x15.png": [(8, 6), (26, 21), (11, 15), (19, 7), (17, 9)],
        "tall_2x230.png": [(1, 50), (2, 77), (3, 40)],
    }
    for name, image in images.items():
        image.save(OUT / name)
        with Image.open(OUT / name) as reread:
            assert np.array_equal(np.asarray(reread), np.asarray(image))
        for width, height in sizes[name]:
            for filter_name, code in FILTERS.items():
                if name.startswith("tall") and filter_name not in ("bicubic", "bilinear", "lanczos"):
                    continue
                out = np.asarray(image.resize((width, height), code))
                if image.mode == "L":  # why vitrel may resize a gray image once and replicate it
                    rgb = np.asarray(image.convert("RGB").resize((width, height), code))
                    assert all(np.array_equal(rgb[..., c], out) for c in range(3)), (name, filter_name)
                relative = f"resize/{Path(name).stem}_{filter_name}_{width}x{height}.npy"
                np.save(OUT / relative, out, allow_pickle=False)
                manifest["resize"].append({"source": name, "filter": filter_name, "width": width, "height": height,
                                           "reference": relative})

    # timm's eval pipeline on a PNG, as a timm user runs it, and the model's logits.
    Image.fromarray(film(45, 37), "L").save(OUT / "xray_37x45.png")
    model = timm.create_model(f"local-dir:{CHECKPOINT}", pretrained=True).eval()
    config = timm.data.resolve_data_config({}, model=model)
    transform = timm.data.create_transform(**config)
    with Image.open(OUT / "xray_37x45.png") as png:
        tensor = transform(png.convert("RGB"))
    with torch.no_grad():
        logits = model(tensor[None]).float()
    np.save(OUT / "timm_token_input.npy", tensor.numpy().astype(np.float32), allow_pickle=False)
    np.save(OUT / "timm_token_logits.npy", logits.numpy().astype(np.float32), allow_pickle=False)
    manifest["timmEval"] = {"image": "xray_37x45.png", "model": "checkpoints/timm_token",
                            "config": {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()},
                            "transform": repr(transform), "input": "timm_token_input.npy", "logits": "timm_token_logits.npy"}

    # torchvision Resize(int): shorter side → size, longer → int(size * long / short).
    cases = []
    for height, width, size in ((45, 37, 35), (300, 400, 256), (256, 341, 224), (37, 45, 35), (1000, 999, 7), (29, 37, 33)):
        out_h, out_w = TF._compute_resized_output_size((height, width), [size])
        cases.append({"height": height, "width": width, "size": size, "resizedHeight": out_h, "resizedWidth": out_w})
    manifest["shorterSide"] = cases

    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files, {total} bytes, to {OUT.relative_to(ROOT)}")
    print(f"timm config {config}; logits {logits.numpy().round(5).tolist()}")


if __name__ == "__main__":
    main()
