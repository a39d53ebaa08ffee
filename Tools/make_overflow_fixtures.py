#!/usr/bin/env python3
"""Overflow fixtures: one huge but finite weight, where Float32 arithmetic may overflow.

Issue 13 item 6 found that a single finite weight of 3e38 in a ViT gives NaN logits in timm
(Float32) and finite ones in vitrel. Which is right? The model's function is finite there (a
LayerNorm of a vector with one huge entry is well defined), so the reference is the same timm
model run in Float64, where nothing overflows. This script records, for the fixture model
`checkpoints/timm_token` with one weight set to 3e38:

    Tests/VitRelTests/Fixtures/overflow/cases.json
      [{"tensor": name, "index": flat index, "value": 3e38,
        "logits_float64": [[...], [...]],      # timm in Float64 on timm_token/input.npy
        "timm_float32_finite": bool}]           # whether timm's own Float32 logits are finite

vitrel's test (`ModelOverflowTests`) holds vitrel's Float32 logits to the Float64 ones, or,
where vitrel cannot represent the result, expects its one-line non-finite error: never a
plausible-looking wrong answer.

Regenerate (from the repository root; deterministic):

    python3 Tools/make_overflow_fixtures.py

Made with torch 2.15.0, timm 1.0.31, safetensors 0.8.0, numpy 2.4.6.
"""
import json
import os

import numpy as np
import timm
import torch
from safetensors.torch import load_file

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "VitRelTests", "Fixtures")
SOURCE = os.path.join(ROOT, "checkpoints", "timm_token")
CASES = [("patch_embed.proj.weight", 5), ("head.weight", 5), ("blocks.0.mlp.fc1.weight", 5), ("pos_embed", 40)]


def main():
    config = json.load(open(os.path.join(SOURCE, "config.json")))
    x = torch.from_numpy(np.load(os.path.join(SOURCE, "input.npy")))
    out = []
    for name, index in CASES:
        state = load_file(os.path.join(SOURCE, "model.safetensors"))
        state[name] = state[name].clone()
        state[name].view(-1)[index] = 3e38
        model = timm.create_model(config["architecture"], pretrained=False, **config["model_args"]).eval()
        model.load_state_dict(state, strict=True)
        with torch.no_grad():
            f32 = model(x)
            f64 = model.double()(x.double())
        out.append({"tensor": name, "index": index, "value": 3e38,
                    "logits_float64": f64.tolist(), "timm_float32_finite": bool(torch.isfinite(f32).all())})
        print(name, "float64", f64.tolist(), "timm float32 finite:", bool(torch.isfinite(f32).all()))
    os.makedirs(os.path.join(ROOT, "overflow"), exist_ok=True)
    with open(os.path.join(ROOT, "overflow", "cases.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
