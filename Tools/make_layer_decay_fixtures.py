#!/usr/bin/env python3
"""Writes Tests/VitRelTests/Fixtures/training/layer_decay.json: the learning-rate scale timm's
`param_groups_layer_decay` (BEiT-style layer-wise learning-rate decay, as `timm`'s
`create_optimizer_v2(..., layer_decay=...)` uses it) gives every parameter of three small ViTs:
a DINOv2 with registers and LayerScale, a distilled DeiT, and an average-pooled ViT with fc_norm.

    python3 Tools/make_layer_decay_fixtures.py

Needs torch and timm (checked with timm 1.0.x). Weights are irrelevant: only names and the group
each parameter falls into are recorded.
"""
import json
import os

import timm
from timm.optim._param_groups import param_groups_layer_decay

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "VitRelTests", "Fixtures", "training", "layer_decay.json")
DECAY = 0.7

MODELS = [
    ("vit_small_patch14_reg4_dinov2", dict(img_size=28, depth=3, embed_dim=32, num_heads=2)),
    ("deit_tiny_distilled_patch16_224", dict(img_size=32, depth=2)),
    ("vit_tiny_patch16_224", dict(img_size=32, depth=2, global_pool="avg", fc_norm=True)),
]


def main():
    cases = []
    for architecture, arguments in MODELS:
        model = timm.create_model(architecture, pretrained=False, num_classes=3, **arguments)
        scale_of = {}
        for group in param_groups_layer_decay(model, layer_decay=DECAY, weight_decay=0.05):
            for parameter in group["params"]:
                scale_of[id(parameter)] = group["lr_scale"]
        cases.append({
            "architecture": architecture, "depth": arguments["depth"],
            "names": [name for name, _ in model.named_parameters()],
            "scales": [scale_of[id(p)] for _, p in model.named_parameters()],
        })
    with open(OUT, "w") as f:
        json.dump({"layer_decay": DECAY, "timm": timm.__version__, "models": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
