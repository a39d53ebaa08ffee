"""Reference masks of the burned-in text detector (vitrel's BurnedInTextDetector), from scipy.

Regenerate: python3 Tools/make_audit_fixtures.py   (needs numpy and scipy)
Writes Tests/VitRelTests/Fixtures/audit/text_detector.json: a few seeded synthetic films
(a body, ribs, a bright bone touching the band, letters on the dark outside, a white edge
line, noise) with pixel values k/255, and the mask the heuristic gives, computed here
independently with scipy.ndimage (uniform_filter mode="nearest", label with 8-connectivity,
binary_dilation) following the steps the Swift doc comment states.
"""
import json
import pathlib

import numpy as np
from scipy import ndimage as ndi

SETTINGS = dict(minimum_brightness=0.45, minimum_contrast=0.15, window_fraction=0.16, band_fraction=0.2,
                minimum_pixels=4, maximum_area_fraction=0.005, maximum_extent_fraction=0.15,
                minimum_ring_contrast=0.25, dilation=1)


def window_side(shorter, fraction):
    raw = max(3, int(np.floor(fraction * shorter + 0.5)))
    return raw if raw % 2 == 1 else raw + 1


def detect(v, s=SETTINGS):
    h, w = v.shape
    local = ndi.uniform_filter(v.astype(np.float64), window_side(min(h, w), s["window_fraction"]), mode="nearest")
    cand = (v >= s["minimum_brightness"]) & (v - local >= s["minimum_contrast"])
    labels, n = ndi.label(cand, structure=np.ones((3, 3)))
    br, bc = int(np.floor(s["band_fraction"] * h + 0.5)), int(np.floor(s["band_fraction"] * w + 0.5))
    band = np.zeros_like(cand)
    band[:br] = band[h - br:] = True
    band[:, :bc] = band[:, w - bc:] = True
    text = np.zeros_like(cand)
    for i in range(1, n + 1):
        m = labels == i
        ys, xs = np.nonzero(m)
        if not band[m].all() or ys.min() == 0 or xs.min() == 0 or ys.max() == h - 1 or xs.max() == w - 1:
            continue
        if m.sum() < s["minimum_pixels"] or m.sum() > s["maximum_area_fraction"] * h * w:
            continue
        if np.ptp(ys) + 1 > s["maximum_extent_fraction"] * h or np.ptp(xs) + 1 > s["maximum_extent_fraction"] * w:
            continue
        ring = ndi.binary_dilation(m, np.ones((5, 5))) & ~cand
        if ring.sum() == 0 or v[m].mean() - v[ring].mean() < s["minimum_ring_contrast"]:
            continue
        text |= m
    return ndi.binary_dilation(text, np.ones((3, 3))) if s["dilation"] == 1 else text


def film(seed, size=64):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    v = 0.12 + 0.03 * rng.standard_normal((size, size))
    body = ((x - 0.5) / 0.36) ** 2 + ((y - 0.55) / 0.45) ** 2 < 1
    v[body] = 0.55 + 0.1 * np.sin(18 * y[body]) + 0.03 * rng.standard_normal(body.sum())
    # A bright bone reaching from the band into the body: not text.
    v[(np.abs(y - 0.22 - 0.1 * x) < 0.02) & (x > 0.15) & (x < 0.55)] = 0.95
    # Letters on the dark outside: an "R"-like glyph and a small bar, bright on dark.
    top, left = rng.integers(2, 6), rng.integers(2, 6)
    glyph = np.array([[1, 1, 1, 0], [1, 0, 0, 1], [1, 1, 1, 0], [1, 0, 1, 0], [1, 0, 0, 1]], bool)
    v[top:top + 5, left:left + 4][glyph] = 0.9 + 0.05 * rng.random()
    v[size - 8:size - 6, size - 9:size - 5] = 1.0
    # The film's own white edge line along the bottom: touches the edge, not text.
    v[size - 1, 10:40] = 1.0
    # A single bright speck: fewer than the minimum pixels.
    v[size // 2, 2] = 1.0
    return np.clip(np.round(v * 255) / 255, 0, 1)


def main():
    cases = []
    for seed in range(4):
        v = film(seed)
        mask = detect(v)
        cases.append(dict(seed=seed, height=int(v.shape[0]), width=int(v.shape[1]),
                          pixels_255=[int(round(p * 255)) for p in v.ravel()],
                          mask=[int(b) for b in mask.ravel()]))
        print(f"seed {seed}: {int(mask.sum())} text pixels")
    out = pathlib.Path(__file__).resolve().parent.parent / "Tests/VitRelTests/Fixtures/audit/text_detector.json"
    out.write_text(json.dumps(dict(settings=SETTINGS, cases=cases), separators=(",", ":")) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
