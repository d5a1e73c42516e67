"""Writes tensor_ops.json: inputs and PyTorch's outputs that ArcFaceKit's tests compare against.

Run from anywhere with a torch-enabled Python (the tests themselves never need torch):
    /work/torchenv/bin/python Tests/ArcFaceKitTests/Reference/make_reference.py
Tensors are {"shape": [...], "data": [...]} with float32 values written as exact decimal doubles;
nan / inf / -inf are written as the strings "nan", "inf", "-inf" because JSON has no such numbers.
"""

import json
import math
import os

import torch

torch.manual_seed(0)
nan, inf = float("nan"), float("inf")


def enc(t):
    """A float32 tensor as JSON."""
    t = torch.as_tensor(t, dtype=torch.float32)
    data = [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def T(x):
    return torch.tensor(x, dtype=torch.float32)


ops = []


def op(name, kind, inputs, args, output):
    args = {k: ("inf" if v == inf else v) for k, v in args.items()}  # JSON has no infinity
    ops.append({"name": name, "op": kind, "inputs": [enc(i) for i in inputs], "args": args,
                "output": output if isinstance(output, list) else enc(output)})


x23 = T([[1, 2, 3], [4, 5, 6]])
mixed = T([[3, 4, 0], [0.3, 0.4, 0], [1, -1, 1], [0, 0, 0]])  # row norms 5, 0.5, 1.732, 0
e4c6 = torch.randn(4, 6)  # (E, C): an ArcFace kernel
cube = torch.randn(2, 3, 4)

# renorm: torch's rule, factor maxnorm / (norm + 1e-7) for norm > maxnorm, else 1.
op("renorm dim 0, maxnorm 1e-5, then * 1e5", "renorm", [x23], {"p": 2, "dim": 0, "maxnorm": 1e-5, "scale": 1e5},
   x23.renorm(2, 0, 1e-5) * 1e5)
op("renorm dim 1, maxnorm 1e-5, then * 1e5", "renorm", [x23], {"p": 2, "dim": 1, "maxnorm": 1e-5, "scale": 1e5},
   x23.renorm(2, 1, 1e-5) * 1e5)
op("renorm dim -1 (last), maxnorm 1e-5, then * 1e5", "renorm", [x23], {"p": 2, "dim": -1, "maxnorm": 1e-5, "scale": 1e5},
   x23.renorm(2, -1, 1e-5) * 1e5)
op("renorm mixed: some rows above maxnorm 1, some below", "renorm", [mixed], {"p": 2, "dim": 0, "maxnorm": 1},
   mixed.renorm(2, 0, 1))
op("renorm mixed columns, maxnorm 2", "renorm", [mixed], {"p": 2, "dim": 1, "maxnorm": 2}, mixed.renorm(2, 1, 2))
op("renorm random (E=4, C=6) over dim 1 (columns), maxnorm 1e-5, then * 1e5", "renorm", [e4c6],
   {"p": 2, "dim": 1, "maxnorm": 1e-5, "scale": 1e5}, e4c6.renorm(2, 1, 1e-5) * 1e5)
op("renorm random (E=4, C=6) over dim 0, maxnorm 1.5", "renorm", [e4c6], {"p": 2, "dim": 0, "maxnorm": 1.5},
   e4c6.renorm(2, 0, 1.5))
for d in [0, 1, 2]:
    op(f"renorm 3-D (2,3,4) over dim {d}, maxnorm 1", "renorm", [cube], {"p": 2, "dim": d, "maxnorm": 1},
       cube.renorm(2, d, 1))
for p in [1, 3, 0.5]:
    op(f"renorm p={p} dim 0 maxnorm 2.5", "renorm", [x23 * T([[1, -1, 1]])], {"p": p, "dim": 0, "maxnorm": 2.5},
       (x23 * T([[1, -1, 1]])).renorm(p, 0, 2.5))
op("renorm_(2, 1, 1e-5).mul_(1e5) in place, as the ArcFace kernel init", "renorm_", [e4c6],
   {"p": 2, "dim": 1, "maxnorm": 1e-5, "scale": 1e5}, e4c6.clone().renorm_(2, 1, 1e-5).mul_(1e5))

# norm
for d in [0, 1, -1]:
    for k in [False, True]:
        op(f"norm p=2 dim {d} keepdim {k}", "norm", [e4c6], {"p": 2, "dim": d, "keepdim": k}, torch.norm(e4c6, 2, d, k))
for p in [1, 3, 0.5, inf, 0]:
    op(f"norm p={p} dim 1", "norm", [e4c6], {"p": p, "dim": 1, "keepdim": False}, torch.norm(e4c6, p, 1))
op("norm 3-D dim 1 keepdim", "norm", [cube], {"p": 2, "dim": 1, "keepdim": True}, torch.norm(cube, 2, 1, True))
op("norm whole tensor", "norm", [e4c6], {"p": 2}, torch.norm(e4c6))
op("norm whole tensor p=1", "norm", [cube], {"p": 1}, torch.norm(cube, 1))

# l2_norm (study note, no epsilon) and F.normalize (eps 1e-12)
with_zero = T([[3, 4], [0, 0], [1, 1]])
op("l2_norm axis 1", "l2_norm", [e4c6], {"axis": 1}, e4c6 / torch.norm(e4c6, 2, 1, True))
op("l2_norm axis 0", "l2_norm", [e4c6], {"axis": 0}, e4c6 / torch.norm(e4c6, 2, 0, True))
op("l2_norm of a zero row gives nan", "l2_norm", [with_zero], {"axis": 1}, with_zero / torch.norm(with_zero, 2, 1, True))
op("normalize dim 1", "normalize", [e4c6], {"p": 2, "dim": 1}, torch.nn.functional.normalize(e4c6, 2, 1))
op("normalize keeps a zero row zero", "normalize", [with_zero], {"p": 2, "dim": 1},
   torch.nn.functional.normalize(with_zero, 2, 1))
op("normalize 3-D dim -1", "normalize", [cube], {"p": 2, "dim": -1}, torch.nn.functional.normalize(cube, 2, -1))

# broadcasting
col = T([[10], [20]])  # (2, 1)
rowv = T([1, -1, 0.5])  # (3,)
for name, f in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div)]:
    op(f"{name} (2,3) with (3,)", name, [x23, rowv], {}, f(x23, rowv))
    op(f"{name} (2,1) with (3,)", name, [col, rowv], {}, f(col, rowv))
