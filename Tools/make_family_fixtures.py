#!/usr/bin/env python3
"""Fixtures of the timm ViT families vitrel reads (issue 15, items 1 and 6): tiny random-weight
DINOv2, DINOv2 with registers, DeiT, distilled DeiT, DeiT-III and DINOv2 ViT-g/14 (SwiGLU)
models written by timm, a PNG, and timm's own eval pipeline's logits on that PNG.

Regenerate (from the repository root; deterministic on CPU, no download: pretrained=False):

    python3 Tools/make_family_fixtures.py

writes Tests/VitRelTests/Fixtures/families/ (about 590 KB):

    xray_45x37.png      8-bit L, a smooth "film" 37 wide × 45 high (the same picture as
                        Tools/make_pillow_resize_fixtures.py draws, another size)
    manifest.json       per fixture: the timm factory, the data config timm resolved, the
                        transform's repr, the logits file
    <fixture>/          timm.models.save_for_hf output (config.json, model.safetensors),
                        input.npy (float32 [1, 3, H, W]: timm's eval transform of the PNG,
                        resolve_data_config + create_transform, Pillow 8-bit resize) and
                        logits.npy (float32 [1, 3]: the eval-mode model on that tensor)

    dinov2        vit_small_patch14_dinov2: LayerScale, patch 14, img 28 (2 × 2 patches)
    dinov2_reg4   vit_small_patch14_reg4_dinov2: + 4 register tokens, no_embed_class; built at
                  img 42 with dynamic_img_size and exported with input size 28, so timm
                  resamples pos_embed 3 × 3 → 2 × 2 at run time (resample_abs_pos_embed:
                  bicubic, antialias=True, num_prefix_tokens=0 as no_embed_class has it)
    deit          deit_tiny_patch16_224 at img 32 (2 × 2 patches)
    deit_distilled deit_tiny_distilled_patch16_224 at img 32: dist_token, head_dist, the
                  eval-mode logits (head(x_cls) + head_dist(x_dist)) / 2
    deit3         deit3_small_patch16_224 at img 32: LayerScale, no_embed_class
    dinov2_giant  vit_giant_patch14_dinov2 at img 28, embed_dim 24: SwiGLUPacked MLP (GluMlp
                  with nn.SiLU, gate_last=False: fc2(silu(x1) * x2) of fc1's two halves), the
                  factory's mlp_ratio 2.66667 * 2 (not in model_args: fc1 int(24 * 5.33334) =
                  128 wide, fc2 64 → 24), LayerScale
    dinov2_giant_reg4  vit_giant_patch14_reg4_dinov2: as dinov2_giant + 4 registers,
                  no_embed_class; img 42 resampled to 28 as dinov2_reg4
                  (both giant folders hold float16 weights: the model is converted with
                  .half() before saving and its logits are the float32 reload's)

Every model: embed_dim 16 (24 for the giant ones: 16 · 5.33334 truncates to an odd width,
which GluMlp refuses), depth 2, num_heads 2, num_classes 3, label names of the COVID-QU-Ex
classes. The fixtures are appended in this order, so regenerating leaves the earlier ones'
bytes unchanged. Weights are drawn so that every path matters: Linear and conv weights N(0, 1/fan_in),
biases N(0, 0.1²), LayerNorm weight 1 + N(0, 0.2²) and bias N(0, 0.1²), LayerScale γ
N(0, 0.7²) (signs of both kinds, not timm's 1e-5, which would hide the blocks), cls_token,
dist_token, reg_token and pos_embed N(0, 0.5²). Seed: torch.manual_seed(SEED + i) before
fixture i in the order above.

The script checks itself: each folder is reloaded as a timm user does
(timm.create_model("local-dir:DIR", pretrained=True)) and must give the same logits on the
same tensor.

Made with torch 2.15.0, timm 1.0.31, Pillow 13.0.0, numpy 2.4.6.
"""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import timm
import torch
from PIL import Image

SEED = 20240715
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "VitRelTests" / "Fixtures" / "families"
LABELS = ["COVID-19", "Non-COVID", "Normal"]
SMALL = dict(embed_dim=16, depth=2, num_heads=2, num_classes=3)

# name, timm factory, extra create_model arguments, data-config input size (None: the model's)
FIXTURES = [
    ("dinov2", "vit_small_patch14_dinov2", dict(img_size=28), None),
    ("dinov2_reg4", "vit_small_patch14_reg4_dinov2", dict(img_size=42, dynamic_img_size=True), (28, 28)),
    ("deit", "deit_tiny_patch16_224", dict(img_size=32), None),
    ("deit_distilled", "deit_tiny_distilled_patch16_224", dict(img_size=32), None),
    ("deit3", "deit3_small_patch16_224", dict(img_size=32), None),
    ("dinov2_giant", "vit_giant_patch14_dinov2", dict(img_size=28, embed_dim=24), None),
    ("dinov2_giant_reg4", "vit_giant_patch14_reg4_dinov2", dict(img_size=42, embed_dim=24, dynamic_img_size=True), (28, 28)),
]
# Saved with float16 weights (half the file; the logits come from the folder reloaded in
# float32, as Tools/make_clip_family_fixtures.py does).
HALF = {"dinov2_giant", "dinov2_giant_reg4"}


