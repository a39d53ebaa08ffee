#!/usr/bin/env python3
"""Fits the rational approximation of erf behind vitrel's Float GELU (`vitrel_erf` in
Sources/CVitRelKernels/kernel_support.h) and prints its coefficients as C literals.

Regenerate (from the repository root; never needed by CI):

    python3 Tools/fit_gelu_erf.py

erf(z) ≈ sign(z)·min(1, a·P(t)/Q(t)) with a = min(|z|, 3.9), t = a²/3.9², P of degree 5, Q of
degree 5 with Q(0) = 1. The fit is a linearised least-squares problem made minimax by
Loeb's reweighting (divide by the previous Q) and Lawson's (weight by the error), on 8000
points of (0, 3.9]. Beyond 3.9, erf(z) and 1 differ by 3.5e-8, so the clamp costs nothing.

The script checks the result against scipy's erf: the maximum absolute error in exact
arithmetic, and after evaluating the C kernel's Horner scheme in float32 (numpy), for erf
and for GELU(x) = x·(1 + erf(x/√2))/2 on [-9, 9] relative to max(1, |x|), the bound
FastMathTests asserts (1e-6). Made with Python 3.11, numpy 2.4, scipy 1.17.
"""
import numpy as np
from scipy.special import erf

CLAMP = 3.9
P_DEGREE, Q_DEGREE = 5, 5


def fit(iterations=400):
    z = np.linspace(0, CLAMP, 8001)[1:]
    t = z * z / (CLAMP * CLAMP)
    f = erf(z)
    lawson = np.ones_like(z) / len(z)
    previous_q = np.ones_like(z)
    best = (np.inf, None, None)
    for _ in range(iterations):
        w = np.sqrt(lawson) / np.abs(previous_q)
        # z·P(t) − f·(Q(t) − 1) = f, linear in the coefficients of P and Q[1:].
        columns = [z * t**i for i in range(P_DEGREE + 1)] + [-f * t**j for j in range(1, Q_DEGREE + 1)]
        a = np.stack(columns, axis=1)
        solution, *_ = np.linalg.lstsq(a * w[:, None], f * w, rcond=None)
        p = solution[: P_DEGREE + 1]
        q = np.concatenate([[1.0], solution[P_DEGREE + 1 :]])
        previous_q = np.polyval(q[::-1], t)
        error = z * np.polyval(p[::-1], t) / previous_q - f
        worst = np.abs(error).max()
        if worst < best[0]:
            best = (worst, p.copy(), q.copy())
        lawson = lawson * np.abs(error)
        lawson /= lawson.sum()
    return best


def erf_float32(z, p, q):
    """The C kernel's arithmetic (vitrel_erf), in float32."""
    z = np.asarray(z, dtype=np.float32)
    a = np.minimum(np.abs(z), np.float32(CLAMP))
    t = (a * a) * np.float32(1 / (CLAMP * CLAMP))
    num = np.float32(p[-1])
    for c in p[-2::-1]:
        num = num * t + np.float32(c)
    den = np.float32(q[-1])
    for c in q[-2::-1]:
        den = den * t + np.float32(c)
    return np.copysign(np.minimum(a * num / den, np.float32(1)), z)


def main():
    worst, p, q = fit()
    print(f"max |error| in exact arithmetic: {worst:.3g}")
    x = np.linspace(-9, 9, 2_000_001).astype(np.float32)
    z = x * np.float32(0.70710678118654752)
    exact = erf(x.astype(np.float64) / np.sqrt(2))
    approx = erf_float32(z, p, q).astype(np.float64)
    print(f"max |error| evaluated in float32: {np.abs(approx - exact).max():.3g}")
    gelu = (x * (np.float32(0.5) * (np.float32(1) + erf_float32(z, p, q)))).astype(np.float64)
    gelu_exact = x.astype(np.float64) * 0.5 * (1 + exact)
    print(f"GELU max |error| / max(1, |x|) in float32: {(np.abs(gelu - gelu_exact) / np.maximum(1, np.abs(x))).max():.3g}")
    print("numerator (t⁰ … t⁵):   " + ", ".join(f"{c:.9g}" for c in p))
    print("denominator (t⁰ … t⁵): " + ", ".join(f"{c:.9g}" for c in q))


if __name__ == "__main__":
    main()
