#!/usr/bin/env python3
"""optim_ref.py - reference steps of Keras 3's optimizers and learning-rate
schedules, in float64 numpy, for tests/test_optim.c.

Written from Keras 3's source (github.com/keras-team/keras, keras/src/):
  optimizers/base_optimizer.py   apply(): _clip_gradients (clipnorm per
      variable via _clip_by_norm, global_clipnorm via clip_by_global_norm,
      clipvalue via ops.clip; one of them), then _apply_weight_decay
      (variable - variable * weight_decay * learning_rate), then
      update_step() per variable, then iterations += 1; learning_rate is
      the schedule at `iterations` before the increment
  optimizers/sgd.py, rmsprop.py, adam.py, adamw.py, adagrad.py, nadam.py
      update_step() (nadam: _backend_update_step's u_product)
  optimizers/schedules/learning_rate_schedule.py  ExponentialDecay,
      PiecewiseConstantDecay, CosineDecay
It does not use seqc's C code (runtime/optim.c); only the inputs are shared.

Each case: a small parameter vector in tensors (one of them not trainable:
Keras's optimizer never sees it, so it must not change), fixed float32
weights and gradients, and the weights after every step in float64.

usage: optim_ref.py OUT.bin        (tests/reference/make_golden.sh runs it)

Format SEQCOPT1 (little-endian):
  "SEQCOPT1", u32 case count; per case:
    u32 length, name; u32 key count, per key: u32 length, key, f64 value
      (the rt_optim_config fields by name; boundaries and values as
      boundary0.., value0..; exact = 1: the weights must match bit for bit);
    u32 n, u32 tensor count, per tensor: u32 offset, u32 size, u32 trainable;
    u32 steps; f32 weights[n]; per step: f32 gradient[n], f64 learning rate
    of the step, f64 weights[n] after it.
"""
import math
import struct
import sys

import numpy as np

KINDS = ["sgd", "rmsprop", "adam", "adamw", "adagrad", "nadam"]
SCHEDULES = [None, "exponential_decay", "piecewise_constant_decay", "cosine_decay"]

# Keras 3 defaults (the optimizers' __init__ signatures)
DEFAULTS = {
    "sgd": dict(learning_rate=0.01, momentum=0.0, nesterov=False),
    "rmsprop": dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
    "adam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
    "adamw": dict(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                  epsilon=1e-7, amsgrad=False),
    "adagrad": dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7),
    "nadam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
}

# (name, size, trainable): a kernel, a bias, batch norm's moving mean, a kernel
TENSORS = [("kernel", 12, True), ("bias", 4, True), ("moving_mean", 4, False), ("kernel2", 15, True)]
GRAD_SCALE = [0.5, 2.0, 1.0, 0.05]   # so that clipnorm clips some tensors and not others


# ---- learning_rate_schedule.py ---------------------------------------------

def schedule_lr(lr, step):
    if not isinstance(lr, dict):
        return float(lr)
    (kind, o), = lr.items()
    step = float(step)
    if kind == "exponential_decay":
        p = step / o["decay_steps"]
        if o.get("staircase", False):
            p = math.floor(p)
        return o["initial_learning_rate"] * o["decay_rate"] ** p
    if kind == "piecewise_constant_decay":
        b, v = o["boundaries"], o["values"]
        result = 0.0
        result += (step <= b[0]) * v[0]
        result += (step > b[-1]) * v[-1]
        for low, high, value in zip(b[:-1], b[1:], v[1:-1]):
            result += (low < step <= high) * value
        return result
    if kind == "cosine_decay":
        lr0, ds = o["initial_learning_rate"], float(o["decay_steps"])
        alpha = o.get("alpha", 0.0)
        target, ws = o.get("warmup_target"), float(o.get("warmup_steps", 0))

        def decay(s, frm):
            cosine_decayed = 0.5 * (1.0 + math.cos(math.pi * (s / ds)))
            return frm * ((1 - alpha) * cosine_decayed + alpha)
        if target is None:
            return decay(min(step, ds), lr0)
        s = min(step, ds + ws)
        if s < ws:
            return (target - lr0) * (s / ws) + lr0
        return decay(s - ws, target)
    raise ValueError(kind)


# ---- base_optimizer.py + the optimizers -------------------------------------

