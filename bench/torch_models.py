#!/usr/bin/python3
"""PyTorch models of seqc specs (Keras semantics), for make bench and
bench/fashion_parity.sh.

Run with the system python (it has torch):

    /usr/bin/python3 bench/torch_models.py train specs/ds_cnn.yaml \\
        --data out/bench/npy/ds_cnn --epochs 1 --threads 2 --config cl
    /usr/bin/python3 bench/torch_models.py flops specs/ds_cnn.yaml
    /usr/bin/python3 bench/torch_models.py params specs/ds_cnn.yaml

Commands:
  train SPEC   train the spec's model on --data DIR: x_train.npy, y_train.npy,
               x_test.npy, y_test.npy (x uint8 -> /255, or float32 as is,
               [n, ...input shape]; y integer labels), or MNIST's IDX layout
               (train-images-idx3-ubyte[.gz], ...; pixels / 255).  Ends with
               exactly one line
                 samples_per_s=<x> epoch_seconds=<y> test_loss=<z> test_accuracy=<w>
               where samples/s and seconds cover only the training loop
               (the time of every batch: gather, forward, loss, backward,
               Adam), not data loading or evaluation, as seqc's trainer.
  flops SPEC   multiply-adds per sample of every layer and the FLOP per
               training sample (the formula bench/run documents).
  params SPEC  parameter counts: total, trainable, non-trainable (Keras').
  infer SPEC   --weights FILE --data DIR --mode latency|throughput
               [--threads N] [--batch B]: inference speed (bench/engines.sh).
  eval SPEC    --weights FILE --data DIR: the test loss and accuracy of
               seqc-trained weights (out/NAME train --save FILE) computed by
               this model in inference mode: a check of seqc's eval.

The model is built from the spec by this file's own parser (the ideas of
tests/reference/golden.py, not its code): a torch.nn.Sequential of float32
modules in PyTorch's NCHW (NCL for the 1-D layers) layout, with Keras
semantics:
  * 'same' padding as TensorFlow pads: pad_total = max((out-1)*s + keff - in, 0),
    pad_before = pad_total // 2, the extra row/column after.  Where that is
    symmetric it is the convolution's own padding argument (the same
    arithmetic, no copy); where not (a stride-2 'same' conv on an even or odd
    size that needs one extra row) an F.pad before the conv.  Conv1D
    'causal' pads keff - 1 before;
  * Conv2D/Conv1D -> nn.Conv2d/Conv1d; DepthwiseConv2D -> nn.Conv2d with
    groups = cin (output channel c*dm + m, Keras's order); SeparableConv2D
    -> that (no bias) then a 1x1 nn.Conv2d with the bias;
  * BatchNormalization -> nn.BatchNorm2d/1d(eps=epsilon, momentum = 1 -
    momentum): batch statistics of the whole batch in training, the moving
    ones in eval.  PyTorch updates the moving variance with the unbiased
    batch variance, Keras 3 with the biased one: a factor N/(N-1) on the
    update, N = batch x positions (>= 1,600 here), so < 0.07%; irrelevant for
    speed and far below seed-to-seed noise;
  * pooling 'valid' -> F.max_pool / F.avg_pool; 'same' pads (max: -inf,
    average: divides by the real cells); global pooling -> mean / amax;
  * Flatten flattens NHWC (Keras's order): a permute before the flatten;
  * Dropout -> nn.Dropout (inverted); a softmax last activation is fused
    into the loss (F.cross_entropy of the logits, batch mean);
  * kernels glorot_uniform with Keras's fans (conv: fan_in = kh*kw*cin,
    fan_out = kh*kw*cout; depthwise [kh,kw,cin,dm]: kh*kw*cin and kh*kw*dm;
    dense: in, out), biases 0, BN gamma 1, beta 0, moving 0 / 1;
  * regularizers (kernel_, depthwise_, pointwise_, bias_regularizer:
    l1 / l2 / {l1: a, l2: b}) added to the loss as Keras does:
    loss = mean cross-entropy + sum over tensors of l1*sum|w| + l2*sum w^2;
  * Adam(lr, beta_1, beta_2, epsilon) from the spec with Keras's epsilon
    placement (keras_adam_eps, as bench/torch_seed.py);
  * batches: reshuffled every epoch (torch.randperm with a generator seeded
    by --seed), the last partial batch trained too.

--config picks how PyTorch runs it (comma-separated; bench/run uses the
fastest found on this machine, see bench/results.md):
  eager      plain eager mode, NCHW contiguous (the default)
  cl         channels_last memory format for the model and the inputs
  trace      torch.jit.trace of the training-mode model (eval: eager)
  script     torch.jit.script of the model
  nnc        with trace/script: let TorchScript's NNC fuser fuse CPU
             elementwise ops (torch._C._jit_override_can_fuse_on_cpu)
  foreach    Adam(foreach=True): one multi-tensor update instead of a
             Python loop over the parameters
  nomkldnn   torch.backends.mkldnn.enabled = False (the THNN convolutions)
  inplace    ReLU in place (F.relu(x, inplace=True)) where autograd allows it
"""
import argparse
import gzip
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml


