#!/usr/bin/env python3
"""Writes the imaging test fixtures: Tests/VitRelTests/Fixtures/imaging/.

Regenerate from the repository root (CI never runs this; the outputs are committed):

    python3 Tools/make_imaging_fixtures.py

Made with Python 3.11, Pillow 13.0.0 (its bundled libjpeg-turbo 3.2.0), numpy 2.4.6,
torch 2.15.0, torchvision 0.29.2, timm 1.0.31, transformers 5.23.0. Everything is derived from
a seeded numpy pattern (seed 20240611) except the X-ray references, which read the real samples
in ../shared/data/covid-qu-ex-samples (those images are never copied here: only SHA-256 digests
of their decoded pixels and small preprocessing outputs are stored).

Contents (all arrays are .npy, version 1.0, C order):
  manifest.json        what each file is, the references and tolerances the Swift tests use
  png/*.png, jpeg/*.jpg  every PNG variant vitrel decodes (8/16-bit gray, gray+alpha, RGB, RGBA,
                       palette, palette+tRNS, 1/2/4-bit gray, Adam7-interlaced) and gray/RGB
                       JPEGs; each with <name>.npy = the decoded samples, [H, W] or [H, W, C]
                       (uint8, or uint16 for 16-bit files). References come from Pillow
                       where Pillow keeps the samples (8-bit files) and from the numpy source
                       array for 16-bit colour files (Pillow reduces those to 8 bits).
  png/bad_*.png, jpeg/bad_*.jpg  inputs vitrel must refuse (listed under "badInputs")
  conversions/*.npy    Pillow convert("L") of the RGB and RGBA fixtures (uint8)
  resize/*.npy         Pillow Image.resize on a mode "F" image (no rounding) for nearest,
                       bilinear and bicubic, down- and up-scaling, non-square (float32 [H, W])
  interpolate/*.npy    torch F.interpolate(mode=bicubic|bilinear, antialias=True,
                       align_corners=False) in float64, [C, H, W] → [C, h, w]
  preprocess/*.npy     timm / Hugging Face eval transforms before normalisation, as uint8
                       (tensor × 255, exact since PIL works in uint8): [H, W] for X-rays
                       (their three channels are equal), [3, H, W] for the RGB fixture
  npy/*.npy            arrays of every dtype vitrel's NPY reader/writer supports, written by
                       numpy (the Swift test re-encodes the C-order ones and expects identical
                       bytes, so numpy reads what vitrel writes), plus one Fortran-order file
"""

import hashlib
import json
import math
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/VitRelTests/Fixtures/imaging"
SAMPLES = ROOT.parent / "shared/data/covid-qu-ex-samples"
SEED = 20240611
HEIGHT, WIDTH = 24, 32


def save_npy(relative, array):
    path = OUT / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array, allow_pickle=False)
    return relative