class Optimizer:
    def __init__(self, kind, opts, variables):
        self.kind = kind
        self.o = dict(DEFAULTS[kind])
        self.o.update(opts)
        self.iterations = 0
        shapes = [v.shape for v in variables]
        z = lambda: [np.zeros(s) for s in shapes]
        o = self.o
        if kind == "sgd":
            self.momentums = z() if o["momentum"] != 0 else None
        elif kind == "rmsprop":
            self.velocities = z()
            self.momentums = z() if o["momentum"] > 0 else None
            self.average_gradients = z() if o["centered"] else None
        elif kind in ("adam", "adamw"):
            self.m, self.v = z(), z()
            self.v_hat = z() if o["amsgrad"] else None
        elif kind == "adagrad":
            self.accumulators = [np.full(s, o["initial_accumulator_value"]) for s in shapes]
        elif kind == "nadam":
            self.m, self.v = z(), z()
            self.u_product = 1.0

    def learning_rate(self):
        return schedule_lr(self.o["learning_rate"], self.iterations)

    def clip(self, grads):
        o = self.o
        if o.get("clipnorm"):
            c = o["clipnorm"]
            out = []
            for g in grads:
                l2sum = np.sum(g * g)
                l2norm = math.sqrt(l2sum) if l2sum > 0 else l2sum
                out.append(g * c / max(l2norm, c))
            return out
        if o.get("global_clipnorm"):
            c = o["global_clipnorm"]
            norm = math.sqrt(sum(np.sum(g * g) for g in grads))
            scale = c * min(1.0 / norm if norm else math.inf, 1.0 / c)
            return [g * scale for g in grads]
        if o.get("clipvalue"):
            v = o["clipvalue"]
            return [np.clip(g, -v, v) for g in grads]
        return grads

    def apply(self, grads, variables):
        lr = self.learning_rate()
        grads = self.clip(grads)
        wd = self.o.get("weight_decay")
        if wd is not None:
            for var in variables:
                var -= var * wd * lr
        if self.kind == "nadam":   # Nadam._backend_update_step
            self.u_product *= self.o["beta_1"] * (1.0 - 0.5 * 0.96 ** (self.iterations + 1))
        for i, (g, var) in enumerate(zip(grads, variables)):
            getattr(self, "update_" + self.kind.replace("adamw", "adam"))(i, g, var, lr)
        self.iterations += 1
        return lr

    def update_sgd(self, i, g, var, lr):
        o = self.o
        if self.momentums is not None:
            m = self.momentums[i]
            m[...] = m * o["momentum"] - g * lr
            if o["nesterov"]:
                var += m * o["momentum"] - g * lr
            else:
                var += m
        else:
            var -= g * lr

    def update_rmsprop(self, i, g, var, lr):
        o = self.o
        rho = o["rho"]
        vel = self.velocities[i]
        vel[...] = rho * vel + (1 - rho) * g * g
        if o["centered"]:
            avg = self.average_gradients[i]
            avg[...] = rho * avg + (1 - rho) * g
            denominator = vel - avg * avg + o["epsilon"]
        else:
            denominator = vel + o["epsilon"]
        increment = lr * g / np.sqrt(denominator)
        if self.momentums is not None:
            mom = self.momentums[i]
            mom[...] = o["momentum"] * mom + increment
            var -= mom
        else:
            var -= increment

    def update_adam(self, i, g, var, lr):
        o = self.o
        local_step = self.iterations + 1
        b1p, b2p = o["beta_1"] ** local_step, o["beta_2"] ** local_step
        alpha = lr * math.sqrt(1 - b2p) / (1 - b1p)
        m, v = self.m[i], self.v[i]
        m += (g - m) * (1 - o["beta_1"])
        v += (g * g - v) * (1 - o["beta_2"])
        if self.v_hat is not None:
            vh = self.v_hat[i]
            vh[...] = np.maximum(vh, v)
            v = vh
        var -= m * alpha / (np.sqrt(v) + o["epsilon"])

    def update_adagrad(self, i, g, var, lr):
        acc = self.accumulators[i]
        acc += g * g
        var -= lr * g / np.sqrt(acc + self.o["epsilon"])

    def update_nadam(self, i, g, var, lr):
        o = self.o
        b1, b2 = o["beta_1"], o["beta_2"]
        local_step, next_step = self.iterations + 1, self.iterations + 2
        u_t = b1 * (1.0 - 0.5 * 0.96 ** local_step)
        u_t_1 = b1 * (1.0 - 0.5 * 0.96 ** next_step)
        u_product_t = self.u_product
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = b2 ** local_step
        m, v = self.m[i], self.v[i]
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * g / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        var -= m_hat * lr / (np.sqrt(v_hat) + o["epsilon"])