class SpecError(Exception):
    pass


# ============================================================== the spec
def _pair(v, what):
    if isinstance(v, bool):
        raise SpecError("%s: expected an integer or [h, w], got %r" % (what, v))
    if isinstance(v, int):
        return (v, v)
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return (v[0], v[1])
    raise SpecError("%s: expected an integer or [h, w], got %r" % (what, v))


def _one(v, what):
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    raise SpecError("%s: expected an integer, got %r" % (what, v))


def _float(v, what):
    try:            # PyYAML reads 1e-7 (no dot) as a string; accept it
        return float(v)
    except (TypeError, ValueError):
        raise SpecError("%s: expected a number, got %r" % (what, v))


def _reg(v):
    """None, 'l1', 'l2' (0.01) or {l1: a, l2: b} -> (l1, l2) or None."""
    if v is None:
        return None
    if v == "l1":
        return (0.01, 0.0)
    if v == "l2":
        return (0.0, 0.01)
    if isinstance(v, dict) and v and set(v) <= {"l1", "l2"}:
        return (_float(v.get("l1", 0.0), "l1"), _float(v.get("l2", 0.0), "l2"))
    raise SpecError("regularizer: expected l1, l2 or {l1: a, l2: b}, got %r" % (v,))


def _axis(n_in, k, s, d, padding, what):
    """(out, pad_before, pad_after) of one axis; keff = (k - 1) d + 1."""
    keff = (k - 1) * d + 1
    if padding == "same":
        out = -(-n_in // s)
        total = max((out - 1) * s + keff - n_in, 0)
        return out, total // 2, total - total // 2
    if padding == "causal":
        return (n_in - 1) // s + 1, keff - 1, 0
    if padding != "valid":
        raise SpecError("%s: padding must be valid, same or causal, got %r" % (what, padding))
    if n_in < keff:
        raise SpecError("%s: window %d larger than the input %d" % (what, keff, n_in))
    return (n_in - keff) // s + 1, 0, 0


class L:
    """One layer of the spec with its shapes resolved (Keras order: (h, w, c),
    (steps, c) or (n,))."""

    def __init__(self, kind, opts, name):
        self.kind, self.opts, self.name = kind, opts, name
        self.act = "linear"
        self.tensors = []       # (name, Keras shape, trainable, regularizer)
        self.macs = 0           # forward multiply-adds per sample
        self.in_shape = self.out_shape = None


def parse_spec(path):
    """-> (name, layers, adam dict, batch_size).  The layers cover the
    kinds of the issue-10 specs and the older ones; anything else is a
    SpecError rather than a silent guess."""
    with open(path) as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("layers"), list):
        raise SpecError("%s: no 'layers' list" % path)
    name = doc.get("name") or os.path.splitext(os.path.basename(path))[0]
    layers, counts, shape = [], {}, None
    for i, item in enumerate(doc["layers"]):
        if not isinstance(item, dict) or len(item) != 1:
            raise SpecError("layer %d: expected '- KIND: {OPTIONS}'" % i)
        (kind, opts), = item.items()
        if kind == "activation" and isinstance(opts, str):
            opts = {"activation": opts}
        opts = dict(opts or {})
        counts[kind] = counts.get(kind, 0) + 1
        l = L(kind, opts, opts.get("name", "%s_%d" % (kind, counts[kind])))
        o = opts
        if kind == "input":
            if i:
                raise SpecError("input must be the first layer")
            shape = tuple(o["shape"])
            l.in_shape = l.out_shape = shape
            layers.append(l)
            continue
        if shape is None:
            raise SpecError("the first layer must be input")
        l.in_shape = shape
        if kind in ("conv2d", "depthwise_conv2d", "separable_conv2d", "max_pooling2d",
                    "average_pooling2d"):
            if len(shape) != 3:
                raise SpecError("%s needs an [h, w, c] input" % l.name)
            conv = kind.endswith("conv2d")
            kh, kw = _pair(o["kernel_size"] if conv else o.get("pool_size", 2), "kernel_size")
            sh, sw = _pair(o.get("strides", 1 if conv else [kh, kw]), "strides")
            dh, dw = _pair(o.get("dilation_rate", 1), "dilation_rate") if conv else (1, 1)
            pad = o.get("padding", "valid")
            oh, pt, pb = _axis(shape[0], kh, sh, dh, pad, l.name)
            ow, pl, pr = _axis(shape[1], kw, sw, dw, pad, l.name)
            l.k, l.s, l.d, l.pads = (kh, kw), (sh, sw), (dh, dw), (pt, pb, pl, pr)
            cin = shape[2]
            cout = cin
            if conv:
                l.act = o.get("activation", "linear")
                l.bias = o.get("use_bias", True)
            if kind == "conv2d":
                cout = o["filters"]
                l.tensors.append(("kernel", (kh, kw, cin, cout), True, _reg(o.get("kernel_regularizer"))))
                l.macs = oh * ow * cout * kh * kw * cin
            elif kind == "depthwise_conv2d":
                l.dm = o.get("depth_multiplier", 1)
                cout = cin * l.dm
                l.tensors.append(("depthwise_kernel", (kh, kw, cin, l.dm), True,
                                  _reg(o.get("depthwise_regularizer"))))
                l.macs = oh * ow * cout * kh * kw
            elif kind == "separable_conv2d":
                l.dm = o.get("depth_multiplier", 1)
                cout = o["filters"]
                l.tensors.append(("depthwise_kernel", (kh, kw, cin, l.dm), True,
                                  _reg(o.get("depthwise_regularizer"))))
                l.tensors.append(("pointwise_kernel", (1, 1, cin * l.dm, cout), True,
                                  _reg(o.get("pointwise_regularizer"))))
                l.macs_dw = oh * ow * cin * l.dm * kh * kw
                l.macs = l.macs_dw + oh * ow * cin * l.dm * cout
            if conv and l.bias:
                l.tensors.append(("bias", (cout,), True, _reg(o.get("bias_regularizer"))))
            shape = (oh, ow, cout)
        elif kind in ("conv1d", "max_pooling1d", "average_pooling1d"):
            if len(shape) != 2:
                raise SpecError("%s needs a [steps, channels] input" % l.name)
            conv = kind == "conv1d"
            k = _one(o["kernel_size"] if conv else o.get("pool_size", 2), "kernel_size")
            s = _one(o.get("strides", 1 if conv else k), "strides")
            d = _one(o.get("dilation_rate", 1), "dilation_rate") if conv else 1
            ot, pl, pr = _axis(shape[0], k, s, d, o.get("padding", "valid"), l.name)
            l.k, l.s, l.d, l.pads = k, s, d, (pl, pr)
            cout = shape[1]
            if conv:
                l.act = o.get("activation", "linear")
                l.bias = o.get("use_bias", True)
                cout = o["filters"]
                l.tensors.append(("kernel", (k, shape[1], cout), True, _reg(o.get("kernel_regularizer"))))
                if l.bias:
                    l.tensors.append(("bias", (cout,), True, _reg(o.get("bias_regularizer"))))
                l.macs = ot * cout * k * shape[1]
            shape = (ot, cout)
        elif kind == "zero_padding2d":
            p = o.get("padding", 1)
            if isinstance(p, list) and len(p) == 2 and isinstance(p[0], list):
                (t, b), (lf, r) = _pair(p[0], "padding"), _pair(p[1], "padding")
            else:
                (t, lf) = _pair(p, "padding")
                b, r = t, lf
            l.pads = (t, b, lf, r)
            shape = (shape[0] + t + b, shape[1] + lf + r, shape[2])
        elif kind in ("global_average_pooling2d", "global_max_pooling2d",
                      "global_average_pooling1d", "global_max_pooling1d"):
            shape = (shape[-1],)
        elif kind == "flatten":
            shape = (int(np.prod(shape)),)
        elif kind == "dense":
            if len(shape) != 1:
                raise SpecError("%s: dense needs a flat input" % l.name)
            l.act = o.get("activation", "linear")
            l.bias = o.get("use_bias", True)
            units = o["units"]
            l.tensors.append(("kernel", (shape[0], units), True, _reg(o.get("kernel_regularizer"))))
            if l.bias:
                l.tensors.append(("bias", (units,), True, _reg(o.get("bias_regularizer"))))
            l.macs = shape[0] * units
            shape = (units,)
        elif kind == "dropout":
            l.rate = _float(o["rate"], "rate")
        elif kind == "activation":
            l.act = o.get("activation", "linear")
        elif kind == "batch_normalization":
            if o.get("axis", -1) not in (-1, len(shape)):
                raise SpecError("%s: only the last axis is normalised" % l.name)
            l.momentum = _float(o.get("momentum", 0.99), "momentum")
            l.eps = _float(o.get("epsilon", 1e-3), "epsilon")
            l.center, l.scale = o.get("center", True), o.get("scale", True)
            c = shape[-1]
            if l.scale:
                l.tensors.append(("gamma", (c,), True, None))
            if l.center:
                l.tensors.append(("beta", (c,), True, None))
            l.tensors.append(("moving_mean", (c,), False, None))
            l.tensors.append(("moving_variance", (c,), False, None))
        else:
            raise SpecError("%s: layer kind %r is not supported by bench/torch_models.py" % (l.name, kind))
        if l.act not in ACTS:
            raise SpecError("%s: activation %r is not supported here" % (l.name, l.act))
        l.out_shape = shape
        layers.append(l)
    if layers[-1].act != "softmax":
        raise SpecError("the last layer must have a softmax activation")
    opt = doc.get("optimizer", "adam")
    adam = (opt.get("adam") or {}) if isinstance(opt, dict) else {}
    adam = {"lr": _float(adam.get("learning_rate", 1e-3), "learning_rate"),
            "beta_1": _float(adam.get("beta_1", 0.9), "beta_1"),
            "beta_2": _float(adam.get("beta_2", 0.999), "beta_2"),
            "epsilon": _float(adam.get("epsilon", 1e-7), "epsilon")}
    batch = (doc.get("train") or {}).get("batch_size", 32)
    return name, layers, adam, batch


