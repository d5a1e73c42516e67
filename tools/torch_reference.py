"""Writes tools/parity-reference.json: PyTorch's results for every op `arcface-lessons parity` checks.

Run with a torch-enabled Python (CI never needs torch; it only reads the committed JSON):
    /work/torchenv/bin/python tools/torch_reference.py            # writes tools/parity-reference.json
    /work/torchenv/bin/python tools/torch_reference.py -          # writes the JSON to stdout

The format (a contract other files are written in; `Sources/Parity` reads it):
    {"torch_version": "...", "cases": [
      {"name": ..., "op": ..., "dtype": "float32" | "float64",
       "args": {...}, "expect": {"output": ..., "grad": {"<tensor arg>": ...}},
       "rtol": ..., "atol": ..., "note": "why the tolerance differs"}]}
Tensors are nested JSON arrays; nan / inf / -inf are the strings "nan", "inf", "-inf". Values are written
with Python's shortest repr of the double, so float32 values round-trip exactly. `grad` is the gradient of
the loss for ops returning a scalar loss, of `output.sum()` otherwise. Deterministic: fixed seed, fixed inputs.

Semantics that needed a decision (documented per op below):
- arcface_head is the seed's TreB1eN InsightFace_Pytorch `Arcface.forward`, verbatim (`arcface_forward`);
  easy_margin follows insightface: `where(cos_theta > 0, cos_theta_m, cos_theta)` instead of the fallback.
- combined_margin: insightface's current PyTorch `CombinedMarginLoss` (arcface_torch/losses.py) is NOT a
  general combined margin: its ArcFace branch (m1 == 1, m3 == 0) runs under `torch.no_grad()` (a
  straight-through gradient of s), its `m3 > 0` branch is plain CosFace and ignores m1 and m2, and any
  other (m1, m2, m3) raises. We use the formula of insightface's original combined-margin training code
  (MXNet `train.py`, margin_a/m/b): for the target class `s * (cos(m1 * acos(cos_theta) + m2) - m3)`, for
  the others `s * cos_theta`, with ordinary autograd through acos. acos is applied to the gathered target
  cosines only (as the MXNet code does), so a non-target cosine of exactly +-1 does not turn its gradient
  into 0 * inf = nan.
Torch behaviour the cases pin down (recorded as torch gives it, nan / inf included):
- clamp's backward passes the gradient only strictly inside (min, max) in torch 2.15 (older versions
  passed it at the bounds), so ArcFace at cos = +-1 exactly has finite gradients: the clamp(-1, 1)
  after mm stops the sqrt'(0) = inf.
- the p-norm's backward at a zero norm is `grad * (x / norm).masked_fill(norm == 0, 0)`: 0 for a finite
  upstream gradient but nan for a nan one, so the seed's l2_norm of a zero column (0 / 0 = nan) has nan
  gradients in that column (not inf).
- acos'(+-1) = -inf: combined_margin with a target cosine of exactly +-1 gives -inf / inf gradients,
  and nan (0 * inf) where the margin's derivative is 0 (m1 = 1, m2 = 0 at theta = 0).
- nll_loss / cross_entropy with reduction "mean" divide by the summed weights of the targets not
  ignored: every target ignored gives 0 / 0 = nan and zero gradients. A (C) input takes a 0-d target,
  written as a bare integer.
- F.normalize of a zero row divides by eps, so its gradient is 1 / eps (1e12 for eps 1e-12).
- SGD on CPU runs torch's single-tensor (non-foreach) path; a None gradient skips the parameter.
- MultiStepLR counts a repeated milestone once per occurrence (gamma ** k) and sorts the milestones.
Tolerances: default rtol 1e-5 / atol 1e-6. A float32 case gets its own only when torch's own float32
result is further than that from the float64 result on the same inputs; the reason is in its "note".
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
NAN, INF = float("nan"), float("inf")

DT = {"float32": torch.float32, "float64": torch.float64}
cases = []


def fix(v):
    """Python floats/ints/lists -> JSON-ready values, non-finite floats as strings."""
    if isinstance(v, torch.Tensor):
        v = v.detach().tolist()
    if isinstance(v, (list, tuple)):
        return [fix(x) for x in v]
    if isinstance(v, dict):
        return {k: fix(x) for k, x in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def case(name, op, dtype, args, expect, rtol=None, atol=None, note=None):
    assert name not in {c["name"] for c in cases}, name
    c = {"name": name, "op": op, "dtype": dtype, "args": fix(args), "expect": fix(expect)}
    if dtype is None:  # no tensors (multistep_lr): torch's lr is a Python float
        del c["dtype"]
    if rtol is not None:
        c["rtol"] = rtol
    if atol is not None:
        c["atol"] = atol
    if note is not None:
        c["note"] = note
    cases.append(c)


def T(x, dtype="float32"):
    return torch.tensor(x, dtype=DT[dtype])


def randn(*shape, dtype="float32"):
    return torch.randn(*shape, dtype=torch.float64).to(DT[dtype])


def leaf(t):
    return t.detach().clone().requires_grad_(True)


def backward_of(out):
    """Gradient of the loss (a scalar output) or of output.sum()."""
    (out if out.dim() == 0 else out.sum()).backward()


def grad_of(t):
    return t.grad if t.grad is not None else torch.zeros_like(t)


# ---------------------------------------------------------------------------------------------------
# Unary tensor ops: renorm, normalize, l2_norm, softmax, log_softmax. grad = d(output.sum())/d(input).

def l2_norm(x, axis=1):
    """The seed's l2_norm (TreB1eN model.py): no epsilon."""
    norm = torch.norm(x, 2, axis, True)
    return torch.div(x, norm)