# --------------------------------------------------------------------------------------------
# A minimal PNG writer for what Pillow cannot write: 16-bit colour, 2/4-bit gray, interlacing.


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bytes(samples, bit_depth, color_type, interlaced=False):
    """samples: uint8/uint16 array [H, W] or [H, W, C] of code values (not yet packed)."""
    samples = np.asarray(samples)
    height, width = samples.shape[:2]
    channels = 1 if samples.ndim == 2 else samples.shape[2]

    def raw_rows(image):
        rows = []
        for row in image.reshape(image.shape[0], -1 if image.ndim == 2 else image.shape[1] * channels):
            if bit_depth == 16:
                data = row.astype(">u2").tobytes()
            elif bit_depth == 8:
                data = row.astype(np.uint8).tobytes()
            else:  # 1/2/4-bit gray: pack most significant bits first, pad the last byte
                per_byte = 8 // bit_depth
                padded = np.zeros(math.ceil(len(row) / per_byte) * per_byte, dtype=np.uint8)
                padded[: len(row)] = row
                packed = np.zeros(len(padded) // per_byte, dtype=np.uint8)
                for k in range(per_byte):
                    packed |= (padded[k::per_byte] << (8 - bit_depth * (k + 1))).astype(np.uint8)
                data = packed.tobytes()
            rows.append(b"\x00" + data)  # filter type 0 (None)
        return b"".join(rows)

    if interlaced:  # Adam7 (PNG spec §8.2): seven reduced images, each filtered row by row
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        raw = b"".join(
            raw_rows(samples[y0::dy, x0::dx]) for x0, y0, dx, dy in passes
            if samples[y0::dy, x0::dx].size > 0)
    else:
        raw = raw_rows(samples)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlaced else 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


# --------------------------------------------------------------------------------------------


def pattern(rng):
    """A seeded [H, W, 4] float pattern in [0, 1]: gradients, a ring, noise, and exact 0/1 corners."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    ring = 0.5 + 0.5 * np.cos(np.hypot(x - WIDTH / 2, y - HEIGHT / 2) / 2.5)
    channels = [x / (WIDTH - 1), y / (HEIGHT - 1), ring, 1 - (x + y) / (WIDTH + HEIGHT - 2)]
    image = np.stack(channels, axis=-1) * 0.8 + 0.2 * rng.random((HEIGHT, WIDTH, 4))
    image = np.clip(image, 0, 1)
    image[0, 0] = 0
    image[-1, -1] = 1
    return image


def write_decode_fixtures(rng, manifest):
    base = pattern(rng)
    as8 = np.round(base * 255).astype(np.uint8)
    # 16-bit samples with busy low bytes, so a decoder that keeps only the high byte fails.
    as16 = np.clip(np.round(base * 65535).astype(np.int64) + rng.integers(-200, 200, base.shape), 0, 65535).astype(np.uint16)
    as16[0, 0] = 0
    as16[-1, -1] = 65535
    entries = []
    (OUT / "png").mkdir(parents=True, exist_ok=True)
    (OUT / "jpeg").mkdir(parents=True, exist_ok=True)

    def add(name, reference, channels, bit_depth, tolerance=0, source=None):
        path = OUT / name
        entries.append({
            "file": name, "reference": save_npy(name.rsplit(".", 1)[0] + ".npy", reference),
            "channels": channels, "bitDepth": bit_depth, "tolerance": tolerance,
            "referenceSource": source or "Pillow", "bytes": path.stat().st_size})

    def pillow_decoded(name, mode=None):
        with Image.open(OUT / name) as image:
            return np.asarray(image.convert(mode) if mode else image)

    # 8-bit, written and decoded by Pillow.
    Image.fromarray(as8[..., 0], "L").save(OUT / "png/gray8.png")
    add("png/gray8.png", pillow_decoded("png/gray8.png"), 1, 8)
    Image.fromarray(as8[..., [0, 3]], "LA").save(OUT / "png/gray_alpha8.png")
    add("png/gray_alpha8.png", pillow_decoded("png/gray_alpha8.png"), 2, 8)
    Image.fromarray(as8[..., :3], "RGB").save(OUT / "png/rgb8.png")
    add("png/rgb8.png", pillow_decoded("png/rgb8.png"), 3, 8)
    Image.fromarray(as8, "RGBA").save(OUT / "png/rgba8.png")
    add("png/rgba8.png", pillow_decoded("png/rgba8.png"), 4, 8)

    # Palette, without and with transparency (tRNS → alpha).
    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    indices = ((as8[..., 0].astype(np.int64) // 16) ^ (as8[..., 1].astype(np.int64) // 64)).astype(np.uint8) % 16
    paletted = Image.fromarray(indices, "P")
    paletted.putpalette(palette.flatten().tolist())
    paletted.save(OUT / "png/palette.png")
    add("png/palette.png", pillow_decoded("png/palette.png", "RGB"), 3, 8)
    alpha = bytes([0, 64, 128, 255, 255, 32] + [255] * 10)
    paletted.save(OUT / "png/palette_trns.png", transparency=alpha)
    add("png/palette_trns.png", pillow_decoded("png/palette_trns.png", "RGBA"), 4, 8)

    # 1-bit gray by Pillow (mode "1"); 2- and 4-bit gray by the writer above.
    Image.fromarray(as8[..., 2] > 127).save(OUT / "png/gray1.png")
    add("png/gray1.png", pillow_decoded("png/gray1.png", "L"), 1, 8)
    for bits in (2, 4):
        codes = (as8[..., 2].astype(np.int64) >> (8 - bits)).astype(np.uint8)
        (OUT / f"png/gray{bits}.png").write_bytes(png_bytes(codes, bits, 0))
        decoded = pillow_decoded(f"png/gray{bits}.png")
        assert np.array_equal(decoded, codes * (255 // (2**bits - 1))), "Pillow scales low-bit gray by replication"
        add(f"png/gray{bits}.png", decoded, 1, 8)

    # 16-bit. Pillow decodes 16-bit gray as I;16 (kept exact); colour it cuts to 8 bits, so
    # the numpy source is the reference there, after checking Pillow sees its high bytes.
    (OUT / "png/gray16.png").write_bytes(png_bytes(as16[..., 0], 16, 0))
    decoded = pillow_decoded("png/gray16.png")
    assert decoded.dtype == np.uint16 and np.array_equal(decoded, as16[..., 0])
    add("png/gray16.png", decoded, 1, 16)
    for name, channel_list, color_type in (("gray_alpha16", [0, 3], 4), ("rgb16", [0, 1, 2], 2), ("rgba16", [0, 1, 2, 3], 6)):
        source = as16[..., channel_list]
        (OUT / f"png/{name}.png").write_bytes(png_bytes(source, 16, color_type))
        high = (source >> 8).astype(np.uint8)
        if name == "gray_alpha16":  # Pillow opens 16-bit LA as RGBA
            high = high[..., [0, 0, 0, 1]]
        assert np.array_equal(pillow_decoded(f"png/{name}.png"), high), name
        add(f"png/{name}.png", source, len(channel_list), 16, source="numpy source (Pillow keeps only the high bytes)")

    # Adam7 interlacing (8-bit RGB) — Pillow reads it; checks libpng's interlace handling.
    (OUT / "png/rgb8_interlaced.png").write_bytes(png_bytes(as8[..., :3], 8, 2, interlaced=True))
    decoded = pillow_decoded("png/rgb8_interlaced.png")
    assert np.array_equal(decoded, as8[..., :3])
    add("png/rgb8_interlaced.png", decoded, 3, 8)

    # JPEG: gray, RGB 4:2:0 (Pillow's default), RGB 4:4:4, progressive. ±1 level allowed:
    # Pillow's libjpeg-turbo may differ from the system's.
    Image.fromarray(as8[..., 0], "L").save(OUT / "jpeg/gray.jpg", quality=90)
    add("jpeg/gray.jpg", pillow_decoded("jpeg/gray.jpg"), 1, 8, tolerance=1)
    rgb = Image.fromarray(as8[..., :3], "RGB")
    rgb.save(OUT / "jpeg/rgb420.jpg", quality=90)
    add("jpeg/rgb420.jpg", pillow_decoded("jpeg/rgb420.jpg"), 3, 8, tolerance=1)
    rgb.save(OUT / "jpeg/rgb444.jpg", quality=90, subsampling=0)
    add("jpeg/rgb444.jpg", pillow_decoded("jpeg/rgb444.jpg"), 3, 8, tolerance=1)
    rgb.save(OUT / "jpeg/rgb_progressive.jpg", quality=85, progressive=True)
    add("jpeg/rgb_progressive.jpg", pillow_decoded("jpeg/rgb_progressive.jpg"), 3, 8, tolerance=1)
    manifest["decode"] = entries

    # Inputs that must be refused, which byte flips and cuts of valid files cannot make.
    raw = b"".join(b"\x00" + row.tobytes() for row in as8[..., 0])
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 0, 0, 0, 0)
    (OUT / "png/bad_short_stream.png").write_bytes(  # chunks and CRCs valid; zlib stream holds half the rows
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw[: len(raw) // 2]))
        + png_chunk(b"IEND", b""))
    Image.fromarray(as8[:8, :8], "CMYK").save(OUT / "jpeg/bad_cmyk.jpg", quality=90)
    manifest["badInputs"] = [
        {"file": "png/bad_short_stream.png", "error": "corrupt", "detail": "Not enough image data",
         "note": "Pillow loads this silently, leaving half the rows undefined"},
        {"file": "jpeg/bad_cmyk.jpg", "error": "unsupportedFormat", "detail": "colour space",
         "note": "a valid CMYK JPEG: vitrel reads gray and YCbCr/RGB only"},
    ]

    # Colour conversions: Pillow's 8-bit ITU-R 601-2 luma.
    manifest["conversions"] = []
    for name in ("png/rgb8.png", "png/rgba8.png", "png/gray_alpha8.png"):
        stem = Path(name).stem
        manifest["conversions"].append({
            "file": name, "mode": "L", "reference": save_npy(f"conversions/{stem}_L.npy", pillow_decoded(name, "L"))})


def write_resize_fixtures(rng, manifest):
    """Pillow on mode "F" (float32) images: the resampler without 8-bit rounding."""
    source = (rng.standard_normal((17, 23)) * 0.5 + 0.5).astype(np.float32)
    source[5, 7] = 4.0  # a spike shows each kernel's shape and support
    entries = {"input": save_npy("resize/input_23x17.npy", source), "outputs": []}
    image = Image.fromarray(source, "F")
    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}
    for width, height in ((9, 7), (40, 31), (11, 29), (3, 2), (23, 17), (46, 5)):
        for name, code in filters.items():
            out = np.asarray(image.resize((width, height), code), dtype=np.float32)
            entries["outputs"].append({
                "filter": name, "width": width, "height": height,
                "reference": save_npy(f"resize/pil_{name}_{width}x{height}.npy", out)})
    manifest["pillowFloatResize"] = entries


def write_interpolate_fixtures(rng, manifest):
    """torch's antialiased bicubic/bilinear (the kernels timm uses to resample pos_embed)."""
    entries = []
    cases = [((3, 4, 5), (7, 6), "bicubic"), ((3, 4, 5), (2, 3), "bicubic"), ((3, 4, 5), (2, 3), "bilinear"),
             ((4, 14, 14), (8, 8), "bicubic"), ((4, 14, 14), (20, 20), "bicubic"), ((2, 9, 6), (4, 11), "bicubic")]
    for shape, size, mode in cases:
        grid = rng.standard_normal(shape)
        out = F.interpolate(torch.from_numpy(grid)[None], size=size, mode=mode, antialias=True, align_corners=False)[0]
        tag = f"{mode}_{'x'.join(map(str, shape))}_to_{size[0]}x{size[1]}"
        entries.append({
            "mode": mode, "height": size[0], "width": size[1],
            "input": save_npy(f"interpolate/{tag}_input.npy", grid),
            "reference": save_npy(f"interpolate/{tag}.npy", out.numpy())})
    manifest["torchInterpolate"] = entries


def to_uint8(tensor):
    scaled = tensor.numpy() * 255
    codes = np.round(scaled)
    assert np.abs(scaled - codes).max() < 1e-3, "a PIL pipeline yields whole codes / 255"
    return codes.astype(np.uint8)


def write_preprocess_fixtures(manifest):
    import timm.data
    from transformers import ViTImageProcessor

    entries = []

    def timm_eval(size, crop_pct, interpolation, crop_mode=None):
        return timm.data.transforms_factory.transforms_imagenet_eval(
            img_size=size, crop_pct=crop_pct, crop_mode=crop_mode, interpolation=interpolation,
            mean=(0, 0, 0), std=(1, 1, 1))

    def add(source, relative_source, config, tensor, tag, note):
        codes = to_uint8(tensor)
        if relative_source.startswith("xray:"):
            assert (codes[0] == codes[1]).all() and (codes[0] == codes[2]).all()
            codes = codes[0]
        entries.append({"source": relative_source, "config": config, "note": note,
                        "reference": save_npy(f"preprocess/{tag}.npy", codes)})

    rgb_fixture = Image.open(OUT / "png/rgb8.png").convert("RGB")
    cases = [
        # square input: shorter side → floor(16 / 0.875) = 18, long side int(18·32/24) = 24, crop 16
        ("png/rgb8.png", dict(inputHeight=16, inputWidth=16, interpolation="bicubic", resizeMode="resizeThenCenterCrop", cropPercent=0.875), "rgb8_timm16_bicubic"),
        # floor(15 / 0.9) = 16 → 16×21, crop 15: left = round(3.0), top = round(0.5) = 0 (half to even)
        ("png/rgb8.png", dict(inputHeight=15, inputWidth=15, interpolation="bilinear", resizeMode="resizeThenCenterCrop", cropPercent=0.9), "rgb8_timm15_bilinear"),
        # crop_pct > 1: resize to 13×17, then CenterCrop pads the height with zeros
        ("png/rgb8.png", dict(inputHeight=16, inputWidth=16, interpolation="bicubic", resizeMode="resizeThenCenterCrop", cropPercent=1.2), "rgb8_timm16_crop1.2_padded"),
    ]
    for relative, config, tag in cases:
        transform = timm_eval(config["inputHeight"], config["cropPercent"], config["interpolation"])
        add(rgb_fixture, relative, config, transform(rgb_fixture), tag, "timm transforms_imagenet_eval")

    if True:
        xray = lambda rel: Image.open(SAMPLES / rel).convert("RGB")
        first = "Infection Segmentation Data/Test/COVID-19/images/covid_1579.png"
        config = dict(inputHeight=224, inputWidth=224, interpolation="bicubic", resizeMode="resizeThenCenterCrop", cropPercent=0.875)
        add(None, "xray:" + first, config, timm_eval(224, 0.875, "bicubic")(xray(first)), "covid_1579_timm224_bicubic",
            "timm transforms_imagenet_eval, 256 → 256 (no resize) → crop 224")
        second = "Infection Segmentation Data/Test/Non-COVID/images/non_COVID (11906).png"
        config = dict(inputHeight=96, inputWidth=80, interpolation="bilinear", resizeMode="exact", cropPercent=1.0)
        processor = ViTImageProcessor(do_resize=True, size={"height": 96, "width": 80}, resample=Image.Resampling.BILINEAR,
                                      do_rescale=True, do_normalize=False)
        values = processor(xray(second), return_tensors="pt")["pixel_values"][0]
        add(None, "xray:" + second, config, values, "non_covid_11906_hf96x80_bilinear", "transformers ViTImageProcessor (PIL resize)")
        third = "Infection Segmentation Data/Test/Normal/images/Normal (10).png"
        config = dict(inputHeight=48, inputWidth=64, interpolation="nearest", resizeMode="resizeThenCenterCrop", cropPercent=0.9)
        add(None, "xray:" + third, config, timm_eval((48, 64), 0.9, "nearest", crop_mode="squash")(xray(third)),
            "normal_10_timm48x64_nearest", "timm transforms_imagenet_eval crop_mode=squash: resize to (53, 71), crop (48, 64)")
        fourth = "Infection Segmentation Data/Test/COVID-19/images/covid_1582.png"
        config = dict(inputHeight=112, inputWidth=112, interpolation="bicubic", resizeMode="resizeThenCenterCrop", cropPercent=0.9)
        add(None, "xray:" + fourth, config, timm_eval(112, 0.9, "bicubic")(xray(fourth)), "covid_1582_timm112_bicubic",
            "timm transforms_imagenet_eval, 256 → 124 (antialiased downscale) → crop 112")
    manifest["preprocess"] = entries


def write_xray_digests(manifest):
    digests = []
    for path in sorted(SAMPLES.glob("*/*/*/images/*.png")):
        with Image.open(path) as image:
            pixels = np.asarray(image)
            digests.append({"file": str(path.relative_to(SAMPLES)), "width": image.width, "height": image.height,
                            "mode": image.mode, "sha256": hashlib.sha256(pixels.astype(np.uint8).tobytes()).hexdigest()})
    assert len(digests) == 12, len(digests)
    manifest["xrays"] = {"root": "../shared/data/covid-qu-ex-samples",
                         "digest": "SHA-256 of the decoded uint8 samples, row-major (numpy tobytes of Pillow's array)",
                         "files": digests}


def write_npy_fixtures(manifest):
    arrays = {
        "f4_2x3": (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1),
        "f8_4": np.array([0.1, -2.5, 1e300, -0.0]),
        "u1_2x2x2": np.arange(8, dtype=np.uint8).reshape(2, 2, 2) * 31,
        "u2_3": np.array([0, 1234, 65535], dtype=np.uint16),
        "i4_2x2": np.array([[-1, 2], [2147483647, -2147483648]], dtype=np.int32),
        "i8_5": np.array([-(2**62), -1, 0, 1, 2**62], dtype=np.int64),
        "f8_scalar": np.array(3.25),
        "f4_empty_0x3": np.zeros((0, 3), dtype=np.float32),
        "f4_1x1x1x1x1x2": np.array([1.5, -1.5], dtype=np.float32).reshape(1, 1, 1, 1, 1, 2),
    }
    manifest["npy"] = [{"file": save_npy(f"npy/{name}.npy", array), "dtype": array.dtype.str,
                        "shape": list(array.shape), "values": array.flatten().tolist(), "fortranOrder": False}
                       for name, array in arrays.items()]
    # Fortran order: numpy writes the column-major bytes; readers must reorder to C order.
    fortran = np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) + 0.25)
    manifest["npy"].append({"file": save_npy("npy/f8_2x3_fortran.npy", fortran), "dtype": "<f8", "shape": [2, 3],
                            "values": fortran.flatten(order="C").tolist(), "fortranOrder": True})


def main():
    assert SAMPLES.exists(), f"{SAMPLES} is needed for the X-ray references"
    rng = np.random.default_rng(SEED)
    manifest = {
        "generator": "Tools/make_imaging_fixtures.py",
        "versions": {"Pillow": PIL.__version__, "numpy": np.__version__, "torch": torch.__version__.split("+")[0]},
    }
    write_decode_fixtures(rng, manifest)
    write_resize_fixtures(rng, manifest)
    write_interpolate_fixtures(rng, manifest)
    write_preprocess_fixtures(manifest)
    write_npy_fixtures(manifest)
    write_xray_digests(manifest)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files, {total} bytes, to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
