#!/usr/bin/env python3
"""Fixtures of the Hugging Face transformers folders vitrel reads beyond ViTForImageClassification
(issue 15 item 2): tiny random-weight DINOv2, DINOv2 with registers, DeiT, DeiT-with-teacher and
SwiGLU DINOv2 (ViT-g/14's use_swiglu_ffn) classifiers written by transformers' own save_pretrained, their image processors, a PNG, and the
logits transformers gives on that PNG through its own image processor.

Regenerate (from the repository root; deterministic on CPU, nothing downloaded):

    pip install transformers      # if missing; torch and Pillow are needed too
    python3 Tools/make_hf_family_fixtures.py

writes Tests/VitRelTests/Fixtures/hf_families/ (about 410 KB):

    xray_45x37.png     8-bit L, 37 wide × 45 high (the picture of Tools/make_family_fixtures.py)
    manifest.json      per fixture: the classes, the processor, the pixel and logits files
    <fixture>/         model.save_pretrained(safe_serialization=True) (config.json,
                       model.safetensors) and processor.save_pretrained (preprocessor_config.json);
                       pixel_values.npy (float32 [1, 3, H, W]: the processor on the PNG) and
                       logits.npy (float32 [1, 3]: the eval-mode model on those pixel values)

    hf_dinov2          Dinov2ForImageClassification: patch 14, mlp_ratio 3, image_size 42 (its
                       position embedding holds a 3 × 3 grid; transformers interpolates it to the
                       2 × 2 grid of a 28-pixel input: bicubic, antialias=False); the classifier
                       reads [CLS ⊕ mean of the patch tokens]. BitImageProcessor: shortest_edge
                       35, bicubic (the 37 × 45 PNG becomes 35 × 42), centre crop 28 × 28 (the
                       width offset (35 − 28) // 2 = 3 is transformers' floor, where
                       torchvision's CenterCrop would round 3.5 to 4).
    hf_dinov2_reg      Dinov2WithRegistersForImageClassification: as hf_dinov2 with 2 register
                       tokens (no position embedding; excluded from the patch mean; transformers
                       interpolates its position embedding with antialias=True).
    hf_deit            DeiTForImageClassification: patch 8, image 24, intermediate 48; the
                       sequence carries the distillation token, the classifier reads only CLS.
                       DeiTImageProcessor: resize to 28 × 28 bicubic, centre crop 24 × 24.
    hf_deit_teacher    DeiTForImageClassificationWithTeacher: cls_classifier on CLS,
                       distillation_classifier on the distillation token, logits averaged.
    hf_dinov2_swiglu   Dinov2ForImageClassification with use_swiglu_ffn=True (Dinov2SwiGLUFFN:
                       down_proj(silu(gate_proj(x)) * up_proj(x)), hidden
                       (int(16 * 3 * 2 / 3) + 7) // 8 * 8 = 32; saved as the legacy
                       mlp.weights_in [gate_proj; up_proj] (64 × 16) and mlp.weights_out (16 × 32)
                       that transformers' conversion_mapping.py writes back), otherwise as
                       hf_dinov2.
    hf_dinov2_reg_swiglu  Dinov2WithRegistersForImageClassification with use_swiglu_ffn=True,
                       otherwise as hf_dinov2_reg.

Every model: hidden 16, 2 layers, 2 heads, 3 classes with the COVID-QU-Ex names, ImageNet mean
and std. Weights are drawn so that every path matters: Linear and conv weights N(0, 1/fan_in),
biases N(0, 0.1²), LayerNorm weights 1 + N(0, 0.2²), LayerScale λ N(0, 0.7²) (DINOv2's default
1.0 and timm's 1e-5 would hide either the blocks or the signs), cls, distillation and register
tokens and position embeddings N(0, 0.5²); the mask token (pre-training only) stays as
initialised. Seed: torch.manual_seed(SEED + i) before fixture i in the order above (the SwiGLU
fixtures come last, so regenerating leaves the earlier ones' bytes unchanged).

The processors are transformers' PIL ("slow") backends (backend="pil", the former
use_fast=False): they resize the 8-bit PIL image with Pillow, which is what vitrel reproduces.
The torchvision ("fast") backends resize tensors with torchvision and differ by up to a few
codes. The gray PNG is handed over as image.convert("RGB") (DeiTImageProcessor does not convert
gray, and its normalisation then refuses a 1-channel image; vitrel replicates gray itself). The script checks itself: each folder reloads with AutoModelForImageClassification and
AutoImageProcessor(backend="pil") and gives the same pixel values and logits.

Made with torch 2.15.0, transformers 5.24.0, Pillow 13.0.0, numpy 2.4.6.
"""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import torch
import transformers
from PIL import Image
from transformers import (AutoImageProcessor, AutoModelForImageClassification, Dinov2Config,
                          Dinov2ForImageClassification, Dinov2WithRegistersConfig,
                          Dinov2WithRegistersForImageClassification, DeiTConfig, DeiTForImageClassification,
                          DeiTForImageClassificationWithTeacher)
from transformers.models.bit.image_processing_pil_bit import BitImageProcessorPil
from transformers.models.deit.image_processing_pil_deit import DeiTImageProcessorPil

SEED = 20250301
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "VitRelTests" / "Fixtures" / "hf_families"
LABELS = ["COVID-19", "Non-COVID", "Normal"]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
SMALL = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
             id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})