def unary(name, op, dtype, x, fn, args, **kw):
    xi = leaf(x.to(DT[dtype]))
    out = fn(xi)
    backward_of(out)
    case(name, op, dtype, {"input": xi, **args}, {"output": out, "grad": {"input": grad_of(xi)}}, **kw)


x23 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
mixed = [[3.0, 4.0, 0.0], [0.3, 0.4, 0.0], [1.0, -1.0, 1.0], [0.0, 0.0, 0.0]]  # norms 5, 0.5, 1.73, 0
tiny = "outputs and gradients are ~1e-5, so the default atol 1e-6 would be a 10% tolerance; atol is tightened"

# renorm(input, p, dim, maxnorm): torch scales a sub-tensor by maxnorm / (norm + 1e-7) when norm > maxnorm.
for d in [1, 0]:
    unary(f"renorm-dim{d}", "renorm", "float32", T(x23), lambda x, d=d: torch.renorm(x, 2, d, 1e-5),
          {"p": 2, "dim": d, "maxnorm": 1e-5}, atol=1e-12, note=tiny)
unary("renorm-mixed-rows-above-and-below", "renorm", "float32", T(mixed), lambda x: torch.renorm(x, 2, 0, 1.0),
      {"p": 2, "dim": 0, "maxnorm": 1.0})
unary("renorm-dim-minus1-p1", "renorm", "float32", T(mixed), lambda x: torch.renorm(x, 1, -1, 2.0),
      {"p": 1, "dim": -1, "maxnorm": 2.0})
unary("renorm-p3-kernel-e4-c6", "renorm", "float32", randn(4, 6), lambda x: torch.renorm(x, 3, 1, 0.8),
      {"p": 3, "dim": 1, "maxnorm": 0.8})
unary("renorm-3d-dim1", "renorm", "float32", randn(2, 3, 4), lambda x: torch.renorm(x, 2, 1, 1.0),
      {"p": 2, "dim": 1, "maxnorm": 1.0})
unary("renorm-maxnorm-inf-is-identity", "renorm", "float32", T(mixed), lambda x: torch.renorm(x, 2, 0, INF),
      {"p": 2, "dim": 0, "maxnorm": INF})
unary("renorm-float64", "renorm", "float64", randn(3, 5, dtype="float64"),
      lambda x: torch.renorm(x, 2, 0, 1.0), {"p": 2, "dim": 0, "maxnorm": 1.0})