# ---- the cases ---------------------------------------------------------------

EXP = {"exponential_decay": dict(initial_learning_rate=0.1, decay_steps=2, decay_rate=0.5)}
CASES = [
    # name, optimizer, options, steps
    ("sgd_lr1_exact", "sgd", dict(learning_rate=1.0), 3),
    ("sgd", "sgd", dict(learning_rate=0.1), 3),
    ("sgd_momentum", "sgd", dict(learning_rate=0.1, momentum=0.9), 3),
    ("sgd_nesterov", "sgd", dict(learning_rate=0.1, momentum=0.9, nesterov=True), 3),
    ("rmsprop", "rmsprop", dict(learning_rate=0.01), 3),
    ("rmsprop_momentum", "rmsprop", dict(learning_rate=0.01, momentum=0.9), 3),
    ("rmsprop_centered", "rmsprop", dict(learning_rate=0.01, centered=True), 3),
    ("rmsprop_centered_momentum", "rmsprop", dict(learning_rate=0.01, momentum=0.5, centered=True, rho=0.8), 3),
    ("adam", "adam", dict(learning_rate=0.01), 3),
    ("adam_amsgrad", "adam", dict(learning_rate=0.01, amsgrad=True, beta_2=0.9), 3),
    ("adamw", "adamw", dict(learning_rate=0.01), 3),
    ("adamw_amsgrad_wd", "adamw", dict(learning_rate=0.01, weight_decay=0.1, amsgrad=True), 3),
    ("adagrad", "adagrad", dict(learning_rate=0.1), 3),
    ("nadam", "nadam", dict(learning_rate=0.01), 3),
    ("sgd_weight_decay", "sgd", dict(learning_rate=0.1, momentum=0.9, weight_decay=0.1), 3),
    ("sgd_clipnorm", "sgd", dict(learning_rate=0.1, momentum=0.9, clipnorm=1.0), 3),
    ("sgd_clipvalue", "sgd", dict(learning_rate=0.1, clipvalue=0.5), 3),
    ("sgd_global_clipnorm", "sgd", dict(learning_rate=0.1, global_clipnorm=1.0), 3),
    ("adam_clipnorm", "adam", dict(learning_rate=0.01, clipnorm=0.5), 3),
    ("nadam_wd_global_clipnorm", "nadam", dict(learning_rate=0.01, weight_decay=0.05, global_clipnorm=2.0), 3),
    ("exponential_decay", "sgd", dict(learning_rate=EXP, momentum=0.9), 5),
    ("exponential_decay_staircase", "sgd",
     dict(learning_rate={"exponential_decay": dict(initial_learning_rate=0.1, decay_steps=2,
                                                   decay_rate=0.5, staircase=True)}), 5),
    ("piecewise_constant_decay", "sgd",
     dict(learning_rate={"piecewise_constant_decay": dict(boundaries=[0, 2], values=[0.1, 0.05, 0.01])}), 5),
    ("cosine_decay", "rmsprop",
     dict(learning_rate={"cosine_decay": dict(initial_learning_rate=0.01, decay_steps=3, alpha=0.1)}), 5),
    ("cosine_decay_warmup", "sgd",
     dict(learning_rate={"cosine_decay": dict(initial_learning_rate=0.0, decay_steps=3, warmup_target=0.1,
                                              warmup_steps=2)}), 7),
    ("adamw_cosine_decay", "adamw",
     dict(learning_rate={"cosine_decay": dict(initial_learning_rate=0.01, decay_steps=4)}, weight_decay=0.5), 5),
]