# ============================================================== the model
ACTS = {
    "linear": None,
    "softmax": None,            # fused into the loss (last layer only)
    "relu": F.relu,
    "relu6": F.relu6,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,             # Keras's default gelu is the exact (erf) one
    "silu": F.silu,
    "swish": F.silu,
    "softplus": F.softplus,
    "softsign": F.softsign,
}


class Act(nn.Module):
    def __init__(self, name, inplace=False):
        super().__init__()
        self.name = name
        self.inplace = inplace

    def forward(self, x):
        n = self.name
        if n == "relu":
            return F.relu(x, inplace=self.inplace)
        if n == "relu6":
            return F.relu6(x)
        if n == "sigmoid":
            return torch.sigmoid(x)
        if n == "tanh":
            return torch.tanh(x)
        if n == "elu":
            return F.elu(x)
        if n == "selu":
            return F.selu(x)
        if n == "gelu":
            return F.gelu(x)
        if n == "silu" or n == "swish":
            return F.silu(x)
        if n == "softplus":
            return F.softplus(x)
        if n == "softsign":
            return F.softsign(x)
        return x


class Pad(nn.Module):
    """F.pad with (left, right[, top, bottom]) pads and a fill value."""

    def __init__(self, pads, value=0.0):
        super().__init__()
        self.pads, self.value = list(pads), value

    def forward(self, x):
        return F.pad(x, self.pads, value=self.value)