op("add (2,3,4) with (3,1)", "add", [cube, T([[1], [2], [3]])], {}, cube + T([[1], [2], [3]]))
op("mul (2,1,4) with (3,1)", "mul", [cube[:, :1, :], T([[1], [2], [3]])], {}, cube[:, :1, :] * T([[1], [2], [3]]))
op("add 0-d with (2,3)", "add", [T(2.5), x23], {}, T(2.5) + x23)
op("tensor + scalar", "add_scalar", [x23], {"s": 0.5}, x23 + 0.5)
op("tensor - scalar", "sub_scalar", [x23], {"s": 0.5}, x23 - 0.5)
op("tensor * scalar", "mul_scalar", [x23], {"s": 1e5}, x23 * 1e5)
op("tensor / scalar", "div_scalar", [x23], {"s": 3}, x23 / 3)
op("scalar - tensor", "rsub_scalar", [x23], {"s": 1}, 1 - x23)
op("scalar / tensor", "rdiv_scalar", [x23], {"s": 1}, 1 / x23)
op("div by zero gives inf and nan", "div", [T([1, -1, 0]), T([0, 0, 0])], {}, T([1, -1, 0]) / T([0, 0, 0]))

# unary
pos = e4c6.abs() + 0.1
op("neg", "neg", [e4c6], {}, -e4c6)
op("abs", "abs", [e4c6], {}, e4c6.abs())
op("sqrt", "sqrt", [pos], {}, pos.sqrt())
op("exp", "exp", [e4c6], {}, e4c6.exp())
op("log", "log", [pos], {}, pos.log())
for e in [2, 3, 0.5, -1, 1.7]:
    op(f"pow {e}", "pow", [pos], {"e": e}, pos.pow(e))
op("clamp(-0.5, 0.5)", "clamp", [e4c6], {"min": -0.5, "max": 0.5}, e4c6.clamp(-0.5, 0.5))
op("clamp(min=0)", "clamp", [e4c6], {"min": 0}, e4c6.clamp(min=0))
op("clamp(max=0)", "clamp", [e4c6], {"max": 0}, e4c6.clamp(max=0))

# reductions
op("sum", "sum", [e4c6], {}, e4c6.sum())
op("mean", "mean", [e4c6], {}, e4c6.mean())
op("max", "max", [e4c6], {}, e4c6.max())
op("min", "min", [e4c6], {}, e4c6.min())
for d in [0, 1, -1]:
    for k in [False, True]:
        op(f"sum dim {d} keepdim {k}", "sum", [e4c6], {"dim": d, "keepdim": k}, e4c6.sum(d, k))
        op(f"mean dim {d} keepdim {k}", "mean", [e4c6], {"dim": d, "keepdim": k}, e4c6.mean(d, k))
        op(f"max dim {d} keepdim {k}", "max", [e4c6], {"dim": d, "keepdim": k}, e4c6.max(d, k).values)
        op(f"min dim {d} keepdim {k}", "min", [e4c6], {"dim": d, "keepdim": k}, e4c6.min(d, k).values)
