"""Writes losses.json: softmax / log_softmax / nll_loss / cross_entropy cases computed by PyTorch,
with their inputs, outputs and input gradients, for ArcFaceKit's LossTests to compare against.

Run from anywhere with a torch-enabled Python (the tests themselves never need torch):
    /work/torchenv/bin/python Tests/ArcFaceKitTests/Reference/losses_reference.py

Every case backpropagates an explicit upstream gradient `grad_output` (recorded in the file):
1 for a reduced (0-d) loss, and a fixed random tensor for softmax / log_softmax and reduction
'none' (where the gradient of output.sum() would say little: softmax's is identically ~0).
Tensors are {"shape": [...], "data": [...]} with float32 values written as exact decimal doubles;
nan / inf / -inf are the strings "nan", "inf", "-inf" because JSON has no such numbers.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def enc(t):
    """A float32 tensor as JSON."""
    t = torch.as_tensor(t, dtype=torch.float32)
    data = [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def T(x):
    return torch.tensor(x, dtype=torch.float32)


cases = []


def run(name, op, x, target=None, weight=None, **args):
    """Runs `op` on a fresh leaf copy of `x`, backpropagates a recorded upstream gradient, and
    stores inputs, output and the input's gradient."""
    leaf = x.detach().clone().requires_grad_()
    if op == "softmax":
        out = F.softmax(leaf, dim=args["dim"])
    elif op == "log_softmax":
        out = F.log_softmax(leaf, dim=args["dim"])
    else:
        tgt = torch.tensor(target, dtype=torch.long)
        if leaf.dim() == 1:
            tgt = tgt.reshape(())  # torch's 1-D input takes a 0-d target
        kw = dict(weight=weight, ignore_index=args.get("ignore_index", -100), reduction=args.get("reduction", "mean"))
        if op == "nll_loss":
            out = F.nll_loss(leaf, tgt, **kw)
        else:
            out = F.cross_entropy(leaf, tgt, label_smoothing=args.get("label_smoothing", 0.0), **kw)
    g = torch.ones(()) if out.dim() == 0 else torch.rand(out.shape) + 0.5
    out.backward(g)
    cases.append({
        "name": name, "op": op, "input": enc(x),
        "target": target, "weight": None if weight is None else enc(weight),
        "dim": args.get("dim"), "ignore_index": args.get("ignore_index", -100),
        "reduction": args.get("reduction", "mean"), "label_smoothing": args.get("label_smoothing", 0.0),
        "output": enc(out.detach()), "grad_output": enc(g), "grad_fn": type(out.grad_fn).__name__,
        "grad_input": enc(leaf.grad),
    })


x45 = torch.randn(4, 5)
cube = torch.randn(2, 3, 4)
# ArcFace-like logits s * cos(theta) with s = 64 and cosines spread over [-1, 1]: logit gaps up to 128,
# so some exp(x - max) underflow to 0 in float32
arc = 64 * (torch.rand(6, 8) * 2 - 1)
y4 = [1, 0, 4, 2]
y6 = [3, 7, 0, 0, 5, 2]
w5 = torch.rand(5) + 0.25
w8 = torch.rand(8) + 0.25

# softmax / log_softmax: dims 0, 1, -1, 3-D, large logits
for op in ["softmax", "log_softmax"]:
    for d in [0, 1, -1]:
        run(f"{op} (4, 5) dim {d}", op, x45, dim=d)
    for d in [0, 1, 2, -1]:
        run(f"{op} 3-D (2, 3, 4) dim {d}", op, cube, dim=d)
    run(f"{op} large logits s=64 (6, 8) dim 1", op, arc, dim=1)
    run(f"{op} [64, -64] 1-D", op, T([64.0, -64.0]), dim=0)
    run(f"{op} [1000, 0] 1-D", op, T([1000.0, 0.0]), dim=0)
    run(f"{op} with -inf logits (masked)", op, T([[0.5, float("-inf"), 1.0], [float("-inf"), 2.0, -1.0]]), dim=1)

