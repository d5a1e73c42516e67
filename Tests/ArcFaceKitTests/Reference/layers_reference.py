"""Writes layers.json: PyTorch's values for ArcFaceKit's layers, optimizer and scheduler tests.

Run from anywhere with a torch-enabled Python (the Swift tests only read the JSON):
    /work/torchenv/bin/python Tests/ArcFaceKitTests/Reference/layers_reference.py

Contents
- linear: nn.Linear with weights set from the file; forward, and backward of a given grad_output.
- batchnorm: nn.BatchNorm1d, weight/bias set from the file; 3 training batches (output, grads,
  running statistics and num_batches_tracked after each), then eval mode on a new batch.
- sgd: torch.optim.SGD over 5 steps with given gradients (null = p.grad is None that step), two
  param groups with their own lr / weight_decay; parameters after every step.
- multistep: MultiStepLR; the lr each group uses in epoch e when scheduler.step() ends every epoch,
  and get_last_lr() after each step.
Tensors are {"shape": [...], "data": [...]} with float32 values written as exact decimal doubles.
"""

import json
import os

import torch

torch.manual_seed(0)


def enc(t):
    t = torch.as_tensor(t, dtype=torch.float32).detach()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(*shape) * scale + shift


# ---------------------------------------------------------------- Linear
linear = []


def linear_case(name, x_shape, n_in, n_out, bias):
    x = randn(*x_shape).requires_grad_()
    m = torch.nn.Linear(n_in, n_out, bias=bias)
    with torch.no_grad():
        m.weight.copy_(randn(n_out, n_in))
        if bias:
            m.bias.copy_(randn(n_out))
    y = m(x)
    gy = randn(*y.shape)
    y.backward(gy)
    linear.append({
        "name": name, "bias": bias,
        "x": enc(x), "weight": enc(m.weight), "bias_value": enc(m.bias) if bias else None,
        "grad_output": enc(gy), "output": enc(y),
        "grad_x": enc(x.grad), "grad_weight": enc(m.weight.grad), "grad_bias": enc(m.bias.grad) if bias else None,
    })


linear_case("Linear(3, 5) on (4, 3)", (4, 3), 3, 5, True)
linear_case("Linear(6, 2, bias=False) on (7, 6)", (7, 6), 6, 2, False)
linear_case("Linear(3, 4) on a 3-D input (2, 5, 3)", (2, 5, 3), 3, 4, True)

# ---------------------------------------------------------------- BatchNorm1d
batchnorm = []


def bn_case(name, C, momentum, affine, shapes, eval_shape):
    m = torch.nn.BatchNorm1d(C, momentum=momentum, affine=affine)
    if affine:
        with torch.no_grad():
            m.weight.copy_(randn(C, scale=0.5, shift=1.0))
            m.bias.copy_(randn(C, scale=0.5))
    case = {"name": name, "num_features": C, "momentum": momentum, "affine": affine,
            "weight": enc(m.weight) if affine else None, "bias": enc(m.bias) if affine else None,
            "train": [], "eval": None}

    def run(shape):
        # channels with different means and scales, so the running statistics move visibly
        x = (torch.randn(*shape) * torch.linspace(0.5, 2.0, C).reshape((1, C) + (1,) * (len(shape) - 2))
             + torch.linspace(-1.0, 3.0, C).reshape((1, C) + (1,) * (len(shape) - 2))).requires_grad_()
        if affine:
            m.weight.grad = None
            m.bias.grad = None
        y = m(x)
        gy = randn(*y.shape)
        y.backward(gy)
        return {"x": enc(x), "grad_output": enc(gy), "output": enc(y), "grad_x": enc(x.grad),
                "grad_weight": enc(m.weight.grad) if affine else None,
                "grad_bias": enc(m.bias.grad) if affine else None,
                "running_mean": enc(m.running_mean), "running_var": enc(m.running_var),
                "num_batches_tracked": int(m.num_batches_tracked)}

    m.train()
    for s in shapes:
        case["train"].append(run(s))
    m.eval()
    case["eval"] = run(eval_shape)
    batchnorm.append(case)