for d in [0, 1, 2, -2]:
    op(f"sum 3-D dim {d}", "sum", [cube], {"dim": d, "keepdim": False}, cube.sum(d))
    op(f"argmax 3-D dim {d}", "argmax", [cube], {"dim": d}, cube.argmax(d).reshape(-1).tolist())
    op(f"argmin 3-D dim {d}", "argmin", [cube], {"dim": d}, cube.argmin(d).reshape(-1).tolist())
op("max propagates nan", "max", [T([[1, nan, 3], [4, 5, 6]])], {"dim": 1, "keepdim": False},
   T([[1, nan, 3], [4, 5, 6]]).max(1).values)

# factories
op("arange(0, 1, 0.3)", "arange", [], {"start": 0, "end": 1, "step": 0.3}, torch.arange(0, 1, 0.3))
op("arange(-1, 1, 0.1)", "arange", [], {"start": -1, "end": 1, "step": 0.1}, torch.arange(-1, 1, 0.1))
op("arange(5, 0, -1.5)", "arange", [], {"start": 5, "end": 0, "step": -1.5}, torch.arange(5, 0, -1.5))

# repr: how print(tensor) looks with the default print options
reprs = []


def rep(name, t):
    t = torch.as_tensor(t, dtype=torch.float32)
    reprs.append({"name": name, "input": enc(t), "repr": repr(t)})


rep("small floats 2-D", T([[0.1234, -1.5], [2.25, 0.001]]))
rep("integral 2-D", x23)
rep("integral with negatives and zero", T([-2, 0, 3, 10]))
rep("renorm example output", x23.renorm(2, 0, 1e-5) * 1e5)
rep("large integral > 1e8 goes scientific", T([123456789, 1]))
rep("large non-integral > 1e8", T([1.5e8, 2.5]))
rep("tiny < 1e-4", T([1e-5, 0.5]))
rep("mixed magnitudes ratio > 1000", T([0.001, 2.5, -3.75]))
rep("integral ratio > 1000 is scientific", T([1, 2000]))
rep("ratio exactly 1000 stays fixed", T([0.5, 500]))
rep("large but fixed", T([999.5, 1.25, -100]))
rep("nan and inf among floats", T([1.5, nan, inf, -inf]))
rep("nan and inf among integers", T([1, nan, -inf, 20]))
rep("only nan and inf", T([nan, inf]))
rep("all zeros", torch.zeros(2, 3))
rep("negative zero", T([-0.0, 1.5]))
rep("negative zero integral", T([-0.0, 2]))
rep("half-even rounding at 4 decimals", T([1.03125, 2.09375, -0.40625, 0.5]))
rep("values that round to -0.0000", T([-0.00004, 1.0]))
rep("negative floats 2-D", T([[-1.5, -2.25], [-3.125, -4.0]]))
rep("sci with nan", T([1e-6, nan, 3.0]))
rep("denormal", T([1e-40, 1.0]))
rep("float32 max", T([3.4028234663852886e38, -1.0]))
rep("column vector", torch.randn(5, 1))
rep("random (E=4, C=6)", e4c6)
rep("wide 1-D wraps at 80 columns", torch.randn(30))
rep("wide 2-D rows wrap", torch.randn(2, 20))
rep("wide 3-D rows wrap", torch.randn(2, 2, 15))
rep("wide integral row", torch.arange(40.0))
rep("3-D", cube)
rep("3-D integral", torch.arange(24.0).reshape(2, 3, 4))
rep("1-D of 2000 summarised", torch.randn(2000))
rep("1-D arange 2000 summarised", torch.arange(2000.0))
rep("2-D (40, 40) summarised", torch.randn(40, 40))
rep("2-D (200, 6) summarised rows only", torch.randn(200, 6))
rep("2-D (6, 200) summarised columns only", torch.randn(6, 200))
rep("3-D (10, 12, 15) summarised", torch.randn(10, 12, 15))
rep("summarised sci", torch.randn(1500) * 1e5)
rep("summarised width from edges only", torch.cat([T([0.5] * 3), T([1e6] * 1000), T([0.25] * 3)]))
rep("scalar", T(0.5))
rep("scalar integral", T(3))
rep("scalar negative", T(-2.75))
rep("scalar nan", T(nan))
rep("scalar large", T(1e10))
rep("scalar zero", T(0))
rep("empty (0,)", torch.zeros(0))
rep("empty (0, 3)", torch.zeros(0, 3))
rep("empty (2, 0, 4)", torch.zeros(2, 0, 4))

here = os.path.dirname(os.path.abspath(__file__))
out = {
    "torch_version": torch.__version__,
    "generated_by": "Tests/ArcFaceKitTests/Reference/make_reference.py",
    "ops": ops,
    "reprs": reprs,
}
with open(os.path.join(here, "tensor_ops.json"), "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
    f.write("\n")
print(f"torch {torch.__version__}: wrote {len(ops)} ops and {len(reprs)} reprs")