# normalize(input, p, dim, eps): x / max(||x||_p, eps). A zero row has gradient 1/eps (the clamp is active).
unary("normalize-p2-dim1-zero-row", "normalize", "float32", T(mixed), lambda x: F.normalize(x, 2.0, 1, 1e-12),
      {"p": 2, "dim": 1, "eps": 1e-12})
unary("normalize-p1-dim0", "normalize", "float32", randn(3, 4), lambda x: F.normalize(x, 1.0, 0, 1e-12),
      {"p": 1, "dim": 0, "eps": 1e-12})
unary("normalize-3d-dim-minus1-eps-active", "normalize", "float32", randn(2, 3, 4) * 0.01,
      lambda x: F.normalize(x, 2.0, -1, 0.05), {"p": 2, "dim": -1, "eps": 0.05})
unary("normalize-one-row", "normalize", "float32", randn(1, 5), lambda x: F.normalize(x, 2.0, 1, 1e-12),
      {"p": 2, "dim": 1, "eps": 1e-12})
unary("normalize-float64", "normalize", "float64", randn(4, 3, dtype="float64"),
      lambda x: F.normalize(x, 2.0, 1, 1e-12), {"p": 2, "dim": 1, "eps": 1e-12})

# l2_norm(input, axis): the seed's, without epsilon (a zero vector gives nan, as in the PyTorch code).
unary("l2_norm-axis0-kernel", "l2_norm", "float32", randn(5, 7), lambda x: l2_norm(x, 0), {"axis": 0})
unary("l2_norm-axis1-embeddings", "l2_norm", "float32", randn(4, 5), lambda x: l2_norm(x, 1), {"axis": 1})
unary("l2_norm-zero-column-is-nan", "l2_norm", "float32", T([[1.0, 0.0, 3.0], [2.0, 0.0, -4.0]]),
      lambda x: l2_norm(x, 0), {"axis": 0})
unary("l2_norm-one-row-axis0", "l2_norm", "float32", T([[3.0, -4.0, 0.5]]), lambda x: l2_norm(x, 0), {"axis": 0})
unary("l2_norm-float64", "l2_norm", "float64", randn(3, 4, dtype="float64"), lambda x: l2_norm(x, 1), {"axis": 1})

# softmax / log_softmax(input, dim). The "sum" gradient of softmax is ~0 (rounding noise), so it is
# checked against atol, as numpy.allclose does.
big = T([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])
neg_inf = T([[0.5, -INF, 1.5, 0.0], [-INF, 2.0, 2.0, -1.0]])
for op, fn in [("softmax", F.softmax), ("log_softmax", F.log_softmax)]:
    unary(f"{op}-dim1", op, "float32", randn(4, 5), lambda x, fn=fn: fn(x, 1), {"dim": 1})
    unary(f"{op}-dim0", op, "float32", randn(3, 4), lambda x, fn=fn: fn(x, 0), {"dim": 0})
    unary(f"{op}-3d-dim1", op, "float32", randn(2, 3, 4), lambda x, fn=fn: fn(x, 1), {"dim": 1})
    unary(f"{op}-3d-dim-minus1", op, "float32", randn(2, 3, 4), lambda x, fn=fn: fn(x, -1), {"dim": -1})
    unary(f"{op}-large-logits-stable", op, "float32", big, lambda x, fn=fn: fn(x, 1), {"dim": 1})
    unary(f"{op}-minus-inf-entries", op, "float32", neg_inf, lambda x, fn=fn: fn(x, 1), {"dim": 1})
    unary(f"{op}-one-class-column", op, "float32", randn(3, 1), lambda x, fn=fn: fn(x, 1), {"dim": 1})
    unary(f"{op}-one-row", op, "float32", randn(1, 6), lambda x, fn=fn: fn(x, 1), {"dim": 1})
    unary(f"{op}-float64", op, "float64", randn(3, 5, dtype="float64"), lambda x, fn=fn: fn(x, 1), {"dim": 1})


# ---------------------------------------------------------------------------------------------------
# Losses: nll_loss, cross_entropy (input, target, weight?, ignore_index?, reduction?, label_smoothing?).
# grad = d(loss)/d(input) for reduction mean/sum, d(loss.sum())/d(input) for reduction none.

