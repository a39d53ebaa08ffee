#!/usr/bin/env python3
"""Writes Tests/VitRelTests/Fixtures/clip_names/names.json: for every CLIP image tower timm
registers as a VisionTransformer (`timm.list_models("vit_*clip*")`), the architecture its
factory builds — input size, patch, width, depth, heads, MLP width, `norm_pre`, LayerNorm ε,
activation and patch-embedding bias — read from the built module, not from its name.

    python3 Tools/make_clip_name_fixtures.py

Needs torch and timm (checked with timm 1.0.31). The models are built on the meta device, so
even the 1.8 B-parameter gigantic tower costs no memory.
"""
import json
import pathlib

import timm
import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "VitRelTests" / "Fixtures" / "clip_names" / "names.json"


def describe(name):
    with torch.device("meta"):
        model = timm.create_model(name, pretrained=False)
    block = model.blocks[0]
    activation = type(block.mlp.act).__name__
    return {
        "name": name,
        "imageSize": list(model.patch_embed.img_size),
        "patchSize": model.patch_embed.patch_size[0],
        "width": model.embed_dim,
        "depth": len(model.blocks),
        "heads": block.attn.num_heads,
        "mlpWidth": block.mlp.fc1.out_features,
        "preNorm": not isinstance(model.norm_pre, torch.nn.Identity),
        "epsilon": block.norm1.eps,
        "activation": {"GELU": "gelu", "QuickGELU": "quickGELU"}[activation],
        "patchBias": model.patch_embed.proj.bias is not None,
        "qkNorm": not isinstance(block.attn.q_norm, torch.nn.Identity),
    }


def main():
    names = timm.list_models("vit_*clip*")
    OUT.write_text(json.dumps({"timm": timm.__version__, "models": [describe(n) for n in names]}, indent=1) + "\n")
    print(f"wrote {len(names)} architectures to {OUT}")


if __name__ == "__main__":
    main()