class AvgPoolSame(nn.Module):
    """AveragePooling 'same': the sum over the real cells / their count."""

    def __init__(self, k, s, pads, in_hw):
        super().__init__()
        self.k, self.s, self.pads = list(k), list(s), list(pads)
        ones = F.pad(torch.ones(1, 1, *in_hw), self.pads)
        self.register_buffer("cells", F.avg_pool2d(ones, self.k, self.s, divisor_override=1))

    def forward(self, x):
        return F.avg_pool2d(F.pad(x, self.pads), self.k, self.s, divisor_override=1) / self.cells


class Flatten(nn.Module):
    """Keras flattens NHWC / NLC: channels last, then row-major."""

    def __init__(self, rank):
        super().__init__()
        self.rank = rank

    def forward(self, x):
        if self.rank == 4:
            x = x.permute(0, 2, 3, 1)
        elif self.rank == 3:
            x = x.permute(0, 2, 1)
        return x.reshape(x.shape[0], -1)


class GlobalPool(nn.Module):
    def __init__(self, rank, kind):
        super().__init__()
        self.dims = [2, 3] if rank == 4 else [2]
        self.max = kind == "max"

    def forward(self, x):
        if self.max:
            return torch.amax(x, dim=self.dims)
        return x.mean(dim=self.dims)