def loss_case(name, op, dtype, x, target, note=None, rtol=None, atol=None, **kw):
    xi = leaf(x.to(DT[dtype]))
    t = torch.tensor(target, dtype=torch.long)
    tkw = dict(kw)
    if "weight" in tkw:
        tkw["weight"] = T(tkw["weight"], dtype)
    fn = F.nll_loss if op == "nll_loss" else F.cross_entropy
    out = fn(xi, t, **tkw)
    backward_of(out)
    args = {"input": xi, "target": target, **kw}
    case(name, op, dtype, args, {"output": out, "grad": {"input": grad_of(xi)}}, rtol=rtol, atol=atol, note=note)


logp = F.log_softmax(randn(5, 4), 1)
w4 = [0.5, 2.0, 1.0, 0.25]
loss_case("nll_loss-mean", "nll_loss", "float32", logp, [0, 3, 1, 1, 2])
loss_case("nll_loss-sum", "nll_loss", "float32", logp, [0, 3, 1, 1, 2], reduction="sum")
loss_case("nll_loss-none", "nll_loss", "float32", logp, [0, 3, 1, 1, 2], reduction="none")
loss_case("nll_loss-weight-mean", "nll_loss", "float32", logp, [0, 3, 1, 1, 2], weight=w4)
loss_case("nll_loss-weight-none", "nll_loss", "float32", logp, [0, 3, 1, 1, 2], weight=w4, reduction="none")
loss_case("nll_loss-default-ignore-index-minus100", "nll_loss", "float32", logp, [0, -100, 1, -100, 2])
loss_case("nll_loss-ignore-index-1-weight", "nll_loss", "float32", logp, [0, 3, 1, 1, 2], weight=w4,
          ignore_index=1)
loss_case("nll_loss-ignore-index-none-reduction", "nll_loss", "float32", logp, [0, 3, 1, 1, 2], ignore_index=1,
          reduction="none")
loss_case("nll_loss-all-ignored-mean-is-nan", "nll_loss", "float32", logp, [2, 2, 2, 2, 2], ignore_index=2)
loss_case("nll_loss-one-row", "nll_loss", "float32", logp[:1], [3])
loss_case("nll_loss-one-class-column", "nll_loss", "float32", randn(3, 1), [0, 0, 0])
loss_case("nll_loss-1d-input-one-sample", "nll_loss", "float32", logp[2], 1, weight=w4)
loss_case("nll_loss-1d-input-none-reduction", "nll_loss", "float32", logp[3], 0, reduction="none")
loss_case("nll_loss-float64", "nll_loss", "float64", F.log_softmax(randn(4, 6, dtype="float64"), 1), [5, 0, 2, 2],
          weight=[1.0, 0.5, 2.0, 1.0, 1.0, 3.0])

logits = randn(6, 5) * 3
w5 = [1.0, 0.5, 2.0, 0.1, 1.5]
y6 = [4, 0, 2, 2, 1, 3]
loss_case("cross_entropy-mean", "cross_entropy", "float32", logits, y6)
loss_case("cross_entropy-sum", "cross_entropy", "float32", logits, y6, reduction="sum")
loss_case("cross_entropy-none", "cross_entropy", "float32", logits, y6, reduction="none")
loss_case("cross_entropy-weight-mean", "cross_entropy", "float32", logits, y6, weight=w5)
loss_case("cross_entropy-weight-sum", "cross_entropy", "float32", logits, y6, weight=w5, reduction="sum")
loss_case("cross_entropy-ignore-index", "cross_entropy", "float32", logits, [4, -100, 2, -100, 1, 3])
loss_case("cross_entropy-ignore-index-2-weight", "cross_entropy", "float32", logits, y6, weight=w5,
          ignore_index=2)
loss_case("cross_entropy-label-smoothing", "cross_entropy", "float32", logits, y6, label_smoothing=0.1)
loss_case("cross_entropy-label-smoothing-sum", "cross_entropy", "float32", logits, y6, label_smoothing=0.2,
          reduction="sum")
loss_case("cross_entropy-label-smoothing-none", "cross_entropy", "float32", logits, y6, label_smoothing=0.3,
          reduction="none")
