"""Which safetensors headers the reference library accepts: vitrel must agree on each.

Regenerate: pip install safetensors numpy && python3 Tools/make_safetensors_strictness_fixtures.py
Writes Tests/VitRelTests/Fixtures/checkpoints/header_strictness.json: for each header (two
float32 values of data follow it), whether `safetensors.numpy.load` (the Rust crate through
its Python binding, serde_json underneath) accepts it. The cases are the ones Foundation's
JSON decoder is laxer about: duplicate keys, whole numbers written as floats, trailing commas,
plus controls that must keep loading (escaped keys, whitespace padding, metadata).
"""
import json
import pathlib
import struct

import safetensors
import safetensors.numpy

DATA = struct.pack("<2f", 1.0, 2.0)
ENTRY = '{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'
CASES = {
    "plain": '{"a":' + ENTRY + '}',
    "padded with spaces": '{"a":' + ENTRY + '}    ',
    "escaped key": '{"\\u0061b":' + ENTRY + '}',
    "metadata": '{"__metadata__":{"format":"pt"},"a":' + ENTRY + '}',
    "duplicate tensor key": '{"a":' + ENTRY + ',"a":' + ENTRY + '}',
    "duplicate field in an entry": '{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
    "offset written as a float": '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}}',
    "shape written with an exponent": '{"a":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}}',
    "negative zero offset": '{"a":{"dtype":"F32","shape":[2],"data_offsets":[-0,8]}}',
    "trailing comma in the object": '{"a":' + ENTRY + ',}',
    "trailing comma in an array": '{"a":{"dtype":"F32","shape":[2,],"data_offsets":[0,8]}}',
    "trailing comma in an entry": '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],}}',
    "leading zero": '{"a":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}}',
    "single quotes": "{'a':" + ENTRY + "}",
    "text after the object": '{"a":' + ENTRY + '}x',
}


def accepted(header: str) -> bool:
    raw = header.encode()
    try:
        safetensors.numpy.load(struct.pack("<Q", len(raw)) + raw + DATA)
        return True
    except Exception:
        return False


def main():
    cases = [dict(name=name, header=header, accepted=accepted(header)) for name, header in CASES.items()]
    for case in cases:
        print(f"{'accepts' if case['accepted'] else 'rejects'}  {case['name']}")
    out = pathlib.Path(__file__).resolve().parent.parent / "Tests/VitRelTests/Fixtures/checkpoints/header_strictness.json"
    out.write_text(json.dumps(dict(safetensors=safetensors.__version__, cases=cases), indent=1) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
