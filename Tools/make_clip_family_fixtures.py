#!/usr/bin/env python3
"""Fixtures of timm's CLIP ViTs and of qk_norm (issue 15, item 1): tiny random-weight models
written by timm, a PNG, and timm's own eval pipeline's logits on that PNG.

Regenerate (from the repository root; deterministic on CPU, no download: pretrained=False):

    python3 Tools/make_clip_family_fixtures.py

writes Tests/VitRelTests/Fixtures/families_clip/ (about 200 KB):

    xray_45x37.png      the film of Tools/make_family_fixtures.py (8-bit L, 37 wide × 45 high)
    manifest.json       per fixture: the timm factory, the data config timm resolved, the
                        transform's repr, the logits file
    <fixture>/          timm.models.save_for_hf output (config.json, model.safetensors with
                        the weights in float16: the model is converted with .half() before
                        saving, so the file is half the size and every weight is exactly a
                        float16 value), input.npy (float32 [1, 3, H, W]: timm's eval
                        transform of the PNG, resolve_data_config + create_transform, Pillow)
                        and logits.npy (float32 [1, 3]: the folder reloaded as a timm user
                        does, timm.create_model("local-dir:DIR", pretrained=True), in float32,
                        on that tensor)

    clip_quickgelu  vit_base_patch16_clip_quickgelu_224: pre_norm (norm_pre, no patch-embed
                    bias), LayerNorm eps 1e-5, QuickGELU; patch_size 8, img 32 (4 × 4 patches),
                    mlp_ratio 2
    clip            vit_large_patch14_clip_224: pre_norm, eps 1e-5, exact GELU; patch 14,
                    img 28 (2 × 2 patches), mlp_ratio 2
    qk_norm         vit_small_patch16_224 with qk_norm=True: q_norm and k_norm over head_dim 8
                    (4 heads), eps 1e-6; patch_size 8, img 32 (4 × 4 patches), mlp_ratio 2

Every model: embed_dim 32, depth 2, num_classes 3, label names of the COVID-QU-Ex classes.
Weights as Tools/make_family_fixtures.py draws them (every path matters: Linear and conv
weights N(0, 1/fan_in), biases N(0, 0.1²), LayerNorm weights 1 + N(0, 0.2²) — norm_pre,
q_norm and k_norm included — and biases N(0, 0.1²), cls_token and pos_embed N(0, 0.5²)).
Seed: torch.manual_seed(SEED + i) before fixture i in the order above.

The script checks itself: the float32 model with the float16-rounded weights and the reloaded
folder give the same logits on the same tensor.

Made with torch 2.15.0, timm 1.0.31, Pillow 13.0.0, numpy 2.4.6.
"""

import shutil
import sys
from pathlib import Path

import timm
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_family_fixtures import film, randomise_, write_fixture, write_manifest  # noqa: E402  (one film, one weight draw, one record)

SEED = 20240716
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "VitRelTests" / "Fixtures" / "families_clip"
SMALL = dict(embed_dim=32, depth=2, num_classes=3, mlp_ratio=2.0)

# name, timm factory, extra create_model arguments
FIXTURES = [
    ("clip_quickgelu", "vit_base_patch16_clip_quickgelu_224", dict(num_heads=2, patch_size=8, img_size=32)),
    ("clip", "vit_large_patch14_clip_224", dict(num_heads=2, img_size=28)),
    ("qk_norm", "vit_small_patch16_224", dict(num_heads=4, patch_size=8, img_size=32, qk_norm=True)),
]


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    png = OUT / "xray_45x37.png"
    Image.fromarray(film(45, 37), "L").save(png)
    manifest = {"generator": "Tools/make_clip_family_fixtures.py", "image": png.name,
                "versions": {"torch": torch.__version__.split("+")[0], "timm": timm.__version__}, "fixtures": []}
    for index, (name, factory, arguments) in enumerate(FIXTURES):
        torch.manual_seed(SEED + index)
        model = timm.create_model(factory, pretrained=False, **SMALL, **arguments)
        randomise_(model)
        model.eval()
        # Saved in float16 (small files); the logits come from the folder reloaded in float32.
        manifest["fixtures"].append(write_fixture(
            model, OUT / name, name, factory, png, tuple(model.patch_embed.img_size), unlisted="blocks.1", half=True))
    write_manifest(OUT, manifest, "CLIP and qk_norm fixtures", "Tools/make_clip_family_fixtures.py", "ClipFamilyTests")


if __name__ == "__main__":
    main()