loss_case("cross_entropy-label-smoothing-weight", "cross_entropy", "float32", logits, y6, weight=w5,
          label_smoothing=0.1)
loss_case("cross_entropy-label-smoothing-weight-none", "cross_entropy", "float32", logits, y6, weight=w5,
          label_smoothing=0.25, reduction="none")
loss_case("cross_entropy-label-smoothing-ignore-index", "cross_entropy", "float32", logits,
          [4, -100, 2, 2, -100, 3], label_smoothing=0.1)
loss_case("cross_entropy-label-smoothing-weight-ignore-index", "cross_entropy", "float32", logits, y6,
          weight=w5, ignore_index=2, label_smoothing=0.15)
loss_case("cross_entropy-one-row", "cross_entropy", "float32", logits[:1], [3])
loss_case("cross_entropy-one-class-column", "cross_entropy", "float32", randn(4, 1), [0, 0, 0, 0])
loss_case("cross_entropy-s64-scaled-logits", "cross_entropy", "float32", (randn(4, 7).clamp(-1, 1) * 64), [1, 6, 0, 3])
loss_case("cross_entropy-1d-input-label-smoothing", "cross_entropy", "float32", logits[0], 2, label_smoothing=0.1)
loss_case("cross_entropy-float64", "cross_entropy", "float64", randn(5, 3, dtype="float64") * 2, [2, 0, 1, 1, 0],
          weight=[0.3, 1.0, 2.0], label_smoothing=0.1)


# ---------------------------------------------------------------------------------------------------
# arcface_head: the seed's Arcface.forward verbatim (TreB1eN InsightFace_Pytorch model.py), loss =
# F.cross_entropy(logits, label), grads of that loss w.r.t. embeddings and kernel.

def arcface_forward(embbedings, kernel, label, s=64.0, m=0.5, easy_margin=False):
    cos_m = math.cos(m)
    sin_m = math.sin(m)
    mm = sin_m * m  # issue 1
    threshold = math.cos(math.pi - m)
    # weights norm
    nB = len(embbedings)
    kernel_norm = l2_norm(kernel, axis=0)
    # cos(theta+m)
    cos_theta = torch.mm(embbedings, kernel_norm)
    # output = torch.mm(embbedings,kernel_norm)
    cos_theta = cos_theta.clamp(-1, 1)  # for numerical stability
    cos_theta_2 = torch.pow(cos_theta, 2)
    sin_theta_2 = 1 - cos_theta_2
    sin_theta = torch.sqrt(sin_theta_2)
    cos_theta_m = (cos_theta * cos_m - sin_theta * sin_m)
    if easy_margin:
        # insightface's easy_margin: the margin only where cos_theta > 0, no fallback.
        cos_theta_m = torch.where(cos_theta > 0, cos_theta_m, cos_theta)
    else:
        # this condition controls the theta+m should in range [0, pi]
        #      0<=theta+m<=pi
        #     -m<=theta<=pi-m
        cond_v = cos_theta - threshold
        cond_mask = cond_v <= 0
        keep_val = (cos_theta - mm)  # when theta not in [0,pi], use cosface instead
        cos_theta_m[cond_mask] = keep_val[cond_mask]
    output = cos_theta * 1.0  # a little bit hacky way to prevent in_place operation on cos_theta
    idx_ = torch.arange(0, nB, dtype=torch.long)
    output[idx_, label] = cos_theta_m[idx_, label]
    output *= s  # scale up in order to make softmax work, first introduced in normface
    return output


def unit_rows(x):
    return x / torch.norm(x, 2, 1, True)


def arcface_case(name, dtype, emb, kernel, label, s, m, easy_margin=None, rtol=None, atol=None, note=None):
    e, k = leaf(emb.to(DT[dtype])), leaf(kernel.to(DT[dtype]))
    lab = torch.tensor(label, dtype=torch.long)
    logits = arcface_forward(e, k, lab, s, m, bool(easy_margin))
    loss = F.cross_entropy(logits, lab)
    loss.backward()
    args = {"embeddings": e, "kernel": k, "label": label, "s": s, "m": m}
    if easy_margin is not None:
        args["easy_margin"] = easy_margin
    case(name, "arcface_head", dtype, args,
         {"logits": logits, "loss": loss, "grad": {"embeddings": grad_of(e), "kernel": grad_of(k)}},
         rtol=rtol, atol=atol, note=note)