def film(height, width):
    """A smooth radiograph-like image: bright surround, two darker fields, a burned-in marker."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    body = 170 - 60 * np.exp(-(((x - width * 0.3) / 6) ** 2 + ((y - height * 0.5) / 12) ** 2))
    body -= 60 * np.exp(-(((x - width * 0.7) / 6) ** 2 + ((y - height * 0.5) / 12) ** 2))
    body += 8 * np.sin(y / 1.5)
    body[3:8, 3:9] = 255  # marker
    return np.clip(np.round(body), 0, 255).astype(np.uint8)


def randomise_(model: torch.nn.Module) -> None:
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            is_norm = "norm" in name and p.dim() == 1
            if leaf in ("cls_token", "dist_token", "reg_token", "pos_embed"):
                p.normal_(0.0, 0.5)
            elif leaf == "gamma":
                p.normal_(0.0, 0.7)
            elif is_norm and leaf == "weight":
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif leaf == "bias":
                p.normal_(0.0, 0.1)
            elif leaf == "weight" and p.dim() >= 2:
                p.normal_(0.0, 1.0 / math.sqrt(p[0].numel()))
            else:
                raise ValueError(f"unexpected parameter {name} {tuple(p.shape)}")


def write_fixture(model, folder, name, factory, png, size, unlisted, half=False):
    """Saves `model` as a timm hub folder (in float16 when `half`), runs what a timm user runs on
    `png` (the folder, its data config, timm's eval transform, the model) and saves the input
    tensor and logits beside it; returns the manifest entry (parameters whose names start with
    `unlisted` are left out of its list)."""
    timm.models.save_for_hf(model.half() if half else model, str(folder), model_config={"label_names": LABELS},
                            safe_serialization=True, data_config={"input_size": (3, *size)})
    model.float()
    user = timm.create_model(f"local-dir:{folder}", pretrained=True).eval()
    config = timm.data.resolve_data_config({}, model=user)
    transform = timm.data.create_transform(**config)
    with Image.open(png) as image:
        tensor = transform(image.convert("RGB"))[None]
    with torch.no_grad():
        logits = user(tensor).float()
        assert torch.equal(model(tensor).float(), logits), f"{name}: reloaded model differs"
    np.save(folder / "input.npy", tensor.numpy().astype(np.float32), allow_pickle=False)
    np.save(folder / "logits.npy", logits.numpy().astype(np.float32), allow_pickle=False)
    print(f"{name}: input {list(tensor.shape)} logits {logits.numpy().round(5).tolist()}")
    return {
        "name": name, "architecture": factory,
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()},
        "transform": repr(transform), "input": f"{name}/input.npy", "logits": f"{name}/logits.npy",
        "parameters": sorted(k for k, _ in model.named_parameters() if not k.startswith(unlisted)),
    }


def write_manifest(out, manifest, title, generator, reader):
    """manifest.json and a README listing every file of `out` with its size."""
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    rows = "\n".join(f"| {p.relative_to(out)} | {p.stat().st_size} |" for p in sorted(out.rglob("*")) if p.is_file())
    (out / "README.md").write_text(
        f"# {title}\n\nWritten by `{generator}` (its doc string says what each\n"
        f"folder holds and how to regenerate them); read by `{reader}`. Do not edit by hand.\n\n"
        "| file | bytes |\n|---|---|\n" + rows + "\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out.relative_to(ROOT)} ({total} bytes)")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    png = OUT / "xray_45x37.png"
    Image.fromarray(film(45, 37), "L").save(png)
    manifest = {"generator": "Tools/make_family_fixtures.py", "image": png.name,
                "versions": {"torch": torch.__version__.split("+")[0], "timm": timm.__version__}, "fixtures": []}
    for index, (name, factory, arguments, input_size) in enumerate(FIXTURES):
        torch.manual_seed(SEED + index)
        model = timm.create_model(factory, pretrained=False, **{**SMALL, **arguments})
        randomise_(model)
        model.eval()
        # The factory's pretrained_cfg names its training resolution (518 for DINOv2); the
        # folder's data config says what this model is run at.
        size = input_size or tuple(model.patch_embed.img_size)
        manifest["fixtures"].append(write_fixture(
            model, OUT / name, name, factory, png, size, unlisted="blocks.", half=name in HALF))
    write_manifest(OUT, manifest, "Model family fixtures", "Tools/make_family_fixtures.py", "ModelFamilyTests")


if __name__ == "__main__":
    main()
