#!/usr/bin/env python3
"""Writes Tests/ArcFaceKitTests/Reference/portable_math.txt: arguments and 60-digit values of the
elementary functions PortableMath implements, for PortableMathTests (max error in ulps).

Each line: `name x y hi lo` with hex floats; y is `-` for functions of one argument; the exact value
is hi + lo (hi the nearest double, lo the nearest double of the rest). Arguments are seeded and mostly
float32-representable, so the same lines test the Float functions (rounded once from Double).

    python3 tools/gen_portable_math_reference.py > Tests/ArcFaceKitTests/Reference/portable_math.txt
"""
import math
import random
import struct

import mpmath

mpmath.mp.dps = 60
rng = random.Random(20261202)


def f32(x):
    """Nearest float32 of x (as a Python float), so the argument is exact in both precisions."""
    return struct.unpack("f", struct.pack("f", x))[0] if abs(x) < 3.4e38 else x


def uniform(a, b, n):
    return [f32(rng.uniform(a, b)) for _ in range(n)]


def log_uniform(a, b, n, signed=False):
    out = []
    for _ in range(n):
        v = math.exp(rng.uniform(math.log(a), math.log(b)))
        if signed and rng.random() < 0.5:
            v = -v
        out.append(f32(v) if v < 3.4e38 else v)
    return out


def dd(v):
    hi = float(v)
    lo = float(v - mpmath.mpf(hi))
    return hi, lo


M = mpmath
# name: (reference, arguments); ranges cover each code path of CPortableMath/elementary.c.
unary = {
    "exp": (M.exp, uniform(-745, 709.7, 120) + uniform(-1, 1, 60) + log_uniform(1e-12, 0.5, 60, True)),
    "expm1": (M.expm1, uniform(-40, 700, 80) + uniform(-1.5, 1.5, 100) + log_uniform(1e-15, 0.4, 60, True)),
    "log": (M.log, log_uniform(1e-300, 1e300, 120) + uniform(0.5, 2, 80) + uniform(0.98, 1.02, 40)),
    "log1p": (M.log1p, uniform(-0.999, 10, 80) + log_uniform(1e-15, 0.02, 80, True) + log_uniform(1, 1e300, 80)),
    "log2": (lambda x: M.log(x, 2), log_uniform(1e-300, 1e300, 160) + uniform(0.5, 2, 80)),
    "log10": (M.log10, log_uniform(1e-300, 1e300, 160) + uniform(0.5, 2, 80)),
    "sin": (M.sin, uniform(-10, 10, 100) + log_uniform(1e-8, 1, 40, True) + log_uniform(10, 1e300, 100, True)),
    "cos": (M.cos, uniform(-10, 10, 100) + log_uniform(1e-8, 1, 40, True) + log_uniform(10, 1e300, 100, True)),
    "tan": (M.tan, uniform(-1.5, 1.5, 120) + log_uniform(1.5, 1e22, 120, True)),
    "asin": (M.asin, uniform(-1, 1, 160) + uniform(0.45, 0.55, 40) + uniform(0.99, 1, 40)),
    "acos": (M.acos, uniform(-1, 1, 160) + uniform(0.45, 0.55, 40) + uniform(-1, -0.99, 40)),
    "atan": (M.atan, uniform(-3, 3, 160) + log_uniform(3, 1e300, 80, True)),
    "sinh": (M.sinh, uniform(-710, 710, 100) + uniform(-2, 2, 100) + log_uniform(1e-10, 0.1, 40, True)),
    "cosh": (M.cosh, uniform(-710, 710, 120) + uniform(-2, 2, 120)),
    "tanh": (M.tanh, uniform(-25, 25, 100) + uniform(-1, 1, 100) + log_uniform(1e-10, 0.1, 40, True)),
}

lines = []
for name, (ref, xs) in unary.items():
    for x in xs:
        hi, lo = dd(ref(mpmath.mpf(x)))
        lines.append(f"{name} {x.hex()} - {hi.hex()} {lo.hex()}")

# pow: bases over many scales, exponents up to where the result stays finite and normal.
for _ in range(240):
    x = f32(math.exp(rng.uniform(-30, 30)))
    lx = abs(math.log(x)) or 1e-3
    y = f32(rng.uniform(-700 / lx, 700 / lx) if rng.random() < 0.7 else rng.uniform(-8, 8))
    v = mpmath.power(mpmath.mpf(x), mpmath.mpf(y))
    if not (2.3e-308 < abs(v) < 1.7e308):
        continue
    hi, lo = dd(v)
    lines.append(f"pow {x.hex()} {y.hex()} {hi.hex()} {lo.hex()}")
for _ in range(240):
    y, x = f32(rng.uniform(-10, 10)), f32(rng.uniform(-10, 10))
    if rng.random() < 0.2:
        y = f32(y * 1e-10)
    hi, lo = dd(mpmath.atan2(mpmath.mpf(y), mpmath.mpf(x)))
    lines.append(f"atan2 {y.hex()} {x.hex()} {hi.hex()} {lo.hex()}")

print("\n".join(lines))