def film(height, width):
    """A smooth radiograph-like image: bright surround, two darker fields, a burned-in marker."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    body = 170 - 60 * np.exp(-(((x - width * 0.3) / 6) ** 2 + ((y - height * 0.5) / 12) ** 2))
    body -= 60 * np.exp(-(((x - width * 0.7) / 6) ** 2 + ((y - height * 0.5) / 12) ** 2))
    body += 8 * np.sin(y / 1.5)
    body[3:8, 3:9] = 255  # marker
    return np.clip(np.round(body), 0, 255).astype(np.uint8)


def dinov2_processor():
    return BitImageProcessorPil(
        size={"shortest_edge": 35}, resample=3, do_center_crop=True, crop_size={"height": 28, "width": 28},
        do_rescale=True, do_normalize=True, image_mean=MEAN, image_std=STD, do_convert_rgb=True)


def deit_processor():
    return DeiTImageProcessorPil(
        size={"height": 28, "width": 28}, resample=3, do_center_crop=True, crop_size={"height": 24, "width": 24},
        do_rescale=True, do_normalize=True, image_mean=MEAN, image_std=STD)


DINOV2 = dict(patch_size=14, image_size=42, mlp_ratio=3, layer_norm_eps=1e-6, hidden_act="gelu")
DEIT = dict(patch_size=8, image_size=24, intermediate_size=48)

# name, model class, config, processor
FIXTURES = [
    ("hf_dinov2", Dinov2ForImageClassification, Dinov2Config(**SMALL, **DINOV2), dinov2_processor),
    ("hf_dinov2_reg", Dinov2WithRegistersForImageClassification,
     Dinov2WithRegistersConfig(**SMALL, **DINOV2, num_register_tokens=2), dinov2_processor),
    ("hf_deit", DeiTForImageClassification, DeiTConfig(**SMALL, **DEIT), deit_processor),
    ("hf_deit_teacher", DeiTForImageClassificationWithTeacher, DeiTConfig(**SMALL, **DEIT), deit_processor),
    ("hf_dinov2_swiglu", Dinov2ForImageClassification, Dinov2Config(**SMALL, **DINOV2, use_swiglu_ffn=True), dinov2_processor),
    ("hf_dinov2_reg_swiglu", Dinov2WithRegistersForImageClassification,
     Dinov2WithRegistersConfig(**SMALL, **DINOV2, num_register_tokens=2, use_swiglu_ffn=True), dinov2_processor),
]


def randomise_(model: torch.nn.Module) -> None:
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            if leaf == "mask_token":
                continue
            if leaf in ("cls_token", "distillation_token", "register_tokens", "position_embeddings"):
                p.normal_(0.0, 0.5)
            elif leaf == "lambda1":
                p.normal_(0.0, 0.7)
            elif p.dim() == 1 and leaf == "weight":  # LayerNorm
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif leaf == "bias":
                p.normal_(0.0, 0.1)
            elif leaf == "weight" and p.dim() >= 2:
                p.normal_(0.0, 1.0 / math.sqrt(p[0].numel()))
            else:
                raise ValueError(f"unexpected parameter {name} {tuple(p.shape)}")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    png = OUT / "xray_45x37.png"
    Image.fromarray(film(45, 37), "L").save(png)
    manifest = {"generator": "Tools/make_hf_family_fixtures.py", "image": png.name,
                "versions": {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__},
                "fixtures": []}
    for index, (name, model_class, config, make_processor) in enumerate(FIXTURES):
        torch.manual_seed(SEED + index)
        model = model_class(config)
        randomise_(model)
        model.eval()
        folder = OUT / name
        model.save_pretrained(str(folder), safe_serialization=True)
        make_processor().save_pretrained(str(folder))
        # What a transformers user runs: the folder through the Auto classes, PIL backend.
        processor = AutoImageProcessor.from_pretrained(str(folder), backend="pil")
        user = AutoModelForImageClassification.from_pretrained(str(folder)).eval()
        with Image.open(png) as image:
            pixels = processor(images=image.convert("RGB"), return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            logits = user(pixel_values=pixels).logits.float()
            assert torch.equal(model(pixel_values=pixels).logits.float(), logits), f"{name}: reloaded model differs"
        np.save(folder / "pixel_values.npy", pixels.numpy().astype(np.float32), allow_pickle=False)
        np.save(folder / "logits.npy", logits.numpy().astype(np.float32), allow_pickle=False)
        manifest["fixtures"].append({
            "name": name, "architecture": type(user).__name__, "processor": type(processor).__name__,
            "pixel_values": f"{name}/pixel_values.npy", "logits": f"{name}/logits.npy",
        })
        print(f"{name}: {type(user).__name__}, pixels {list(pixels.shape)} logits {logits.numpy().round(5).tolist()}")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    rows = "\n".join(f"| {p.relative_to(OUT)} | {p.stat().st_size} |" for p in sorted(OUT.rglob("*")) if p.is_file())
    (OUT / "README.md").write_text(
        "# Hugging Face family fixtures\n\nWritten by `Tools/make_hf_family_fixtures.py` (its doc string says what each\n"
        "folder holds and how to regenerate them); read by `HuggingFaceFamilyTests`. Do not edit by hand.\n\n"
        "| file | bytes |\n|---|---|\n" + rows + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT.relative_to(ROOT)} ({total} bytes)")


if __name__ == "__main__":
    main()
