#!/usr/bin/env python3
"""Writes the DICOM test fixtures: Tests/VitRelTests/Fixtures/dicom/.

Regenerate from the repository root (CI never runs this; the outputs are committed):

    pip install pydicom numpy pillow pyjpegls
    python3 Tools/make_dicom_fixtures.py

Made with Python 3.11, pydicom 3.0.2, numpy 2.4.6, Pillow 13.0.0, pyjpegls 1.5.1. Every pixel comes from a
seeded numpy pattern (seed 20240915): a vertical ramp, a bright "rib" band and noise, so that
windows clip at both ends and bone is bright in the displayed image.

The expected displayed image of each image fixture is what pydicom computes:
apply_modality_lut (Rescale Slope/Intercept), then apply_voi_lut (the VOI LUT Sequence when
present, else the first Window Center/Width, PS3.3 C.11.2.1.2's linear formula), scaled to
0…1 over the output range (the window's [y_min, y_max], the LUT's 0…2^bits − 1); where the
file has neither, a min–max window: (v − min) / (max − min) over the modality values. Then
MONOCHROME1 is inverted (1 − v) so that bone is bright, as in MONOCHROME2.

Contents:
  manifest.json    each fixture: file, reference, what it exercises; the refused files and
                   the words their error must contain; the --window override cases
  *.dcm            the fixtures (24 × 20 pixels, a few KB each); mono2_12bit_window_bare.dcm is
                   mono2_12bit_window.dcm without preamble and meta header (same reference)
  *.npy            expected displayed images, float32 [20, 24] in 0…1
"""