# nll_loss on log-probabilities
lp45 = F.log_softmax(x45, dim=1)
for red in ["mean", "sum", "none"]:
    run(f"nll_loss {red}", "nll_loss", lp45, y4, reduction=red)
    run(f"nll_loss {red} with weight", "nll_loss", lp45, y4, weight=w5, reduction=red)
    run(f"nll_loss {red} ignore_index -100 hit", "nll_loss", lp45, [1, -100, 4, -100], reduction=red)
    run(f"nll_loss {red} ignore_index 2 (a real class) hit, with weight", "nll_loss", lp45, [2, 0, 2, 3],
        weight=w5, ignore_index=2, reduction=red)
    run(f"nll_loss {red} every target ignored", "nll_loss", lp45, [-100] * 4, reduction=red)
    run(f"nll_loss {red} 1-D input", "nll_loss", lp45[1], [3], reduction=red)
    run(f"nll_loss {red} on raw (unnormalised) input", "nll_loss", x45, y4, weight=w5, reduction=red)

# cross_entropy on logits
for red in ["mean", "sum", "none"]:
    run(f"cross_entropy {red}", "cross_entropy", x45, y4, reduction=red)
    run(f"cross_entropy {red} with weight", "cross_entropy", x45, y4, weight=w5, reduction=red)
    run(f"cross_entropy {red} ignore_index hit", "cross_entropy", x45, [1, -100, 4, 2], reduction=red)
    run(f"cross_entropy {red} label_smoothing 0.1", "cross_entropy", x45, y4, reduction=red, label_smoothing=0.1)
    run(f"cross_entropy {red} label_smoothing 0.1, weight", "cross_entropy", x45, y4, weight=w5,
        reduction=red, label_smoothing=0.1)
    run(f"cross_entropy {red} label_smoothing 0.2, weight, ignore_index 0 hit", "cross_entropy", x45, [0, 3, 0, 1],
        weight=w5, ignore_index=0, reduction=red, label_smoothing=0.2)
    run(f"cross_entropy {red} label_smoothing 0.3, ignore_index hit", "cross_entropy", x45, [-1, 3, 4, -1],
        ignore_index=-1, reduction=red, label_smoothing=0.3)
    run(f"cross_entropy {red} every target ignored", "cross_entropy", x45, [-100] * 4, reduction=red)
    run(f"cross_entropy {red} every target ignored, label_smoothing 0.1, weight", "cross_entropy", x45, [-100] * 4,
        weight=w5, reduction=red, label_smoothing=0.1)
    run(f"cross_entropy {red} large logits s=64", "cross_entropy", arc, y6, reduction=red)
    run(f"cross_entropy {red} large logits s=64, weight, label_smoothing 0.1", "cross_entropy", arc, y6, weight=w8,
        reduction=red, label_smoothing=0.1)
    run(f"cross_entropy {red} 1-D input", "cross_entropy", x45[2], [4], reduction=red)
    run(f"cross_entropy {red} 1-D input, weight, label_smoothing 0.25", "cross_entropy", x45[2], [4], weight=w5,
        reduction=red, label_smoothing=0.25)
run("cross_entropy mean label_smoothing 1.0", "cross_entropy", x45, y4, weight=w5, label_smoothing=1.0)
run("cross_entropy mean zero total weight (kept targets weigh 0): nan loss and gradients", "cross_entropy", x45,
    [0, 0, -100, -100], weight=T([0, 1, 1, 1, 1]), label_smoothing=0.1)
run("nll_loss mean zero total weight (kept targets weigh 0)", "nll_loss", lp45, [0, 0, -100, -100],
    weight=T([0, 1, 1, 1, 1]))
run("cross_entropy with -inf logit off target, no smoothing", "cross_entropy",
    T([[0.5, float("-inf"), 1.0], [float("-inf"), 2.0, -1.0]]), [0, 1])

out = {"torch_version": torch.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {path} (torch {torch.__version__})")