def cos_with_columns(emb, kernel):
    return emb.double() @ (kernel.double() / kernel.double().norm(dim=0, keepdim=True))


# Embeddings near chosen kernel columns (normal branch) and near their negatives (fallback branch:
# theta + m > pi, i.e. cos_theta <= cos(pi - m)).
K = randn(5, 7)                               # (E=5, C=7)
Kn = K / K.norm(dim=0, keepdim=True)
lab4 = [2, 5, 0, 6]
near = unit_rows(Kn[:, lab4].t() + 0.3 * randn(4, 5))
signs = torch.tensor([[1.0], [-1.0], [1.0], [-1.0]])  # rows 1 and 3: the fallback
mixed_emb = unit_rows(signs * Kn[:, lab4].t() + 0.15 * randn(4, 5))
cosm = cos_with_columns(mixed_emb, K)
target_cos = [cosm[i, lab4[i]].item() for i in range(4)]
assert sum(c <= math.cos(math.pi - 0.5) for c in target_cos) == 2, target_cos
s64 = ("s = 64 multiplies float32 rounding of cos_theta (1 ulp near 1 is 6e-8; more through mm, the column "
       "norms and sqrt) by 64: torch's own float32 result is up to 2e-5 (logits) and 5e-5 (gradients) off the "
       "float64 result for the same inputs, beyond atol 1e-6 for values near 0; atol 1e-4 covers two float32 "
       "implementations erring in opposite directions (rtol stays 1e-5)")
arcface_case("arcface-s64-m0.5-normal-branch", "float32", near, K, lab4, 64.0, 0.5, atol=1e-4, note=s64)
arcface_case("arcface-s64-m0.5-fallback-and-normal", "float32", mixed_emb, K, lab4, 64.0, 0.5,
             atol=1e-4, note=s64 + "; rows 1 and 3 take the fallback cos_theta - sin(m) * m")
arcface_case("arcface-s1-m0.5-fallback-and-normal", "float32", mixed_emb, K, lab4, 1.0, 0.5)
arcface_case("arcface-easy-margin", "float32", mixed_emb, K, lab4, 1.0, 0.5, easy_margin=True)
arcface_case("arcface-easy-margin-false-explicit", "float32", near, K, lab4, 1.0, 0.3, easy_margin=False)
arcface_case("arcface-m0-is-normface", "float32", near, K, lab4, 2.0, 0.0)
arcface_case("arcface-one-row", "float32", near[1:2], K, [5], 1.0, 0.5)
arcface_case("arcface-one-class-column", "float32", near, K[:, :1], [0, 0, 0, 0], 1.0, 0.5)
arcface_case("arcface-non-square-unnormalized-embeddings", "float32", randn(3, 8), randn(8, 2), [1, 0, 1], 1.0, 0.5)
arcface_case("arcface-float64-fallback-and-normal", "float64", mixed_emb.double(), K.double(), lab4, 64.0, 0.5)
arcface_case("arcface-float64-easy-margin", "float64", mixed_emb.double(), K.double(), lab4, 1.0, 0.5,
             easy_margin=True)

# Boundary: embeddings equal to a kernel column (cos = 1 exactly) and to its negative (cos = -1). The
# kernel columns are axis vectors times a power of two, so the normalised column and the products are
# exact. sqrt'(0) = inf, but the gradient never gets there: torch 2.15's clamp backward passes the
# gradient only strictly inside (min, max) (older torch passed it at the bounds too), so at cos = +-1
# exactly the clamp(-1, 1) right after mm stops it and the recorded gradients are finite. (Without that
# clamp, sqrt backward would give inf and 0 * inf = nan.) Whatever torch gives is recorded.
Kb = T([[2.0, 0.0, 0.0, 0.6], [0.0, 4.0, 0.0, 0.8], [0.0, 0.0, 0.5, 0.0]])   # (E=3, C=4)
Eb = T([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0], [0.6, 0.8, 0.0]])
arcface_case("arcface-boundary-cos-plus-minus-1", "float32", Eb, Kb, [0, 1, 3, 2], 1.0, 0.5,
             note="cos = +1 (row 0 target), -1 (row 1 target), +1 as a non-target (row 2): sqrt'(0) = inf, but "
                  "torch 2.15's clamp(-1, 1) backward is 0 at the bounds, so the gradients are finite")
