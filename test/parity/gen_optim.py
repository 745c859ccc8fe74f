"""Optimizer, LR-schedule and gradient-clipping fixtures (test/parity/optim.test.ts).

Every optimizer case runs 10 steps on the same deterministic loss over two small parameters,
    L = sum(w1 * (p1 - t1) ** 2) + 0.1 * sum(p1 ** 4) + (the same for p2),
written with multiplications only so that both sides build the same graph. A third parameter p3
never gets a gradient (PyTorch skips it). Options are written in the TypeScript spelling.
"""
import torch

from common import t, write

# TypeScript option name -> PyTorch keyword.
RENAME = {
    "weightDecay": "weight_decay",
    "lrDecay": "lr_decay",
    "initialAccumulatorValue": "initial_accumulator_value",
}

OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}

# (name, optimizer, options, groups): groups None means one group [p1, p2, p3]; otherwise a list
# of (param names, per-group options).
TWO_GROUPS = [(["p1"], {}), (["p2", "p3"], {"lr": 0.02})]
CASES = [
    ("sgd_plain", "SGD", {"lr": 0.05}, None),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}, None),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weightDecay": 0.1}, None),
    ("sgd_maximize", "SGD", {"lr": 0.01, "maximize": True}, None),
    ("sgd_two_groups", "SGD", {"lr": 0.05, "momentum": 0.9}, [(["p1"], {}), (["p2", "p3"], {"lr": 0.02, "momentum": 0.5})]),
    ("adam_plain", "Adam", {"lr": 0.05}, None),
    ("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True, "betas": [0.8, 0.99]}, None),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weightDecay": 0.1, "eps": 1e-6}, None),
    ("adam_maximize_two_groups", "Adam", {"lr": 0.01, "maximize": True}, TWO_GROUPS),
    ("adamw_plain", "AdamW", {"lr": 0.05}, None),
    ("adamw_amsgrad_two_groups", "AdamW", {"lr": 0.05, "weightDecay": 0.2, "amsgrad": True}, TWO_GROUPS),
    ("rmsprop_plain", "RMSprop", {"lr": 0.01}, None),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}, None),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9, "alpha": 0.9}, None),
    ("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weightDecay": 0.1, "centered": True, "momentum": 0.5}, TWO_GROUPS),
    ("adagrad_plain", "Adagrad", {"lr": 0.1}, None),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lrDecay": 0.05}, None),
    ("adagrad_initial_accumulator", "Adagrad", {"lr": 0.1, "initialAccumulatorValue": 0.5}, None),
    ("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weightDecay": 0.1, "maximize": True}, TWO_GROUPS),
]
STEPS = 10


def torch_kwargs(options):
    out = {RENAME.get(k, k): v for k, v in options.items()}
    if "betas" in out:
        out["betas"] = tuple(out["betas"])
    return out


def loss_fn(params, problem):
    total = 0
    for name in ("p1", "p2"):
        p, w, tgt = params[name], problem["w_" + name], problem["t_" + name]
        d = p - tgt
        total = total + (w * d * d).sum() + (p * p * p * p).sum() * 0.1
    return total


def state_of(opt):
    """The optimizer's per-parameter state as {index: {name: tensor or number}}."""
    out = {}
    for index, s in opt.state_dict()["state"].items():
        entry = {}
        for k, v in s.items():
            if v is None:
                continue
            entry[k] = float(v) if k == "step" else t(v)
        out[str(index)] = entry
    return out


def gen_trajectories():
    g = torch.Generator().manual_seed(0)
    init = {"p1": torch.randn(3, 4, generator=g), "p2": torch.randn(5, generator=g), "p3": torch.randn(2, generator=g)}
    problem = {
        "t_p1": torch.randn(3, 4, generator=g) * 0.5,
        "t_p2": torch.randn(5, generator=g) * 0.5,
        "w_p1": torch.rand(3, 4, generator=g) + 0.5,
        "w_p2": torch.rand(5, generator=g) + 0.5,
    }
    cases = []
    for name, kind, options, groups in CASES:
        params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
        if groups is None:
            torch_groups = [params["p1"], params["p2"], params["p3"]]
        else:
            torch_groups = [dict(params=[params[n] for n in names], **torch_kwargs(o)) for names, o in groups]
        opt = OPTIMIZERS[kind](torch_groups, **torch_kwargs(options))
        trajectory = []
        for _ in range(STEPS):
            opt.zero_grad(set_to_none=True)
            loss_fn(params, problem).backward()
            opt.step()
            trajectory.append({k: t(v) for k, v in params.items()})
        cases.append({
            "name": name,
            "optimizer": kind,
            "options": options,
            "groups": None if groups is None else [{"params": names, "options": o} for names, o in groups],
            "trajectory": trajectory,
            "state": state_of(opt),
            "paramGroups": [{k: v for k, v in pg.items() if k in ("lr", "params")} for pg in opt.state_dict()["param_groups"]],
        })
    write("optim_trajectories", {
        "steps": STEPS,
        "init": {k: t(v) for k, v in init.items()},
        "problem": {k: t(v) for k, v in problem.items()},
        "cases": cases,
    })