def glorot_(w, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        w.uniform_(-limit, limit)


def _conv_pad(pads2d):
    """(pt, pb, pl, pr) -> (padding argument, F.pad module or None)."""
    pt, pb, pl, pr = pads2d
    if pt == pb and pl == pr:
        return (pt, pl), None
    return (0, 0), Pad((pl, pr, pt, pb))


def build(layers, inplace=False):
    """-> (nn.Sequential, [(param, l1, l2)] regularized).  inplace: ReLU
    overwrites its input (allowed after conv and BN: their backward needs
    their input, not their output)."""
    mods, regs = [], []

    def reg(p, r):
        if r and (r[0] or r[1]):
            regs.append((p, r[0], r[1]))

    for l in layers[1:]:
        k, rank = l.kind, len(l.in_shape) + 1
        tens = {t[0]: t for t in l.tensors}
        if k == "conv2d":
            (kh, kw), cin, cout = l.k, l.in_shape[2], l.out_shape[2]
            padding, pad = _conv_pad(l.pads)
            if pad:
                mods.append(pad)
            m = nn.Conv2d(cin, cout, l.k, l.s, padding, l.d, bias=l.bias)
            glorot_(m.weight, kh * kw * cin, kh * kw * cout)
            reg(m.weight, tens["kernel"][3])
            mods.append(m)
            l.torch = [m]
        elif k in ("depthwise_conv2d", "separable_conv2d"):
            (kh, kw), cin = l.k, l.in_shape[2]
            padding, pad = _conv_pad(l.pads)
            if pad:
                mods.append(pad)
            sep = k == "separable_conv2d"
            m = nn.Conv2d(cin, cin * l.dm, l.k, l.s, padding, l.d, groups=cin,
                          bias=l.bias and not sep)
            glorot_(m.weight, kh * kw * cin, kh * kw * l.dm)
            reg(m.weight, tens["depthwise_kernel"][3])
            mods.append(m)
            l.torch = [m]
            if sep:
                cout = l.out_shape[2]
                pw = nn.Conv2d(cin * l.dm, cout, 1, bias=l.bias)
                glorot_(pw.weight, cin * l.dm, cout)
                reg(pw.weight, tens["pointwise_kernel"][3])
                mods.append(pw)
                l.torch.append(pw)
                m = pw
        elif k == "conv1d":
            cin, cout = l.in_shape[1], l.out_shape[1]
            pl, pr = l.pads
            if pl != pr:
                mods.append(Pad((pl, pr)))
                pl = 0
            m = nn.Conv1d(cin, cout, l.k, l.s, pl, l.d, bias=l.bias)
            glorot_(m.weight, l.k * cin, l.k * cout)
            reg(m.weight, tens["kernel"][3])
            mods.append(m)
            l.torch = [m]
        elif k == "dense":
            m = nn.Linear(l.in_shape[0], l.out_shape[0], bias=l.bias)
            glorot_(m.weight, l.in_shape[0], l.out_shape[0])
            reg(m.weight, tens["kernel"][3])
            mods.append(m)
            l.torch = [m]
        elif k == "batch_normalization":
            c = l.out_shape[-1]
            bn = (nn.BatchNorm2d if rank == 4 else nn.BatchNorm1d)(
                c, eps=l.eps, momentum=1.0 - l.momentum, affine=True)
            if not l.scale:
                bn.weight.requires_grad_(False)
            if not l.center:
                bn.bias.requires_grad_(False)
            mods.append(bn)
            l.torch = [bn]
        elif k in ("max_pooling2d", "average_pooling2d"):
            pt, pb, pl, pr = l.pads
            if k == "max_pooling2d":
                if any(l.pads):
                    mods.append(Pad((pl, pr, pt, pb), -math.inf))
                mods.append(nn.MaxPool2d(l.k, l.s))
            elif any(l.pads):
                mods.append(AvgPoolSame(l.k, l.s, (pl, pr, pt, pb), l.in_shape[:2]))
            else:
                mods.append(nn.AvgPool2d(l.k, l.s))
        elif k in ("max_pooling1d", "average_pooling1d"):
            pl, pr = l.pads
            if k == "max_pooling1d":
                if pl or pr:
                    mods.append(Pad((pl, pr), -math.inf))
                mods.append(nn.MaxPool1d(l.k, l.s))
            else:
                if pl or pr:
                    raise SpecError("%s: average_pooling1d 'same' is not supported here" % l.name)
                mods.append(nn.AvgPool1d(l.k, l.s))
        elif k == "zero_padding2d":
            pt, pb, pl, pr = l.pads
            mods.append(Pad((pl, pr, pt, pb)))
        elif k.startswith("global_"):
            mods.append(GlobalPool(rank, "max" if "_max_" in k else "avg"))
        elif k == "flatten":
            mods.append(Flatten(rank))
        elif k == "dropout":
            mods.append(nn.Dropout(l.rate))
        if l.act not in ("linear", "softmax"):
            mods.append(Act(l.act, inplace and k in ("activation", "batch_normalization", "conv2d",
                                                      "depthwise_conv2d", "separable_conv2d",
                                                      "conv1d", "dense")))
        if getattr(l, "bias", False):
            nn.init.zeros_(m.bias)
    return nn.Sequential(*mods), regs


def penalty(regs):
    total = None
    for w, l1, l2 in regs:
        t = 0
        if l2:
            t = l2 * (w * w).sum()
        if l1:
            t = t + l1 * w.abs().sum()
        total = t if total is None else total + t
    return total


# ============================================================== FLOP and params
def flops(layers):
    """Forward multiply-adds per sample, per layer; the training FLOP per
    sample = 2 x (forward MACs [forward] + the same again [weight
    gradients] + forward MACs of every layer but the first with weights
    [input gradients: the first one's input is the data])."""
    rows, fwd, first = [], 0, None
    for l in layers[1:]:
        if l.macs:
            rows.append((l.name, l.kind, l.macs))
            fwd += l.macs
            if first is None:
                first = l.macs
    train = 2 * (fwd + fwd + (fwd - (first or 0)))
    return rows, fwd, first or 0, train


def param_counts(layers):
    total = trainable = 0
    for l in layers:
        for _, dims, tr, _ in l.tensors:
            n = int(np.prod(dims))
            total += n
            trainable += n if tr else 0
    return total, trainable, total - trainable


# ============================================================== data
def load_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(d, split, in_shape):
    """x as float32 torch [n, C, H, W] / [n, C, L] / [n, F]; y int64."""
    npy = os.path.join(d, "x_%s.npy" % split)
    if os.path.exists(npy):
        x = np.load(npy)
        y = np.load(os.path.join(d, "y_%s.npy" % split)).reshape(-1)
    else:
        pre = "train" if split == "train" else "t10k"

        def find(stem):
            for n in (stem + ".gz", stem):
                if os.path.exists(os.path.join(d, n)):
                    return os.path.join(d, n)
            sys.exit(f"{d}: neither x_{split}.npy nor {stem}[.gz]")
        x = load_idx(find(f"{pre}-images-idx3-ubyte"))
        y = load_idx(find(f"{pre}-labels-idx1-ubyte"))
    if x.dtype == np.uint8:
        xf = x.astype(np.float32)
        xf /= 255.0
    elif x.dtype == np.float32:
        xf = x
    else:
        sys.exit(f"{d}: x_{split} must be uint8 or float32, not {x.dtype}")
    xf = xf.reshape((xf.shape[0],) + tuple(in_shape))
    if len(in_shape) == 3:
        xf = xf.transpose(0, 3, 1, 2)       # NHWC -> NCHW
    elif len(in_shape) == 2:
        xf = xf.transpose(0, 2, 1)          # NLC -> NCL
    return torch.from_numpy(np.ascontiguousarray(xf)), torch.from_numpy(y.astype(np.int64))


# ============================================================== seqc weights
def read_seqc_weights(path):
    """A seqc SEQCWTS1 file -> list of numpy float32 arrays (Keras layout)."""
    import struct
    import zlib
    data = open(path, "rb").read()
    if data[:8] != b"SEQCWTS1":
        sys.exit(f"{path}: not a SEQCWTS1 weights file")
    if zlib.crc32(data[:-4]) != struct.unpack("<I", data[-4:])[0]:
        sys.exit(f"{path}: CRC mismatch")
    (count,), off, out = struct.unpack_from("<I", data, 8), 12, []
    for _ in range(count):
        (rank,) = struct.unpack_from("<I", data, off)
        dims = struct.unpack_from("<%dI" % rank, data, off + 4)
        off += 4 + 4 * rank
        n = int(np.prod(dims))
        out.append(np.frombuffer(data, "<f4", n, off).reshape(dims).copy())
        off += 4 * n
    return out


def load_seqc_weights(layers, arrays):
    """Copy Keras-layout tensors (get_weights() order) into the modules
    build() made: conv [kh,kw,cin,cout] -> [cout,cin,kh,kw]; depthwise
    [kh,kw,cin,dm] -> [cin*dm,1,kh,kw]; conv1d [k,cin,cout] -> [cout,cin,k];
    dense [in,out] -> [out,in]; BN gamma, beta, moving mean, variance."""
    it = iter(arrays)
    with torch.no_grad():
        for l in layers[1:]:
            for tname, dims, _, _ in l.tensors:
                a = torch.from_numpy(next(it))
                if tuple(a.shape) != tuple(dims):
                    sys.exit(f"{l.name}/{tname}: file has {tuple(a.shape)}, spec says {dims}")
                mods = l.torch
                if tname == "kernel" and l.kind == "dense":
                    mods[0].weight.copy_(a.t())
                elif tname == "kernel" and l.kind == "conv1d":
                    mods[0].weight.copy_(a.permute(2, 1, 0))
                elif tname == "kernel":
                    mods[0].weight.copy_(a.permute(3, 2, 0, 1))
                elif tname == "depthwise_kernel":
                    kh, kw, cin, dm = a.shape
                    mods[0].weight.copy_(a.permute(2, 3, 0, 1).reshape(cin * dm, 1, kh, kw))
                elif tname == "pointwise_kernel":
                    mods[1].weight.copy_(a.permute(3, 2, 0, 1))
                elif tname == "bias":
                    mods[-1].bias.copy_(a)
                elif tname == "gamma":
                    mods[0].weight.copy_(a)
                elif tname == "beta":
                    mods[0].bias.copy_(a)
                elif tname == "moving_mean":
                    mods[0].running_mean.copy_(a)
                elif tname == "moving_variance":
                    mods[0].running_var.copy_(a)
    if next(it, None) is not None:
        sys.exit("the weights file has more tensors than the spec")


def cross_eval(args):
    """Evaluate seqc-trained weights with the PyTorch model (inference mode:
    moving statistics, no dropout): an independent check of seqc's eval."""
    torch.set_num_threads(args.threads)
    name, layers, _, _ = parse_spec(args.spec)
    model, _ = build(layers)
    load_seqc_weights(layers, read_seqc_weights(args.weights))
    xte, yte = load_split(args.data, "test", layers[0].out_shape)
    tl, ta = evaluate(model, xte, yte, None)
    print(f"test_loss={tl:.6f} test_accuracy={ta:.6f}")


def infer(args):
    """Inference speed of the spec's model with seqc-trained weights, for
    bench/engines.sh: latency (batch 1, each test sample timed alone) or
    throughput (all test samples in batches of --batch, 3 passes after a
    warm-up one), under inference_mode."""
    import time
    torch.set_num_threads(args.threads)
    name, layers, _, _ = parse_spec(args.spec)
    model, _ = build(layers)
    load_seqc_weights(layers, read_seqc_weights(args.weights))
    model.eval()
    x, _ = load_split(args.data, "test", layers[0].out_shape)
    # channels_last pays at batch 128 and costs at batch 1 (measured here)
    fmt = torch.channels_last if x.dim() == 4 and args.mode == "throughput" else None
    if fmt is not None:
        model = model.to(memory_format=fmt)
        x = x.contiguous(memory_format=fmt)
    n = x.shape[0]
    with torch.inference_mode():
        if args.mode == "latency":
            for i in range(200):
                model(x[i % n:i % n + 1])
            us = []
            for i in range(n):
                t0 = time.perf_counter()
                model(x[i:i + 1])
                us.append((time.perf_counter() - t0) * 1e6)
            us.sort()
            print(f"latency_us_median={us[(n - 1) // 2]:.1f} latency_us_p90={us[int(0.9 * (n - 1))]:.1f} n={n}")
            return
        rates = []
        for p in range(4):
            t0 = time.perf_counter()
            for i in range(0, n, args.batch):
                model(x[i:i + args.batch])
            if p:
                rates.append(n / (time.perf_counter() - t0))
        med = sorted(rates)[1]
        print(f"images_per_s={med:.1f} runs={','.join('%.0f' % r for r in rates)} "
              f"batch={args.batch} threads={args.threads}")


# ============================================================== training
def keras_adam_eps(eps, beta2, t):
    """torch eps that reproduces Keras' Adam at step t (see bench/torch_seed.py)."""
    return eps / math.sqrt(1.0 - beta2 ** t)


def evaluate(model, x, y, fmt, bs=500):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, x.shape[0], bs):
            xb = x[i:i + bs]
            if fmt is not None:
                xb = xb.contiguous(memory_format=fmt)
            out = model(xb)
            loss += F.cross_entropy(out, y[i:i + bs], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    return loss / x.shape[0], correct / x.shape[0]


def train(args):
    cfg = set(args.config.split(","))
    unknown = cfg - {"eager", "cl", "trace", "script", "nnc", "foreach", "nomkldnn", "inplace"}
    if unknown:
        sys.exit("unknown --config item(s): %s" % ", ".join(sorted(unknown)))
    torch.set_num_threads(args.threads)
    if "nomkldnn" in cfg:
        torch.backends.mkldnn.enabled = False
    if "nnc" in cfg:
        torch._C._jit_override_can_fuse_on_cpu(True)
        torch._C._jit_set_texpr_fuser_enabled(True)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    name, layers, adam, spec_batch = parse_spec(args.spec)
    batch = args.batch_size or spec_batch
    in_shape = layers[0].out_shape
    xtr, ytr = load_split(args.data, "train", in_shape)
    xte, yte = load_split(args.data, "test", in_shape)
    n = xtr.shape[0]

    model, regs = build(layers, inplace="inplace" in cfg)
    fmt = None
    if "cl" in cfg and xtr.dim() == 4:
        fmt = torch.channels_last
        model = model.to(memory_format=fmt)
        xtr = xtr.contiguous(memory_format=fmt)
    fwd = model
    if "script" in cfg:
        fwd = torch.jit.script(model)
    elif "trace" in cfg:
        model.train()
        ex = xtr[:batch].clone()
        fwd = torch.jit.trace(model, ex, check_trace=False)
    total, trainable, _ = param_counts(layers)
    beta1, beta2, eps = adam["beta_1"], adam["beta_2"], adam["epsilon"]
    params = [p for p in model.parameters() if p.requires_grad]
    kw = {"foreach": True} if "foreach" in cfg else {}
    opt = torch.optim.Adam(params, lr=args.learning_rate or adam["lr"], betas=(beta1, beta2),
                           eps=eps, **kw)
    if not args.quiet:
        print(f"torch {torch.__version__} {name} config={args.config} threads={torch.get_num_threads()} "
              f"train={n} test={xte.shape[0]} batch={batch} params={total} (trainable {trainable})",
              flush=True)

    if args.warmup:
        # untimed steps that leave no trace: oneDNN creates its primitives,
        # the allocator and (trace/script) the JIT warm up; then weights,
        # moving statistics, Adam and the random state are put back
        saved = {k: v.clone() for k, v in model.state_dict().items()}
        rng = torch.get_rng_state()
        model.train()
        fwd.train()
        for _ in range(args.warmup):
            xb, yb = xtr[:batch], ytr[:batch]
            if fmt is not None:
                xb = xb.contiguous(memory_format=fmt)
            loss = F.cross_entropy(fwd(xb), yb)
            if regs:
                loss = loss + penalty(regs)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        with torch.no_grad():
            model.load_state_dict(saved)
        opt = torch.optim.Adam(params, lr=args.learning_rate or adam["lr"], betas=(beta1, beta2),
                               eps=eps, **kw)
        torch.set_rng_state(rng)

    step, train_time = 0, 0.0
    tl = ta = float("nan")
    for epoch in range(1, args.epochs + 1):
        model.train()
        fwd.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        loss_sum = torch.zeros((), dtype=torch.float64)
        correct = torch.zeros((), dtype=torch.int64)
        for i in range(0, n, batch):              # last partial batch included
            idx = perm[i:i + batch]
            xb, yb = xtr.index_select(0, idx), ytr.index_select(0, idx)
            if fmt is not None:
                xb = xb.contiguous(memory_format=fmt)
            out = fwd(xb)
            loss = F.cross_entropy(out, yb)
            if regs:
                loss = loss + penalty(regs)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            step += 1
            opt.param_groups[0]["eps"] = keras_adam_eps(eps, beta2, step)
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * idx.numel()
                correct += (out.argmax(1) == yb).sum()
        dt = time.perf_counter() - t0
        train_time += dt
        if not args.no_eval or epoch == args.epochs:
            tl, ta = evaluate(model, xte, yte, fmt)
        if not args.quiet:
            print(f"epoch {epoch}/{args.epochs}: loss={loss_sum.item() / n:.4f} "
                  f"accuracy={correct.item() / n:.4f} seconds={dt:.2f} samples/s={n / dt:.0f} "
                  f"test_loss={tl:.4f} test_accuracy={ta:.4f}", flush=True)
    if args.save:
        torch.save(model.state_dict(), args.save)
    print(f"samples_per_s={n * args.epochs / train_time:.1f} "
          f"epoch_seconds={train_time / args.epochs:.3f} "
          f"test_loss={tl:.6f} test_accuracy={ta:.6f}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[1:]))
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train SPEC's model")
    t.add_argument("spec")
    t.add_argument("--data", required=True, help="directory: x_train.npy ... or MNIST's IDX files")
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--batch-size", type=int, default=0, help="default: the spec's")
    t.add_argument("--learning-rate", type=float, default=0.0, help="default: the spec's")
    t.add_argument("--threads", type=int, default=os.cpu_count())
    t.add_argument("--seed", type=int, default=42)
    t.add_argument("--config", default="eager", help="see the list below (comma-separated)")
    t.add_argument("--no-eval", action="store_true", help="evaluate after the last epoch only")
    t.add_argument("--warmup", type=int, default=0,
                   help="untimed training steps first, then everything reset (default 0)")
    t.add_argument("--save", help="torch.save the state_dict here")
    t.add_argument("--quiet", action="store_true", help="only the final line")
    e = sub.add_parser("eval", help="evaluate a seqc weights file (train --save) with this model")
    e.add_argument("spec")
    e.add_argument("--weights", required=True, help="SEQCWTS1 file from out/NAME train --save")
    e.add_argument("--data", required=True)
    e.add_argument("--threads", type=int, default=os.cpu_count())
    i = sub.add_parser("infer", help="inference speed with a seqc weights file (bench/engines.sh)")
    i.add_argument("spec")
    i.add_argument("--weights", required=True, help="SEQCWTS1 file from out/NAME train --save")
    i.add_argument("--data", required=True)
    i.add_argument("--mode", choices=("latency", "throughput"), required=True)
    i.add_argument("--threads", type=int, default=1)
    i.add_argument("--batch", type=int, default=128)
    for c in ("flops", "params"):
        p = sub.add_parser(c)
        p.add_argument("spec")
    args = ap.parse_args()
    try:
        if args.cmd == "train":
            train(args)
            return
        if args.cmd == "eval":
            cross_eval(args)
            return
        if args.cmd == "infer":
            infer(args)
            return
        name, layers, _, _ = parse_spec(args.spec)
    except SpecError as e:
        sys.exit("torch_models.py: %s: %s" % (args.spec, e))
    if args.cmd == "flops":
        rows, fwd, first, tr = flops(layers)
        for lname, kind, macs in rows:
            print(f"  {lname:24s} {kind:20s} {macs:>12,d} MACs")
        print(f"forward {fwd:,d} MACs = {2 * fwd / 1e6:.3f} MFLOP; weight gradients the same; "
              f"input gradients {2 * (fwd - first) / 1e6:.3f} MFLOP (all but the first layer, "
              f"{2 * first / 1e6:.3f})")
        print(f"{name}: flop_per_sample={tr:.4e} ({tr / 1e6:.2f} MFLOP)")
    else:
        total, trainable, non = param_counts(layers)
        print(f"{name}: total={total} trainable={trainable} non_trainable={non}")


if __name__ == "__main__":
    main()