def config_keys(kind, opts):
    """The case as rt_optim_config fields (runtime/rt.h), by name."""
    o = dict(DEFAULTS[kind])
    o.update(opts)
    keys = {"kind": KINDS.index(kind)}
    lr = o["learning_rate"]
    if isinstance(lr, dict):
        (sk, so), = lr.items()
        keys["schedule"] = SCHEDULES.index(sk)
        if sk == "piecewise_constant_decay":
            keys["n_boundaries"] = len(so["boundaries"])
            for i, b in enumerate(so["boundaries"]):
                keys["boundary%d" % i] = b
            for i, v in enumerate(so["values"]):
                keys["value%d" % i] = v
        else:
            keys["lr"] = so["initial_learning_rate"]
            keys["decay_steps"] = so["decay_steps"]
            for k in ("decay_rate", "staircase", "alpha", "warmup_steps"):
                if k in so:
                    keys[k] = float(so[k])
            if so.get("warmup_target") is not None:
                keys["has_warmup_target"] = 1
                keys["warmup_target"] = so["warmup_target"]
    else:
        keys["schedule"] = 0
        keys["lr"] = lr
    for k in ("momentum", "nesterov", "rho", "centered", "beta_1", "beta_2", "epsilon", "amsgrad",
              "initial_accumulator_value", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
        if o.get(k) is not None:
            keys[k] = float(o[k])
    return keys


def run_case(index, name, kind, opts, steps):
    rng = np.random.default_rng(1000 + index)
    n = sum(size for _, size, _ in TENSORS)
    w0 = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    grads = []
    for _ in range(steps):
        g = np.concatenate([rng.normal(0.0, s, size) for (_, size, _), s in zip(TENSORS, GRAD_SCALE)])
        grads.append(g.astype(np.float32))
    offsets = np.cumsum([0] + [size for _, size, _ in TENSORS])
    w = w0.astype(np.float64)
    # the optimizer sees the trainable tensors only (views into w)
    views = [w[offsets[j]:offsets[j + 1]] for j, t in enumerate(TENSORS) if t[2]]
    opt = Optimizer(kind, opts, views)
    exact = name.endswith("_exact")
    w32 = w0.copy()
    records = []
    for s in range(steps):
        g = grads[s].astype(np.float64)
        gv = [g[offsets[j]:offsets[j + 1]] for j, t in enumerate(TENSORS) if t[2]]
        lr = opt.apply(gv, views)
        if exact:   # lr 1, no momentum: float32 w - g, which the C must give bit for bit
            for j, t in enumerate(TENSORS):
                if t[2]:
                    w32[offsets[j]:offsets[j + 1]] -= grads[s][offsets[j]:offsets[j + 1]]
            assert np.allclose(w32, w, atol=1e-6)
            records.append((grads[s], lr, w32.astype(np.float64)))
        else:
            records.append((grads[s], lr, w.copy()))
    keys = config_keys(kind, opts)
    if exact:
        keys["exact"] = 1
    return dict(name=name, keys=keys, n=n, offsets=offsets, w0=w0, records=records)


def pack_str(s):
    b = s.encode("ascii")
    return struct.pack("<I", len(b)) + b


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = [b"SEQCOPT1", struct.pack("<I", len(CASES))]
    for index, (name, kind, opts, steps) in enumerate(CASES):
        c = run_case(index, name, kind, opts, steps)
        out.append(pack_str(name))
        out.append(struct.pack("<I", len(c["keys"])))
        for k, v in c["keys"].items():
            out.append(pack_str(k) + struct.pack("<d", float(v)))
        out.append(struct.pack("<II", c["n"], len(TENSORS)))
        for j, (_, size, trainable) in enumerate(TENSORS):
            out.append(struct.pack("<III", int(c["offsets"][j]), size, int(trainable)))
        out.append(struct.pack("<I", steps))
        out.append(c["w0"].astype("<f4").tobytes())
        for g, lr, w in c["records"]:
            out.append(g.astype("<f4").tobytes() + struct.pack("<d", lr) + w.astype("<f8").tobytes())
        moved = np.abs(c["records"][-1][2] - c["w0"].astype(np.float64)).max()
        print("%-28s %d steps, learning rates %s, largest change %.4f" %
              (name, steps, " ".join("%.4g" % r[1] for r in c["records"]), moved))
    data = b"".join(out)
    with open(sys.argv[1], "wb") as f:
        f.write(data)
    print("%s: %d cases, %d bytes" % (sys.argv[1], len(CASES), len(data)))


if __name__ == "__main__":
    main()