arcface_case("arcface-boundary-target-cos-1-float64", "float64", Eb[:1], Kb, [0], 64.0, 0.5)


# ---------------------------------------------------------------------------------------------------
# combined_margin(cos_theta, label, s, m1, m2, m3): target logit s * (cos(m1 * acos(cos_theta) + m2) - m3),
# others s * cos_theta (see the module docstring for the variant); loss = F.cross_entropy(logits, label).

def combined_margin(cos_theta, label, s, m1, m2, m3):
    idx = torch.arange(0, cos_theta.shape[0], dtype=torch.long)
    theta = torch.acos(cos_theta[idx, label])
    target = torch.cos(m1 * theta + m2) - m3
    logits = cos_theta * 1.0
    logits[idx, label] = target
    return logits * s


def combined_case(name, dtype, cos, label, s, m1, m2, m3, rtol=None, atol=None, note=None):
    c = leaf(cos.to(DT[dtype]))
    lab = torch.tensor(label, dtype=torch.long)
    logits = combined_margin(c, lab, s, m1, m2, m3)
    loss = F.cross_entropy(logits, lab)
    loss.backward()
    case(name, "combined_margin", dtype, {"cos_theta": c, "label": label, "s": s, "m1": m1, "m2": m2, "m3": m3},
         {"logits": logits, "loss": loss, "grad": {"cos_theta": grad_of(c)}}, rtol=rtol, atol=atol, note=note)


presets = [("softmax", 1.0, 0.0, 0.0), ("sphereface", 1.35, 0.0, 0.0), ("arcface", 1.0, 0.5, 0.0),
           ("cosface", 1.0, 0.0, 0.35), ("cm1", 1.0, 0.3, 0.2), ("cm2", 0.9, 0.4, 0.15)]
cos46 = (torch.rand(4, 6, dtype=torch.float64) * 1.96 - 0.98).float()
lab46 = [0, 3, 5, 3]
for (pname, m1, m2, m3) in presets:
    combined_case(f"combined-{pname}-s64", "float32", cos46, lab46, 64.0, m1, m2, m3)
    combined_case(f"combined-{pname}-s1", "float32", cos46, lab46, 1.0, m1, m2, m3)
    combined_case(f"combined-{pname}-float64", "float64", cos46.double(), lab46, 64.0, m1, m2, m3)
# Boundary: cos = +1 and -1 exactly, as target and as non-target; acos'(+-1) = -inf.
cosb = T([[1.0, 0.2, -1.0], [-1.0, 0.5, 1.0], [0.3, 1.0, -0.4]])
for (pname, m1, m2, m3) in [presets[0], presets[2], presets[4]]:
    combined_case(f"combined-boundary-cos-plus-minus-1-{pname}", "float32", cosb, [0, 0, 2], 1.0, m1, m2, m3,
                  note="targets at cos = +1 and -1 exactly (acos backward -inf), a non-target at +1")
combined_case("combined-one-class-column", "float32", cos46[:, :1], [0, 0, 0, 0], 1.0, 1.0, 0.5, 0.0)
combined_case("combined-one-row", "float32", cos46[:1], [4], 1.0, 0.9, 0.4, 0.15)


# ---------------------------------------------------------------------------------------------------
# sgd(params, grads, lr, momentum, dampening, nesterov, weight_decay): torch.optim.SGD; for each step the
# given gradients are assigned to .grad and step() runs; expect params after every step.

