#!/usr/bin/env python3
"""Checkpoint fixtures for vitrel: tiny random-weight ViTs saved the way users save them.

Regenerate (from the repository root; the output is deterministic on CPU):

    python3 Tools/make_checkpoint_fixtures.py

writes Tests/VitRelTests/Fixtures/checkpoints/ (about 490 KB):

    timm_token/      timm VisionTransformer, `vit_tiny_patch16_224` overridden by model_args
                     (img 32, patch 8, embed 24, depth 2, heads 3, 3 classes, CLS pooling),
                     saved with timm.models.save_for_hf; label_names COVID-19/Non-COVID/Normal
    timm_nonsquare/  img_size (32, 48): a 4 x 6 patch grid (embed 16, heads 2)
    timm_avgpool/    global_pool "avg" (fc_norm after pooling), mlp_ratio 3, heads 4; its
                     weights are rounded to values F16 and BF16 both hold exactly
    timm_posresize/  built with dynamic_img_size=True at img 32 and exported with
                     data_config input_size 48 x 48; input.npy is 48 x 48, so
                     timm resamples pos_embed from 4 x 4 to 6 x 6 at run time
                     (resample_abs_pos_embed: bicubic, antialias=True, align_corners=False,
                     CLS entry kept); the resampled table is pos_embed_resampled.npy
    hf_vit/          transformers ViTForImageClassification (hidden 24, 2 layers, 3 heads,
                     intermediate 48, image 32, patch 8, id2label of 3 classes) via
                     save_pretrained(safe_serialization=True), plus a ViTImageProcessor
                     (32 x 32, bilinear, ImageNet mean/std) via save_pretrained
    dtypes/          timm_avgpool_{f16,bf16}.safetensors: timm_avgpool's weights as F16 and
                     BF16 (torch .half() / .bfloat16(), lossless by construction, so the
                     expected Float values are timm_avgpool/model.safetensors itself);
                     edge_values.safetensors: F32 sources ("source") with torch's F16 and
                     BF16 roundings ("f16", "bf16") and those widened back to F32
                     ("f16_expected", "bf16_expected"): ±0, subnormals, max, ties to even,
                     overflow to inf, ±inf, NaN

Every model folder also holds input.npy (float32 [2, 3, H, W], C order, already normalised)
and logits.npy (float32 [2, 3]: the model's eval-mode output for it). Weights are drawn so
that every path matters: Linear and conv weights N(0, 1/fan_in), biases N(0, 0.1²),
LayerNorm weight 1 + N(0, 0.2²) and bias N(0, 0.1²), cls_token and pos_embed N(0, 0.5²).
Seeds: torch.manual_seed(SEED + i) before fixture i (SEED = 20240611, i in the order above);
inputs come from a separate torch.Generator seeded SEED + 100 + i.

The script also checks itself: each saved folder is reloaded (timm: create_model with the
saved model_args + load_state_dict(strict=True); transformers: from_pretrained) and must
reproduce the logits exactly, and the HF model's weights renamed to timm keys (q, k, v
stacked into attn.qkv) must give the HF logits in a timm model.

Checking a folder written by vitrel (`ViTCheckpoint.write(timmFolder:)`):

    python3 Tools/make_checkpoint_fixtures.py --check-vitrel-folder DIR --source FIXTURE_DIR

loads DIR with timm as timm users would, both by hand (timm.create_model(architecture,
pretrained=False, **model_args), then load_state_dict(strict=True) of model.safetensors) and
through timm's hub-config parser (timm.create_model("local-dir:DIR", pretrained=True)),
runs FIXTURE_DIR/input.npy through it and compares with FIXTURE_DIR/logits.npy (the logits of
the model DIR was converted from; tolerance 1e-4, as a Hugging Face source runs LayerNorm
with eps 1e-12 where timm uses 1e-6). The fixtures themselves are not rewritten then.
The Swift test suite writes such folders when VITREL_EXPORT_TIMM_FOLDERS=DIR is set
(DIR/timm_token, DIR/hf_vit, ...).

Made with torch 2.15.0, timm 1.0.31, transformers 5.23.0, safetensors 0.8.0, numpy 2.4.6.
"""

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import timm
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from timm.layers import resample_abs_pos_embed