bn_case("BatchNorm1d(3), momentum 0.1, affine", 3, 0.1, True, [(6, 3), (6, 3), (4, 3)], (5, 3))
bn_case("BatchNorm1d(4), momentum None (cumulative average)", 4, None, True, [(5, 4), (8, 4), (3, 4)], (6, 4))
bn_case("BatchNorm1d(2, affine=False), momentum 0.3", 2, 0.3, False, [(4, 2), (7, 2), (5, 2)], (3, 2))
bn_case("BatchNorm1d(3) on (B, C, L) inputs", 3, 0.1, True, [(4, 3, 2), (3, 3, 5), (2, 3, 3)], (2, 3, 4))

# ---------------------------------------------------------------- SGD
sgd = []


def sgd_case(name, defaults, groups, none_at=()):
    """groups: list of (param indices, overrides); none_at: (step, param index) pairs with grad None."""
    shapes = [(3, 2), (4,), (2, 2)]
    params = [torch.nn.Parameter(randn(*s)) for s in shapes]
    initial = [enc(p) for p in params]
    opt = torch.optim.SGD([dict(params=[params[i] for i in idx], **over) for idx, over in groups], **defaults)
    steps = []
    for step in range(5):
        grads = []
        for i, p in enumerate(params):
            if (step, i) in none_at:
                p.grad = None
                grads.append(None)
            else:
                g = randn(*p.shape)
                p.grad = g.clone()
                grads.append(enc(g))
        opt.step()
        steps.append({"grads": grads, "params": [enc(p) for p in params]})
    sgd.append({"name": name, "defaults": defaults,
                "groups": [{"params": idx, **over} for idx, over in groups],
                "initial": initial, "steps": steps})


two_groups = [([0, 2], {"lr": 0.1, "weight_decay": 5e-4}), ([1], {"lr": 0.05})]
sgd_case("plain SGD, one group", {"lr": 0.1}, [([0, 1, 2], {})])
sgd_case("momentum 0.9, two groups (lr 0.1 wd 5e-4 / lr 0.05 wd default 1e-4)",
         {"lr": 0.01, "momentum": 0.9, "weight_decay": 1e-4}, two_groups)
sgd_case("momentum 0.9 dampening 0.2, two groups", {"lr": 0.01, "momentum": 0.9, "dampening": 0.2, "weight_decay": 1e-4},
         two_groups)
sgd_case("nesterov momentum 0.8, two groups", {"lr": 0.01, "momentum": 0.8, "weight_decay": 1e-3, "nesterov": True},
         two_groups)
sgd_case("momentum 0.9 with grads missing on some steps", {"lr": 0.05, "momentum": 0.9, "weight_decay": 5e-4},
         [([0, 1], {}), ([2], {"lr": 0.2, "weight_decay": 0.0})], none_at={(0, 1), (2, 0), (3, 0), (4, 2)})
sgd_case("group overrides momentum and nesterov", {"lr": 0.02},
         [([0], {"momentum": 0.9, "nesterov": True}), ([1, 2], {"momentum": 0.5, "dampening": 0.5, "weight_decay": 0.01})])

# ---------------------------------------------------------------- MultiStepLR
multistep = []


def multistep_case(name, lrs, milestones, gamma, epochs):
    ps = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=gamma)
    epoch_lrs, last_lrs = [], []
    for _ in range(epochs):
        epoch_lrs.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
        last_lrs.append(list(sched.get_last_lr()))
    multistep.append({"name": name, "lrs": lrs, "milestones": milestones, "gamma": gamma, "epochs": epochs,
                      "epoch_lrs": epoch_lrs, "last_lrs": last_lrs})


multistep_case("seed schedule: milestones [12, 15, 18], gamma 0.1, 20 epochs", [0.1], [12, 15, 18], 0.1, 20)
multistep_case("milestones [2, 4], gamma 0.5, two groups, 6 epochs", [0.1, 0.02], [2, 4], 0.5, 6)
multistep_case("repeated milestone [3, 3], gamma 0.5, 5 epochs", [1.0], [3, 3], 0.5, 5)

out = {
    "torch_version": torch.__version__,
    "generated_by": "Tests/ArcFaceKitTests/Reference/layers_reference.py",
    "linear": linear,
    "batchnorm": batchnorm,
    "sgd": sgd,
    "multistep": multistep,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {path} (torch {torch.__version__})")
