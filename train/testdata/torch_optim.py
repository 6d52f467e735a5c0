#!/usr/bin/python3
"""Writes torch_optim.json: PyTorch reference values for train/optim_test.go, schedule_test.go and
clip_test.go.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 train/testdata/torch_optim.py

Everything is float64. Python's json writes the shortest repr of each float, which Go parses back exactly.

optimizers: each case runs one torch.optim optimizer (foreach=False, the per-tensor code path) on two
  parameters, "w" (2, 3) and "b" (3,), for 5 steps. The gradients are not computed by a model: they are a
  fixed sequence drawn from a seeded generator and assigned to p.grad before each step; null means
  p.grad = None (torch skips that parameter). lrs gives the learning rate of each step (set in the param
  group). after[k] holds the parameters after step k. config uses intentlab's OptimizerConfig keys.
schedules: the learning rate of each optimizer step under torch.optim.lr_scheduler, read from the param
  group before the step: StepLR stepped once per epoch; CosineAnnealingLR stepped once per step; LinearLR
  from 1/W to 1 over W steps (total_iters = W - 1), alone and followed by cosine through SequentialLR.
  config uses intentlab's ScheduleConfig keys.
clip: torch.nn.utils.clip_grad_norm_ on three float64 gradients: the returned norm and the gradients after.
"""
import json
import os
import warnings

import torch

torch.set_default_dtype(torch.float64)
# SequentialLR steps its second scheduler with step(0) at the milestone (closed form), which warns.
warnings.filterwarnings("ignore", message="The epoch parameter")
HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 5


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def optimizer_case(name, config, make, lrs, skip=()):
    """Runs make(params) for len(lrs) steps; skip holds (step, param index) pairs whose grad is None."""
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    shapes = [("w", (2, 3)), ("b", (3,))]
    params = [torch.nn.Parameter(torch.randn(s, generator=gen)) for _, s in shapes]
    init = [flat(p) for p in params]
    opt = make(params)
    grads, after = [], []
    for k, lr in enumerate(lrs):
        for group in opt.param_groups:
            group["lr"] = lr
        step = []
        for i, p in enumerate(params):
            g = torch.randn(p.shape, generator=gen) * 0.5
            if (k, i) in skip:
                p.grad = None
                step.append(None)
            else:
                p.grad = g
                step.append(flat(g))
        grads.append(step)
        opt.step()
        after.append([flat(p) for p in params])
    return {
        "name": name,
        "config": config,
        "params": [{"name": n, "shape": list(s), "init": v} for (n, s), v in zip(shapes, init)],
        "lrs": lrs,
        "grads": grads,
        "after": after,
    }


def optimizers():
    lrs = [0.1, 0.1, 0.05, 0.05, 0.02]
    sgd = torch.optim.SGD
    adam = torch.optim.Adam
    adamw = torch.optim.AdamW
    return [
        optimizer_case("sgd_plain", {"name": "sgd"}, lambda p: sgd(p, lr=0.1, foreach=False), lrs),
        optimizer_case("sgd_momentum", {"name": "sgd", "momentum": 0.9},
                       lambda p: sgd(p, lr=0.1, momentum=0.9, foreach=False), lrs),
        optimizer_case("sgd_nesterov_wd", {"name": "sgd", "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
                       lambda p: sgd(p, lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01, foreach=False),
                       lrs),
        optimizer_case("sgd_momentum_skip", {"name": "sgd", "momentum": 0.9},
                       lambda p: sgd(p, lr=0.1, momentum=0.9, foreach=False), lrs, skip={(0, 1), (2, 1)}),
        optimizer_case("adam", {"name": "adam"}, lambda p: adam(p, lr=0.1, foreach=False), lrs),
        optimizer_case("adam_wd", {"name": "adam", "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05},
                       lambda p: adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, foreach=False),
                       lrs),
        optimizer_case("adamw", {"name": "adamw", "weight_decay": 0.1},
                       lambda p: adamw(p, lr=0.1, weight_decay=0.1, foreach=False), lrs),
        optimizer_case("adam_skip", {"name": "adam"}, lambda p: adam(p, lr=0.1, foreach=False), lrs,
                       skip={(1, 1), (2, 1)}),
    ]


def schedule_lrs(make, base, steps_per_epoch, total, per_epoch):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    sched = make(opt)
    lrs = []
    for s in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if not per_epoch or (s + 1) % steps_per_epoch == 0:
            sched.step()
    return lrs


def schedules():
    lr_sched = torch.optim.lr_scheduler
    cases = []

    def case(name, config, make, base, steps_per_epoch, total, per_epoch):
        cases.append({
            "name": name, "config": config, "base": base, "steps_per_epoch": steps_per_epoch,
            "total_steps": total, "lrs": schedule_lrs(make, base, steps_per_epoch, total, per_epoch),
        })

    case("step", {"name": "step", "step_epochs": 2, "gamma": 0.5},
         lambda o: lr_sched.StepLR(o, step_size=2, gamma=0.5), 0.1, 3, 21, True)
    case("step_default", {"name": "step"},
         lambda o: lr_sched.StepLR(o, step_size=10, gamma=0.1), 0.3, 2, 50, True)
    case("cosine", {"name": "cosine", "min_lr": 0.001},
         lambda o: lr_sched.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 0.1, 4, 20, False)
    case("constant_warmup", {"name": "constant", "warmup_steps": 4},
         lambda o: lr_sched.LinearLR(o, start_factor=1 / 4, end_factor=1.0, total_iters=3), 0.1, 5, 10, False)
    case("cosine_warmup", {"name": "cosine", "min_lr": 0.01, "warmup_steps": 4},
         lambda o: lr_sched.SequentialLR(o, [
             lr_sched.LinearLR(o, start_factor=1 / 4, end_factor=1.0, total_iters=3),
             lr_sched.CosineAnnealingLR(o, T_max=24 - 4, eta_min=0.01),
         ], milestones=[4]), 0.2, 6, 24, False)
    return cases


def clips():
    gen = torch.Generator().manual_seed(7)
    shapes = [(2, 3), (4,), (1,)]
    cases = []
    for max_norm in [1.0, 100.0]:
        grads = [torch.randn(s, generator=gen) for s in shapes]
        params = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        cases.append({
            "max_norm": max_norm, "shapes": [list(s) for s in shapes], "grads": [flat(g) for g in grads],
            "norm": float(norm), "clipped": [flat(p.grad) for p in params],
        })
    return cases


def main():
    out = {
        "torch": torch.__version__,
        "optimizers": optimizers(),
        "schedules": schedules(),
        "clip": clips(),
    }
    with open(os.path.join(HERE, "torch_optim.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