METRICS_MIN = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.8, 0.85, 0.8001, 0.86, 0.87, 0.88, 0.79, 0.7999, 0.795, 0.794, 0.7941, 0.8, 0.81, 0.5, 0.6, 0.6, 0.6, 0.6]


def gen_schedulers():
    cases = []

    def make_opt():
        a, b = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
        return torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1, momentum=0.9)

    for name, ctor, options in [
        ("step_lr", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), {"stepSize": 3, "gamma": 0.5}),
        ("step_lr_default_gamma", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4), {"stepSize": 4}),
        ("exponential_lr", lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), {"gamma": 0.9}),
    ]:
        opt = make_opt()
        sched = ctor(opt)
        lrs = [sched.get_last_lr()]
        for _ in range(15):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        cases.append({"name": name, "kind": "StepLR" if name.startswith("step") else "ExponentialLR", "options": options, "lrs": lrs, "lastEpoch": sched.last_epoch})

    plateau = [
        ("plateau_min_rel", {"mode": "min", "patience": 2, "cooldown": 1, "factor": 0.5}, METRICS_MIN),
        ("plateau_min_abs", {"mode": "min", "patience": 1, "threshold": 0.01, "thresholdMode": "abs", "cooldown": 2, "minLr": [0.02, 0.001]}, METRICS_MIN),
        ("plateau_max_rel", {"mode": "max", "patience": 2, "threshold": 0.05, "cooldown": 1}, [-m for m in METRICS_MIN]),
        ("plateau_max_abs", {"mode": "max", "patience": 0, "thresholdMode": "abs", "threshold": 0.02, "factor": 0.7, "minLr": 0.03}, [2 - m for m in METRICS_MIN]),
        ("plateau_defaults", {}, METRICS_MIN),
    ]
    for name, options, metrics in plateau:
        opt = make_opt()
        kwargs = {
            "mode": options.get("mode", "min"),
            "factor": options.get("factor", 0.1),
            "patience": options.get("patience", 10),
            "threshold": options.get("threshold", 1e-4),
            "threshold_mode": options.get("thresholdMode", "rel"),
            "cooldown": options.get("cooldown", 0),
            "min_lr": options.get("minLr", 0),
        }
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        lrs, bad, cool = [], [], []
        for m in metrics:
            opt.step()
            sched.step(m)
            lrs.append(sched._last_lr)
            bad.append(sched.num_bad_epochs)
            cool.append(sched.cooldown_counter)
        cases.append({"name": name, "kind": "ReduceLROnPlateau", "options": options, "metrics": metrics,
                      "lrs": lrs, "numBadEpochs": bad, "cooldownCounter": cool, "best": sched.best})
    write("optim_schedulers", {"cases": cases})


def gen_clip():
    g = torch.Generator().manual_seed(1)
    grads = [torch.randn(4, 3, generator=g) * 2, torch.randn(7, generator=g), torch.randn(2, 2, generator=g) * 0.1]
    cases = []
    for name, max_norm, norm_type in [
        ("l2_clipped", 1.0, 2.0),
        ("l2_unclipped", 100.0, 2.0),
        ("inf_clipped", 0.5, float("inf")),
        ("inf_unclipped", 10.0, float("inf")),
        ("l1_clipped", 2.0, 1.0),
        ("l3_clipped", 1.5, 3.0),
    ]:
        params = [torch.zeros_like(x, requires_grad=True) for x in grads] + [torch.zeros(3, requires_grad=True)]
        for p, x in zip(params, grads):
            p.grad = x.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        cases.append({"name": name, "maxNorm": max_norm, "normType": "inf" if norm_type == float("inf") else norm_type,
                      "totalNorm": float(total), "grads": [t(p.grad) for p in params[:3]]})
    params = [torch.zeros_like(x, requires_grad=True) for x in grads]
    for p, x in zip(params, grads):
        p.grad = x.clone()
    torch.nn.utils.clip_grad_value_(params, 0.75)
    write("optim_clip", {
        "grads": [t(x) for x in grads],
        "cases": cases,
        "value": {"clipValue": 0.75, "grads": [t(p.grad) for p in params]},
    })


def main():
    gen_trajectories()
    gen_schedulers()
    gen_clip()