SEED = 20240611
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Tests" / "VitRelTests" / "Fixtures" / "checkpoints"
LABELS = ["COVID-19", "Non-COVID", "Normal"]


# ---------------------------------------------------------------------------------------------
# Weights and inputs

def randomise_(model: torch.nn.Module) -> None:
    """Overwrite every parameter with draws large enough that each one changes the logits."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            is_norm = any(k in name for k in ("norm", "layernorm")) and p.dim() == 1
            if name.endswith(("cls_token", "pos_embed", "position_embeddings")):
                p.normal_(0.0, 0.5)
            elif is_norm and leaf == "weight":
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif leaf == "bias":
                p.normal_(0.0, 0.1)
            elif leaf == "weight" and p.dim() >= 2:
                fan_in = p[0].numel()
                p.normal_(0.0, 1.0 / math.sqrt(fan_in))
            else:
                raise ValueError(f"unexpected parameter {name} {tuple(p.shape)}")


def make_input(index: int, height: int, width: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(SEED + 100 + index)
    return torch.randn(2, 3, height, width, generator=generator, dtype=torch.float32)


def save_npy(path: Path, array: torch.Tensor) -> None:
    np.save(path, np.ascontiguousarray(array.detach().cpu().numpy().astype(np.float32)))


def logits_of(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        out = model(x)
    return getattr(out, "logits", out).float()


# ---------------------------------------------------------------------------------------------
# timm

def timm_model_from_folder(folder: Path) -> torch.nn.Module:
    """What a timm user does with a hub-style folder: factory + model_args, then the weights."""
    config = json.loads((folder / "config.json").read_text())
    model = timm.create_model(config["architecture"], pretrained=False, **config.get("model_args", {}))
    state = load_file(str(folder / "model.safetensors"))
    model.load_state_dict(state, strict=True)
    return model.eval()


def make_halves_exact_(model: torch.nn.Module) -> None:
    """Round every weight to a value F16 and BF16 both hold exactly (8 significant bits, no
    F16 subnormals), so the F16 and BF16 copies decode to this model's F32 weights."""
    with torch.no_grad():
        for p in model.parameters():
            q = p.to(torch.bfloat16).float()
            q[q.abs() < 2.0 ** -14] = 0.0
            assert torch.equal(q.half().float(), q)
            p.copy_(q)