def sgd_case(name, dtype, params, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    ps = [leaf(T(p, dtype) if not isinstance(p, torch.Tensor) else p.to(DT[dtype])) for p in params]
    opt = torch.optim.SGD(ps, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                          weight_decay=weight_decay)
    after = []
    args_grads = []
    for step in grads:
        gs = [None if g is None else g.to(DT[dtype]) for g in step]
        args_grads.append(gs)
        for p, g in zip(ps, gs):
            p.grad = None if g is None else g.clone()
        opt.step()
        after.append([p.detach().clone() for p in ps])
    case(name, "sgd", dtype,
         {"params": [p.to(DT[dtype]) if isinstance(p, torch.Tensor) else T(p, dtype) for p in params],
          "grads": args_grads, "lr": lr, "momentum": momentum, "dampening": dampening, "nesterov": nesterov,
          "weight_decay": weight_decay},
         {"params": after})


P0 = [randn(2, 3), randn(3)]
G3 = [[randn(2, 3), randn(3)] for _ in range(3)]
sgd_case("sgd-plain", "float32", P0, G3, 0.1)
sgd_case("sgd-momentum", "float32", P0, G3, 0.1, momentum=0.9)
sgd_case("sgd-momentum-dampening", "float32", P0, G3, 0.1, momentum=0.9, dampening=0.5)
sgd_case("sgd-nesterov", "float32", P0, G3, 0.1, momentum=0.9, nesterov=True)
sgd_case("sgd-weight-decay", "float32", P0, G3, 0.1, weight_decay=5e-4)
sgd_case("sgd-seed-config-momentum-weight-decay", "float32", P0, G3, 1e-3, momentum=0.9, weight_decay=5e-4)
sgd_case("sgd-nesterov-weight-decay", "float32", P0, G3, 0.05, momentum=0.8, nesterov=True, weight_decay=1e-2)
sgd_case("sgd-one-param-one-step", "float32", [randn(1, 4)], [[randn(1, 4)]], 0.5, momentum=0.9)
sgd_case("sgd-momentum-dampening-weight-decay", "float32", P0, G3, 0.1, momentum=0.9, dampening=0.1, weight_decay=1e-3)
sgd_case("sgd-nesterov-weight-decay-float64", "float64", P0, G3, 0.05, momentum=0.8, nesterov=True, weight_decay=1e-2)
# A None gradient: torch skips that parameter in that step (its momentum buffer is kept).
sgd_case("sgd-missing-grad-skips-param", "float32", P0, [G3[0], [None, G3[1][1]], G3[2]], 0.1, momentum=0.9)
# No float64 sgd case: ArcFaceKit's SGD is Float32 only (the reader reports float64 sgd as unsupported).


# ---------------------------------------------------------------------------------------------------
# multistep_lr(base_lr, milestones, gamma, epochs): lr[e] is the learning rate in effect during epoch e
# (read before scheduler.step() at the end of the epoch); the seed's milestones are [12, 15, 18]. No
# dtype: the schedule has no tensors (torch computes it in Python floats, ArcFaceKit in Float32).

def multistep_case(name, base_lr, milestones, gamma, epochs):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=gamma)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    case(name, "multistep_lr", None,
         {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}, {"lr": lrs})


multistep_case("multistep-seed-milestones-12-15-18", 0.1, [12, 15, 18], 0.1, 20)
multistep_case("multistep-seed-lr-1e-3", 1e-3, [12, 15, 18], 0.1, 20)
multistep_case("multistep-gamma-0.5-short", 0.05, [2, 4], 0.5, 6)
multistep_case("multistep-no-milestone-reached", 0.01, [30], 0.1, 5)
multistep_case("multistep-repeated-and-unsorted-milestones", 0.2, [5, 3, 3], 0.5, 7)


def main():
    doc = {"torch_version": torch.__version__, "cases": cases}
    text = ('{"torch_version": ' + json.dumps(doc["torch_version"]) + ', "cases": [\n'
            + ",\n".join(json.dumps(c, allow_nan=False) for c in cases) + "\n]}\n")
    json.loads(text)
    if len(sys.argv) > 1 and sys.argv[1] == "-":
        sys.stdout.write(text)
        return
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "parity-reference.json")
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {len(cases)} cases to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