import json
import pathlib

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.pixels import apply_modality_lut, apply_voi_lut
from pydicom.uid import (
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLSLossless,
    RLELossless,
    generate_uid,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "VitRelTests" / "Fixtures" / "dicom"
WIDTH, HEIGHT = 24, 20
SEED = 20240915
DX_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"   # Digital X-Ray Image Storage, for presentation
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
UID_ROOT = "1.2.826.0.1.3680043.8.498."             # pydicom's root; fixed UIDs keep the files stable


def pattern(rng, low, high):
    """A radiograph-like field in [low, high]: ramp + bright band ("rib") + noise."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    field = 0.15 + 0.5 * y / (HEIGHT - 1) + 0.1 * x / (WIDTH - 1)
    field += 0.45 * (np.abs(y - 0.4 * x - 6) < 2.5)
    field += rng.normal(0, 0.05, size=field.shape)
    field = (field - field.min()) / (field.max() - field.min())
    return np.round(low + field * (high - low))


def base_dataset(name, photometric, bits_allocated, bits_stored, signed=False, syntax=ExplicitVRLittleEndian,
                 sop_class=DX_IMAGE_STORAGE):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid(UID_ROOT, entropy_srcs=[name])
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid(UID_ROOT, entropy_srcs=["study"])
    ds.SeriesInstanceUID = generate_uid(UID_ROOT, entropy_srcs=["series", name])
    ds.Modality = "DX"
    ds.PatientName = "Phantom^Chest"
    ds.PatientID = "VITREL-" + name
    if photometric is not None:
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = photometric
        ds.Rows = HEIGHT
        ds.Columns = WIDTH
        ds.BitsAllocated = bits_allocated
        ds.BitsStored = bits_stored
        ds.HighBit = bits_stored - 1
        ds.PixelRepresentation = 1 if signed else 0
    return ds


def set_pixels(ds, stored):
    dtype = {(8, False): np.uint8, (16, False): np.uint16, (16, True): np.int16}[(ds.BitsAllocated, ds.PixelRepresentation == 1)]
    ds.PixelData = stored.astype(dtype).tobytes()


def displayed(ds):
    """pydicom's displayed image in 0…1, bone bright."""
    stored = ds.pixel_array
    modality = apply_modality_lut(stored, ds)  # integers when there is no rescale: the LUT indexes with them
    has_lut = bool(ds.get("VOILUTSequence"))
    has_window = "WindowCenter" in ds and "WindowWidth" in ds
    voi = apply_voi_lut(modality, ds, index=0).astype(np.float64)
    if has_lut:
        bits = int(ds.VOILUTSequence[0].LUTDescriptor[2])
        low, high = 0.0, 2.0 ** bits - 1
    elif has_window:
        low, high = window_output_range(ds)
    else:
        low, high = float(modality.min()), float(modality.max())
    shown = (voi - low) / (high - low)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        shown = 1 - shown
    return shown.astype(np.float32)


def window_output_range(ds):
    """[y_min, y_max] of pydicom's apply_windowing for this dataset (it scales to these)."""
    bits = int(ds.BitsStored)
    low, high = (0, 2 ** bits - 1) if ds.PixelRepresentation == 0 else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if "RescaleSlope" in ds and "RescaleIntercept" in ds:
        low = low * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        high = high * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return float(low), float(high)


def voi_kind(ds):
    """Which VOI the reference applied: "lut", "window" or "minmax"."""
    if ds.get("VOILUTSequence"):
        return "lut"
    return "window" if "WindowCenter" in ds and "WindowWidth" in ds else "minmax"


def first_width(ds):
    """The width of the window the reference applied, or None."""
    if voi_kind(ds) != "window":
        return None
    element = ds["WindowWidth"]
    return float(element.value[0] if element.VM > 1 else element.value)


def fractional_modality(ds):
    """True when Rescale Slope/Intercept make modality values that are not whole numbers."""
    slope, intercept = float(ds.get("RescaleSlope", 1)), float(ds.get("RescaleIntercept", 0))
    return slope != round(slope) or intercept != round(intercept)


def with_window(ds, center, width):
    """A copy of `ds` whose only VOI is the given window: what `--window C,W` asks for."""
    copy = pydicom.dcmread(OUT / ds.vitrel_file)
    for keyword in ("VOILUTSequence", "WindowCenter", "WindowWidth", "WindowCenterWidthExplanation"):
        if keyword in copy:
            delattr(copy, keyword)
    copy.WindowCenter = center
    copy.WindowWidth = width
    return copy


def write(ds, name, manifest, note):
    path = OUT / name
    ds.save_as(path, enforce_file_format=True)
    reread = pydicom.dcmread(path)
    reference = name.replace(".dcm", ".npy")
    np.save(OUT / reference, displayed(reread))
    manifest["images"].append({"file": name, "reference": reference, "photometric": str(reread.PhotometricInterpretation),
                               "bitsStored": int(reread.BitsStored), "voi": voi_kind(reread), "windowWidth": first_width(reread),
                               "fractionalModality": fractional_modality(reread), "note": note})
    reread.vitrel_file = name
    return reread


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    rng = np.random.default_rng(SEED)
    manifest = {"generator": "Tools/make_dicom_fixtures.py", "pydicom": pydicom.__version__,
                "images": [], "refused": [], "windowOverrides": []}

    # MONOCHROME2, 12 bits in 16, two windows: the first is the one applied.
    ds = base_dataset("mono2_12", "MONOCHROME2", 16, 12)
    set_pixels(ds, pattern(rng, 0, 4095))
    ds.WindowCenter = [2100, 1000]
    ds.WindowWidth = [2800, 400]
    mono2_12 = write(ds, "mono2_12bit_window.dcm", manifest, "12-bit MONOCHROME2, two windows (the first applies)")

    # The same dataset without preamble or meta header (implicit VR little endian), as old
    # archives hold it: no "DICM" magic, so only its .dcm name marks it.
    bare = DicomBytesIO()
    bare.is_little_endian, bare.is_implicit_VR = True, True
    write_dataset(bare, mono2_12)
    (OUT / "mono2_12bit_window_bare.dcm").write_bytes(bare.getvalue())
    entry = dict(manifest["images"][-1], file="mono2_12bit_window_bare.dcm",
                 note="the first fixture as a bare implicit-VR dataset (no preamble, no meta header)")
    manifest["images"].append(entry)

    # MONOCHROME2, 16 bits, Rescale Slope/Intercept; the window is in rescaled units.
    ds = base_dataset("mono2_16", "MONOCHROME2", 16, 16)
    set_pixels(ds, pattern(rng, 1500, 62000))
    ds.RescaleSlope = "0.5"
    ds.RescaleIntercept = "-1024"
    ds.RescaleType = "US"
    ds.WindowCenter = 14000
    ds.WindowWidth = 26000
    rescaled = write(ds, "mono2_16bit_rescale_window.dcm", manifest, "16-bit MONOCHROME2, slope 0.5, intercept -1024, one window")

    # MONOCHROME1: low stored values are white; the displayed image must have bright bone.
    ds = base_dataset("mono1_12", "MONOCHROME1", 16, 12)
    set_pixels(ds, 4095 - pattern(rng, 200, 3900))
    ds.WindowCenter = 2048
    ds.WindowWidth = 3000
    mono1 = write(ds, "mono1_12bit_window.dcm", manifest, "12-bit MONOCHROME1 with a window (inverted: bone bright)")

    # A VOI LUT Sequence (no window): a 16-bit sigmoid-like LUT over stored values 300…3499.
    ds = base_dataset("voilut", "MONOCHROME2", 16, 12)
    set_pixels(ds, pattern(rng, 0, 4095))
    entries, first = 3200, 300
    t = np.linspace(-4, 4, entries)
    lut = np.round(65535 / (1 + np.exp(-t))).astype(np.uint16)
    lut = np.round((lut - lut.min()) / (lut.max() - lut.min()) * 65535).astype(np.uint16)
    item = Dataset()
    item.add_new(0x00283002, "US", [entries, first, 16])  # LUT Descriptor
    item.LUTExplanation = "SIGMOID"
    item.add_new(0x00283006, "US", lut.tolist())  # LUT Data
    ds.VOILUTSequence = [item]
    write(ds, "mono2_12bit_voilut.dcm", manifest, "12-bit MONOCHROME2 with a VOI LUT Sequence (16-bit entries), no window")

    # 8 bits, neither window nor LUT: a min–max window over the pixel data.
    ds = base_dataset("mono2_8", "MONOCHROME2", 8, 8)
    set_pixels(ds, pattern(rng, 30, 200))
    write(ds, "mono2_8bit_minmax.dcm", manifest, "8-bit MONOCHROME2 without window or LUT (min–max)")

    # RLE Lossless, signed 16-bit data with an intercept and a window.
    ds = base_dataset("rle", "MONOCHROME2", 16, 16, signed=True)
    set_pixels(ds, pattern(rng, -20000, 25000))
    ds.RescaleSlope = "1"
    ds.RescaleIntercept = "100"
    ds.WindowCenter = 2000
    ds.WindowWidth = 30000
    ds.compress(RLELossless, encoding_plugin="pydicom", generate_instance_uid=False)  # fixed UIDs: stable bytes
    write(ds, "mono2_16bit_signed_rle.dcm", manifest, "RLE Lossless, signed 16-bit, intercept 100, one window")

    # Baseline JPEG (8-bit, lossy): the reference is pydicom's decoding of the same stream (Pillow).
    ds = base_dataset("jpeg", "MONOCHROME2", 8, 8, syntax=JPEGBaseline8Bit)
    ds.PixelData = encapsulate([jpeg_bytes(pattern(rng, 10, 240).astype(np.uint8))])
    ds["PixelData"].VR = "OB"
    ds.LossyImageCompression = "01"
    ds.WindowCenter = 128
    ds.WindowWidth = 200
    write(ds, "mono2_8bit_jpeg_baseline.dcm", manifest, "JPEG baseline (DCMTK's dcmjpeg decodes it), one window")

    # Refused files.
    ds = base_dataset("multiframe", "MONOCHROME2", 16, 12)
    ds.NumberOfFrames = 2
    frames = np.stack([pattern(rng, 0, 4095), pattern(rng, 0, 4095)])
    ds.PixelData = frames.astype(np.uint16).tobytes()
    ds.save_as(OUT / "multiframe.dcm", enforce_file_format=True)
    manifest["refused"].append({"file": "multiframe.dcm", "contains": "2 frames"})

    ds = base_dataset("sr", None, 0, 0, sop_class=BASIC_TEXT_SR)
    ds.Modality = "SR"
    ds.ValueType = "CONTAINER"
    ds.save_as(OUT / "no_pixel_data.dcm", enforce_file_format=True)
    manifest["refused"].append({"file": "no_pixel_data.dcm", "contains": "no pixel data"})

    data = (OUT / "mono2_12bit_window.dcm").read_bytes()
    (OUT / "truncated.dcm").write_bytes(data[: len(data) - 300])
    manifest["refused"].append({"file": "truncated.dcm", "contains": "truncated"})

    # JPEG 2000 cannot be decoded by DCMTK: the transfer syntax alone must be refused, so the
    # codestream is a stub (the SOC and SIZ markers and nothing else).
    ds = base_dataset("j2k", "MONOCHROME2", 16, 12, syntax=JPEG2000Lossless)
    ds.PixelData = encapsulate([bytes([0xFF, 0x4F, 0xFF, 0x51]) + bytes(40)])
    ds["PixelData"].VR = "OB"
    ds.save_as(OUT / "jpeg2000.dcm", enforce_file_format=True)
    manifest["refused"].append({"file": "jpeg2000.dcm", "contains": "JPEG 2000"})

    ds = base_dataset("rgb", "RGB", 8, 8)
    ds.SamplesPerPixel = 3
    ds.PlanarConfiguration = 0
    rgb = np.stack([pattern(rng, 0, 255)] * 3, axis=-1)
    ds.PixelData = rgb.astype(np.uint8).tobytes()
    ds.save_as(OUT / "rgb.dcm", enforce_file_format=True)
    manifest["refused"].append({"file": "rgb.dcm", "contains": "RGB"})

    # JPEG-LS lossless (DCMTK's dcmjpls decodes it), 12 bits with a window: its own random
    # stream, so adding it left every earlier fixture's bytes as they were.
    ds = base_dataset("jpegls", "MONOCHROME2", 16, 12)
    set_pixels(ds, pattern(np.random.default_rng(SEED + 1), 0, 4095))
    ds.WindowCenter = 1800
    ds.WindowWidth = 2600
    ds.compress(JPEGLSLossless, encoding_plugin="pyjpegls", generate_instance_uid=False)
    write(ds, "mono2_12bit_jpegls.dcm", manifest, "JPEG-LS lossless (DCMTK's dcmjpls decodes it), 12-bit, one window")

    # --window C,W overrides, as pydicom's windowing with that window alone.
    for source, center, width in [(mono2_12, 1500, 800), (mono1, 3000, 1200), (rescaled, 20000, 9000.5)]:
        reference = source.vitrel_file.replace(".dcm", f".window_{center}_{width}.npy")
        np.save(OUT / reference, displayed(with_window(source, center, width)))
        manifest["windowOverrides"].append({"file": source.vitrel_file, "center": center, "width": width,
                                            "fractionalModality": fractional_modality(source), "reference": reference})

    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT.relative_to(ROOT)}")


def jpeg_bytes(gray):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(gray, mode="L").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