def make_timm(index: int, name: str, model_args: dict, input_size=None, halves_exact=False) -> None:
    torch.manual_seed(SEED + index)
    model = timm.create_model("vit_tiny_patch16_224", pretrained=False, **model_args)
    randomise_(model)
    if halves_exact:
        make_halves_exact_(model)
    model.eval()
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    data_config = {"input_size": (3, *input_size)} if input_size else None
    timm.models.save_for_hf(model, str(folder), model_config={"label_names": LABELS}, safe_serialization=True,
                            data_config=data_config)

    height, width = input_size or model.patch_embed.img_size
    x = make_input(index, height, width)
    logits = logits_of(model, x)
    save_npy(folder / "input.npy", x)
    save_npy(folder / "logits.npy", logits)

    reloaded = timm_model_from_folder(folder)
    assert torch.equal(logits_of(reloaded, x), logits), f"{name}: reloaded model differs"
    if input_size is not None:
        grid = (height // model.patch_embed.patch_size[0], width // model.patch_embed.patch_size[1])
        resampled = resample_abs_pos_embed(
            model.pos_embed, new_size=grid, old_size=model.patch_embed.grid_size,
            num_prefix_tokens=model.num_prefix_tokens)
        save_npy(folder / "pos_embed_resampled.npy", resampled)
    print(f"{name}: logits {logits.numpy().round(4).tolist()}")


# ---------------------------------------------------------------------------------------------
# Hugging Face transformers

def hf_to_timm_state(hf_state: dict, depth: int) -> dict:
    """The renaming vitrel does, in Python: convert_vit_timm_to_pytorch.py read backwards."""
    out = {
        "cls_token": hf_state["vit.embeddings.cls_token"],
        "pos_embed": hf_state["vit.embeddings.position_embeddings"],
        "patch_embed.proj.weight": hf_state["vit.embeddings.patch_embeddings.projection.weight"],
        "patch_embed.proj.bias": hf_state["vit.embeddings.patch_embeddings.projection.bias"],
        "norm.weight": hf_state["vit.layernorm.weight"],
        "norm.bias": hf_state["vit.layernorm.bias"],
        "head.weight": hf_state["classifier.weight"],
        "head.bias": hf_state["classifier.bias"],
    }
    for i in range(depth):
        hf, tm = f"vit.encoder.layer.{i}.", f"blocks.{i}."
        for leaf in ("weight", "bias"):
            out[tm + f"attn.qkv.{leaf}"] = torch.cat(
                [hf_state[hf + f"attention.attention.{part}.{leaf}"] for part in ("query", "key", "value")])
            out[tm + f"norm1.{leaf}"] = hf_state[hf + f"layernorm_before.{leaf}"]
            out[tm + f"attn.proj.{leaf}"] = hf_state[hf + f"attention.output.dense.{leaf}"]
            out[tm + f"norm2.{leaf}"] = hf_state[hf + f"layernorm_after.{leaf}"]
            out[tm + f"mlp.fc1.{leaf}"] = hf_state[hf + f"intermediate.dense.{leaf}"]
            out[tm + f"mlp.fc2.{leaf}"] = hf_state[hf + f"output.dense.{leaf}"]
    return out


def make_hf(index: int) -> None:
    from functools import partial

    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(SEED + index)
    config = ViTConfig(
        hidden_size=24, num_hidden_layers=2, num_attention_heads=3, intermediate_size=48,
        image_size=32, patch_size=8, num_channels=3,
        id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
    model = ViTForImageClassification(config)
    randomise_(model)
    model.eval()
    folder = OUT / "hf_vit"
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(str(folder), safe_serialization=True)
    processor = ViTImageProcessor(
        do_resize=True, size={"height": 32, "width": 32}, resample=2, do_rescale=True,
        do_normalize=True, image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
    processor.save_pretrained(str(folder))

    x = make_input(index, 32, 32)
    logits = logits_of(model, x)
    save_npy(folder / "input.npy", x)
    save_npy(folder / "logits.npy", logits)

    reloaded = ViTForImageClassification.from_pretrained(str(folder)).eval()
    assert torch.equal(logits_of(reloaded, x), logits), "hf_vit: reloaded model differs"

    # The key map vitrel uses must give the same function in timm's module tree.
    timm_model = timm.models.vision_transformer.VisionTransformer(
        img_size=32, patch_size=8, embed_dim=24, depth=2, num_heads=3, mlp_ratio=2.0, num_classes=3,
        norm_layer=partial(torch.nn.LayerNorm, eps=config.layer_norm_eps))
    timm_model.load_state_dict(hf_to_timm_state(load_file(str(folder / "model.safetensors")), 2), strict=True)
    difference = (logits_of(timm_model, x) - logits).abs().max().item()
    assert difference < 1e-5, f"hf_vit: timm-renamed weights differ by {difference}"
    print(f"hf_vit: logits {logits.numpy().round(4).tolist()} (timm rename agrees to {difference:.1e})")


# ---------------------------------------------------------------------------------------------
# Dtypes

def make_dtypes() -> None:
    folder = OUT / "dtypes"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = load_file(str(OUT / "timm_avgpool" / "model.safetensors"))
    for dtype, tag in ((torch.float16, "f16"), (torch.bfloat16, "bf16")):
        narrowed = {k: v.to(dtype).contiguous() for k, v in source.items()}
        assert all(torch.equal(narrowed[k].float(), v) for k, v in source.items())
        save_file(narrowed, str(folder / f"timm_avgpool_{tag}.safetensors"), metadata={"format": "pt"})

    f32 = torch.finfo(torch.float32)
    f16 = torch.finfo(torch.float16)
    bf16 = torch.finfo(torch.bfloat16)
    values = [
        0.0, -0.0, 1.0, -1.0, 1.0 / 3.0, -2.5, 65504.0, -65504.0, 65519.0, 65520.0, 1e5,
        f16.tiny, f16.tiny * (1 - 2 ** -10), 2.0 ** -24, -(2.0 ** -24), 2.0 ** -25, 2.0 ** -25 * 1.5, 2.0 ** -26,
        1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11,            # F16 ties: to even (down, then up)
        1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,              # BF16 ties
        bf16.max, f32.max, -f32.max, bf16.tiny, f32.tiny, f32.tiny / 2, 1e-40, -1e-45,
        math.inf, -math.inf, math.nan,
    ]
    source_values = torch.tensor(values, dtype=torch.float32)
    as_f16 = source_values.to(torch.float16)
    as_bf16 = source_values.to(torch.bfloat16)
    save_file({
        "source": source_values,
        "f16": as_f16, "f16_expected": as_f16.float(),
        "bf16": as_bf16, "bf16_expected": as_bf16.float(),
    }, str(folder / "edge_values.safetensors"), metadata={"values": "see Tools/make_checkpoint_fixtures.py"})
    assert f16.max == 65504.0
    print(f"dtypes: {len(values)} edge values")


# ---------------------------------------------------------------------------------------------
# Checking a folder vitrel wrote

def check_vitrel_folder(folder: Path, source: Path) -> None:
    config = json.loads((folder / "config.json").read_text())
    x = torch.from_numpy(np.load(source / "input.npy"))
    expected = torch.from_numpy(np.load(source / "logits.npy"))
    print(f"{folder}: architecture {config['architecture']}, model_args {config.get('model_args')}")
    # Both ways a timm user opens a folder: by hand, and through timm's own hub-config parser.
    by_hand = timm_model_from_folder(folder)
    by_timm = timm.create_model(f"local-dir:{folder.resolve()}", pretrained=True).eval()
    worst = 0.0
    for how, model in (("create_model + load_state_dict", by_hand), ("create_model('local-dir:...')", by_timm)):
        difference = (logits_of(model, x) - expected).abs().max().item()
        worst = max(worst, difference)
        print(f"{folder}: {how}: logits differ from {source}/logits.npy by at most {difference:.3e}")
    print(f"{folder}: timm data config {timm.data.resolve_data_config({}, model=by_timm)}")
    if worst > 1e-4:
        sys.exit(f"FAIL: {folder} does not reproduce {source}")
    print("OK")


def write_readme() -> None:
    sizes = {p.relative_to(OUT).as_posix(): p.stat().st_size
             for p in sorted(OUT.rglob("*")) if p.is_file() and p.name != "README.md"}
    lines = ["# Checkpoint fixtures", "", "Written by `Tools/make_checkpoint_fixtures.py` (its doc string says",
             "what each folder holds and how to regenerate them). Do not edit by hand.", "",
             "| file | bytes |", "|---|---|"]
    lines += [f"| {name} | {size} |" for name, size in sizes.items()]
    lines += ["", f"Total: {sum(sizes.values())} bytes."]
    (OUT / "README.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-vitrel-folder", type=Path, metavar="DIR",
                        help="a timm folder written by vitrel, checked in timm instead of regenerating")
    parser.add_argument("--source", type=Path, metavar="FIXTURE_DIR",
                        help="the fixture folder DIR was converted from (its input.npy and logits.npy)")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    if args.check_vitrel_folder is not None:
        if args.source is None:
            parser.error("--check-vitrel-folder needs --source FIXTURE_DIR")
        check_vitrel_folder(args.check_vitrel_folder, args.source)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    common = dict(patch_size=8, depth=2, num_classes=3)
    make_timm(0, "timm_token", dict(common, img_size=32, embed_dim=24, num_heads=3))
    make_timm(1, "timm_nonsquare", dict(common, img_size=(32, 48), embed_dim=16, num_heads=2))
    make_timm(2, "timm_avgpool", dict(common, img_size=32, embed_dim=16, num_heads=4, mlp_ratio=3.0, global_pool="avg"),
              halves_exact=True)
    make_timm(3, "timm_posresize", dict(common, img_size=32, embed_dim=16, num_heads=2, dynamic_img_size=True),
              input_size=(48, 48))
    make_hf(4)
    make_dtypes()
    write_readme()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
