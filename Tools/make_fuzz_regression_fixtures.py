#!/usr/bin/env python3
"""Writes Tests/VitRelTests/Fixtures/fuzz/issue13-*/case.json and hand-*/case.json: the inputs
issue 13 and its fixes found by hand, in the fuzzer's case format (a command line with placeholders and files given as edits
of a seed), so FuzzRegressionTests replays them beside what `make fuzz` finds.
Cases the fuzzer finds are written by vitrel-fuzz itself (Sources/VitRelFuzzing)."""
import base64, io, json, os, struct

import numpy as np
from PIL import Image

F = 'Tests/VitRelTests/Fixtures'
base = open(f'{F}/checkpoints/timm_token/config.json', 'rb').read()


def config_edit(mod):
    config = json.loads(base)
    mod(config)
    new = json.dumps(config, sort_keys=True).encode()
    return {"model/config.json": {"seed": "fixture:checkpoints/timm_token/config.json",
                                  "edits": [{"at": 0, "remove": len(base), "insert": base64.b64encode(new).decode()}]}}


def pretrained(key, value):
    def mod(config):
        config["pretrained_cfg"][key] = value
    return mod


weights = open(f'{F}/checkpoints/timm_token/model.safetensors', 'rb').read()
header_length = struct.unpack('<Q', weights[:8])[0]
buffer = io.BytesIO()
Image.fromarray(np.full((1, 1000000), 128, np.uint8)).save(buffer, format='PNG')
strip = buffer.getvalue()

cases = {
    "issue13-01-duplicate-class-names": dict(
        arguments=["predict", "--model", "{model}", "--image", "{image}"],
        files=config_edit(lambda c: c.__setitem__("label_names", ["", "", ""])),
        finding="issue 13 item 1: trap \"Duplicate values for key\""),
    "issue13-02-tiny-crop-pct": dict(
        arguments=["predict", "--model", "{model}", "--image", "{image}"],
        files=config_edit(pretrained("crop_pct", 1e-9)), finding="issue 13 item 2: abort on a terabyte allocation"),
    "issue13-03-lime-samples-overflow": dict(
        arguments=["explain", "--model", "{model}", "--image", "{image}", "--method", "lime", "--samples",
                   "9223372036854775807", "--out", "{out}"],
        files={}, finding="issue 13 item 3: arithmetic-overflow trap"),
    "issue13-04-synth-size": dict(arguments=["synth", "--out", "{out}", "--size", "100000000"], files={},
                                  finding="issue 13 item 4: abort"),
    "issue13-05-strip-png": dict(
        arguments=["predict", "--model", "{model}", "--image", "{image}"],
        files={"image.png": {"seed": "empty", "edits": [{"at": 0, "remove": 0, "insert": base64.b64encode(strip).decode()}]}},
        finding="issue 13 item 5: 65 GB allocation abort"),
    "issue13-06-nan-weight": dict(
        arguments=["predict", "--model", "{model}", "--image", "{image}", "--json"],
        files={"model/model.safetensors": {"seed": "fixture:checkpoints/timm_token/model.safetensors", "edits": [
            {"at": 8 + header_length, "remove": 4, "insert": base64.b64encode(struct.pack('<f', float('nan'))).decode()}]}},
        finding="issue 13 item 6: nan probabilities with exit 0"),
    "issue13-07-tiny-std": dict(
        arguments=["predict", "--model", "{model}", "--image", "{image}"],
        files=config_edit(pretrained("std", [1e-45, 1e-45, 1e-45])), finding="issue 13 item 7: NaN with exit 0"),
    "issue13-10-batch-overflow": dict(
        arguments=["evaluate", "--model", "{model}", "--data", "{data}", "--split", "val", "--batch", "9223372036854775807"],
        files={}, finding="found while streaming evaluate: start + batch overflowed (trap)"),
    "hand-region-size-overflow": dict(
        arguments=["compare", "--model", "{model}", "--data", "{data}", "--split", "val", "--methods", "attention-rollout",
                   "--metrics", "region-perturbation", "--region-size", "9223372036854775807", "--grids", "0", "--out", "{out}"],
        files={}, finding="found by hand with the fuzzer's values: counting regions overflowed (trap)"),
    "hand-evaluate-negative-limit": dict(
        arguments=["evaluate", "--model", "{model}", "--data", "{data}", "--split", "val", "--limit=-1"],
        files={}, finding="found by hand: Array.prefix(-1) trapped"),
}
for name, case in cases.items():
    os.makedirs(f'{F}/fuzz/{name}', exist_ok=True)
    with open(f'{F}/fuzz/{name}/case.json', 'w') as out:
        json.dump(case, out, indent=2, sort_keys=True)
