#!/usr/bin/python3
"""golden.py - write the golden fixtures of one spec from an independent
PyTorch reference (float64), for tests/test_golden.c.

usage: /usr/bin/python3 tests/reference/golden.py SPEC.yaml OUTDIR [--data DIR] [--batch N]

What it computes (NAME = the spec's file name without .yaml):
  * weights: golden_weights() below, a formula test_golden.c
    implements too (float32 values; the fixture keeps their FNV-1a hashes);
  * inputs: N real digits from DIR/train-images-idx3-ubyte (default
    out/data/mnist), pixels / 255 as float32; sample s channel c is digit
    s * C + c of a fixed list (the first image of each label 0..9, then the
    second of each label 0..9, and so on), resampled to the input's H x W
    by nearest neighbour (flat inputs: the 28x28 image resampled to the
    nearest square, then cut;
    sequence inputs [steps, channels]: digit s of the list resampled to
    steps x channels, so step t is image row t and channel c column c);
    labels: sample s's channel-0 digit;
  * targets: the spec's loss (Model.loss: Keras 3's formula, sum over the
    batch / N) reads the labels (sparse_categorical_crossentropy) or float
    targets [N][units] made from them (make_targets: soft labels, 0/1
    labels, real values);
  * N: --batch, else a line '# golden: batch N' in the spec (a YAML comment,
    which seqc ignores), else 4 for models over 100k parameters, else 5;
  * step s = 1, 2, 3: forward in training mode with dropout key s, the loss
    (the mean data loss plus the regularization penalty), its gradients,
    then the batch-normalization moving statistics updated from that
    forward's batch statistics, then one update of the trainable tensors by
    the spec's optimizer with its hyper-parameters, all in float64 from
    float32 weights: Keras's Adam (alpha = lr * sqrt(1 - b2^t) / (1 - b1^t);
    m, v; w -= alpha m / (sqrt v + eps)) or SGD (w -= lr g; momentum,
    nesterov); other optimizers and their options are test_optim.c's.
    This mirrors the C side's step:
    forward(train = 1, key = s); loss = model_loss() / n + model_penalty(w, NULL);
    backward into zeroed g; model_penalty(w, g);
    model_moving_update(w, model_batch_stats(act, n), n); rt_optim_step().

Files, format SEQCGLD1 (little-endian):
  "SEQCGLD1", u32 record count, per record: u32 name length, name (ASCII),
  u32 dtype (0 = f32, 1 = i32), u32 rank, u32 dims[rank], 4-byte values.
  NAME.fwd.bin   meta/batch, meta/steps, init/fnv1a (one hash per tensor),
                 [init/trainable (one 0/1 per tensor; only if some tensor
                 is not trainable)], input [n][...], labels [n],
                 [targets [n][units] (float32; every loss but
                 sparse_categorical_crossentropy)],
                 out/LAYER [n][h][w][c], [n][steps][c] or [n][c] for every
                 layer after the input (step 1; a softmax last layer, and a
                 sigmoid one before binary_crossentropy, holds the
                 logits), loss/step1..3 (the loss before each update,
                 penalty included), [penalty/step1..3 (the regularization
                 penalty alone; only for models with a regularizer)],
                 infer/logits [n][units] (the last layer's values as in
                 out/, train = 0, initial weights),
                 [infer3/logits (train = 0 with the weights and moving
                 statistics after the 3 steps; only for models with batch
                 normalization)]
  NAME.grad.bin  grad/TENSOR: d(loss)/d(tensor) at step 1 (0 for the
                 non-trainable moving statistics); [grad2/TENSOR,
                 grad3/TENSOR: the same at steps 2 and 3, only with sgd at
                 learning rate 1 and no momentum, where each step is
                 w - g exactly]
  NAME.adam.bin  adam3/TENSOR: the weights after the 3 steps of the spec's
                 optimizer, Adam or not (moving statistics: after the 3
                 moving-average updates)
Every parameter is covered; three files keep each well under 1 MB.  The
bracketed records exist only where said, so the fixtures of specs without
those features are byte-identical to what earlier versions wrote.

Kinks and ties.  Where an activation is not differentiable, the reference
uses these derivatives (the C must too), each what PyTorch's autograd
gives for the expression written in act_fn():
  relu 0 at 0; relu6 0 at 0 and at 6; leaky_relu (activation or layer) the
  slope at 0; elu (activation or layer) alpha at 0; selu scale * alpha at 0;
  hard_sigmoid 0 at -3 and 3 (0 outside (-3, 3)); hard_silu / hard_swish
  (x * relu6(x + 3) / 6) 0 at -3, 1 at 3; the relu layer 0 at and above
  max_value, 1 strictly between the threshold and max_value, and at the
  threshold negative_slope (Keras 3's own code gives 0 there for some option
  combinations and the slope for others, so a value exactly on the
  threshold is refused unless negative_slope is 0, where both give 0).
  The relu layer's value at x == threshold is 0, as Keras 3 computes it
  (x * (x > threshold)); its docstring's formula says threshold.
Max pooling (and global max pooling) sends the gradient to the first
maximum of its window in row-major order.  float32 rounding could move a
value across a kink or reorder a window's maximum: golden.py warns (on
stderr, and goes on) where its forward passes (3 training steps and both
inference passes) put a pre-activation within 1e-6 of a kink without being
exactly on it, or the two largest values of a max window within 1e-6 of
each other without being equal; it refuses a spec that puts a value
exactly on a relu layer's threshold where the threshold is not 0 (the
value itself jumps there) or negative_slope is not 0 (see above).  The
margins it saw are printed after the summary line.
"""
import argparse
import math
import os
import re
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
import yaml

# ==========================================================================
# The reference: an independent PyTorch implementation of seqc's spec format
# (train_ref.py imports it too).  Nothing here reads seqc's C; the rules come from
# ../shared/docs/keras-semantics.md, `out/seqc --help` and Keras 3's source
# (keras/src/layers/normalization/batch_normalization.py,
# keras/src/activations/activations.py, keras/src/layers/convolutional/):
#
#   * activations are NHWC per sample ([steps][channels] for the 1-D
#     layers); Flatten and Reshape are row-major views;
#   * Conv2D kernel [kh][kw][cin][cout], Conv1D [k][cin][cout],
#     DepthwiseConv2D [kh][kw][cin][dm] (output channel c * dm + m),
#     SeparableConv2D depthwise [kh][kw][cin][dm] then pointwise
#     [1][1][cin * dm][filters], Dense kernel [in][out], biases [out];
#     tensors in Keras get_weights() order (per layer: kernel(s), then bias;
#     BatchNormalization: gamma, beta, moving_mean, moving_variance);
#   * 'same': out = ceil(in / s), keff = (k - 1) * d + 1,
#     pad_total = max((out - 1) * s + keff - in, 0), pad_before = pad_total // 2,
#     the extra row/column after (TF); Conv1D 'causal': keff - 1 before,
#     nothing after; strides > 1 with dilation > 1 is an error (Keras);
#   * MaxPooling 'same' ignores the padding, AveragePooling 'same' divides
#     by the number of real cells; pooling strides default to pool_size;
#     global pooling reduces every axis but the channels to [C];
#   * BatchNormalization normalises over every axis but the last: training
#     mode uses the batch mean and the biased batch variance over the whole
#     batch (and the spatial axes), y = gamma (x - mean) / sqrt(var + eps) + beta,
#     and the moving statistics become m * momentum + stat * (1 - momentum)
#     (Keras 3: the biased variance); inference uses the moving statistics;
#     moving_mean / moving_variance are not trainable (gradient 0, Adam
#     leaves them);
#   * regularizers: l1 * sum|w| + l2 * sum w^2 per regularized tensor, the
#     strings 'l1' / 'l2' meaning 0.01; the sum is added once to the mean
#     data loss;
#   * the loss (keras/src/losses/losses.py, keras/src/backend/tensorflow/nn.py;
#     Model.loss): a softmax (sigmoid) last activation before a categorical
#     (binary) cross-entropy is fused with the loss, as Keras's TF backend
#     takes such an output back to its logits (_get_logits): the layer's
#     output is the logits; from_logits: true takes a linear one.  Per
#     sample: sparse logsumexp(z) - z[y]; categorical -sum t log_softmax(z),
#     t smoothed to t (1 - ls) + ls / K; binary the mean over the units of
#     sigmoid cross-entropy from the logits, t smoothed to t (1 - ls) + ls / 2;
#     mse, mae, huber (delta) the mean over the units; batch loss = the sum
#     over the samples / n (sum_over_batch_size);
#   * Dropout (training only): the splitmix64 counter-based masks seqc's
#     generated code uses (see dropout_mask), kept values times
#     float32(1 / (1 - rate)).
# ==========================================================================

ACTS = ("linear", "relu", "sigmoid", "tanh", "softmax", "relu6", "leaky_relu", "elu", "selu",
        "gelu", "gelu_tanh", "silu", "swish", "softplus", "softsign", "hard_sigmoid",
        "hard_silu", "hard_swish", "exponential")

_CONV = {"name", "kernel_size", "strides", "padding", "dilation_rate", "activation", "use_bias",
         "bias_regularizer"}
_POOL = {"name", "pool_size", "strides", "padding"}
# every kind and the options it takes (a typo in a golden spec is an error here too)
KINDS = {
    "input": {"name", "shape"},
    "zero_padding2d": {"name", "padding"},
    "conv2d": _CONV | {"filters", "kernel_regularizer"},
    "max_pooling2d": _POOL,
    "average_pooling2d": _POOL,
    "flatten": {"name"},
    "dense": {"name", "units", "activation", "use_bias", "kernel_regularizer", "bias_regularizer"},
    "dropout": {"name", "rate"},
    "activation": {"name", "activation"},
    "batch_normalization": {"name", "axis", "momentum", "epsilon", "center", "scale"},
    "depthwise_conv2d": _CONV | {"depth_multiplier", "depthwise_regularizer"},
    "separable_conv2d": _CONV | {"filters", "depth_multiplier", "depthwise_regularizer",
                                 "pointwise_regularizer"},
    "global_average_pooling2d": {"name"},
    "global_max_pooling2d": {"name"},
    "conv1d": _CONV | {"filters", "kernel_regularizer"},
    "max_pooling1d": _POOL,
    "average_pooling1d": _POOL,
    "global_average_pooling1d": {"name"},
    "global_max_pooling1d": {"name"},
    "zero_padding1d": {"name", "padding"},
    "reshape": {"name", "target_shape"},
    "relu": {"name", "max_value", "negative_slope", "threshold"},
    "leaky_relu": {"name", "negative_slope", "alpha"},
    "elu": {"name", "alpha"},
}
IMAGE_IN = ("zero_padding2d", "conv2d", "max_pooling2d", "average_pooling2d", "depthwise_conv2d",
            "separable_conv2d", "global_average_pooling2d", "global_max_pooling2d")
SEQ_IN = ("conv1d", "max_pooling1d", "average_pooling1d", "global_average_pooling1d",
          "global_max_pooling1d", "zero_padding1d")

# Keras 3's losses (keras/src/losses/losses.py) and the options each takes
LOSSES = {
    "sparse_categorical_crossentropy": {"from_logits"},
    "categorical_crossentropy": {"from_logits", "label_smoothing"},
    "binary_crossentropy": {"from_logits", "label_smoothing"},
    "mean_squared_error": set(),
    "mean_absolute_error": set(),
    "huber": {"delta"},
}
LOSS_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "huber_loss": "huber"}

SELU_ALPHA = 1.67326324235437728481
SELU_SCALE = 1.05070098735548049342
KINK_MARGIN = 1e-6


class SpecError(Exception):
    pass


def _int(v, what):
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    raise SpecError("%s: expected an integer, got %r" % (what, v))


def _pair(v, what):
    if isinstance(v, int) and not isinstance(v, bool):
        return (v, v)
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return (v[0], v[1])
    raise SpecError("%s: expected an integer or [h, w], got %r" % (what, v))


def _one(v, what):
    """A 1-D window size, stride or dilation: an integer or [k]."""
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    return _int(v, what)


def _float(v, what):
    # PyYAML (YAML 1.1) reads '1e-7' as a string; accept it the way libyaml +
    # strtod do.
    try:
        return float(v)
    except (TypeError, ValueError):
        raise SpecError("%s: expected a number, got %r" % (what, v))


def _bool(v, what):
    if isinstance(v, bool):
        return v
    raise SpecError("%s: expected true or false, got %r" % (what, v))


def _reg(v, what):
    """A regularizer: None, 'l1' / 'l2' (Keras 3 defaults, 0.01), or
    {l1: a, l2: b} (either or both).  Returns (l1, l2) or None."""
    if v is None:
        return None
    if v == "l1":
        return (0.01, 0.0)
    if v == "l2":
        return (0.0, 0.01)
    if isinstance(v, dict) and v and set(v) <= {"l1", "l2"}:
        return (_float(v.get("l1", 0.0), what + ".l1"), _float(v.get("l2", 0.0), what + ".l2"))
    raise SpecError("%s: expected l1, l2 or {l1: a, l2: b}, got %r" % (what, v))


def _same_pads(n_in, k, s):
    n_out = -(-n_in // s)
    total = max((n_out - 1) * s + k - n_in, 0)
    return n_out, total // 2, total - total // 2


def _window(n_in, k, s, d, padding, what):
    """Output size and (before, after) padding of one axis, keff = (k - 1) d + 1."""
    keff = (k - 1) * d + 1
    if padding == "same":
        return _same_pads(n_in, keff, s)
    if padding == "causal":
        return (n_in - 1) // s + 1, keff - 1, 0
    if padding != "valid":
        raise SpecError("%s: padding must be valid or same, got %r" % (what, padding))
    if n_in < keff:
        raise SpecError("%s: window %d larger than the input %d" % (what, keff, n_in))
    return (n_in - keff) // s + 1, 0, 0


class Layer:
    def __init__(self, index, kind, opts):
        self.index = index          # place in the spec's list, input = 0
        self.kind = kind
        self.opts = opts
        self.name = None
        self.in_shape = self.out_shape = None   # (h, w, c), (steps, c) or (n,)
        self.tensors = []           # [(name, dims)] in get_weights() order
        self.act = "linear"
        self.act_params = None      # relu / leaky_relu / elu layers: their options


class Tensor:
    def __init__(self, name, dims, trainable=True, reg=None):
        self.name, self.dims, self.trainable, self.reg = name, tuple(dims), trainable, reg


class Model:
    """A spec parsed, validated enough to build, with every shape resolved."""

    def __init__(self, path):
        with open(path) as f:
            text = f.read()
        doc = yaml.safe_load(text)
        if not isinstance(doc, dict) or "layers" not in doc:
            raise SpecError("%s: no 'layers' list" % path)
        m = re.search(r"^#\s*golden:\s*batch\s+(\d+)\s*$", text, re.M)
        self.golden_batch = int(m.group(1)) if m else None
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        self.name = doc.get("name", stem)
        self.layers = []
        counts = {}
        for i, item in enumerate(doc["layers"]):
            if not isinstance(item, dict) or len(item) != 1:
                raise SpecError("layer %d: expected '- KIND: {OPTIONS}'" % i)
            (kind, opts), = item.items()
            if kind not in KINDS:
                raise SpecError("layer %d: unknown kind %r" % (i, kind))
            if kind == "activation" and isinstance(opts, str):
                opts = {"activation": opts}
            opts = dict(opts or {})
            unknown = set(opts) - KINDS[kind]
            if unknown:
                raise SpecError("layer %d (%s): unknown option(s) %s" % (i, kind, sorted(unknown)))
            l = Layer(i, kind, opts)
            counts[kind] = counts.get(kind, 0) + 1
            l.name = opts.get("name", "%s_%d" % (kind, counts[kind]))
            self.layers.append(l)
        if not self.layers or self.layers[0].kind != "input":
            raise SpecError("the first layer must be input")
        self.tensor_info = []
        self._shapes()
        self._optimizer(doc.get("optimizer", "adam"))
        self._loss(doc.get("loss", "sparse_categorical_crossentropy"))

    # ---- optimizer and loss --------------------------------------------------
    def _optimizer(self, opt):
        """adam or sgd, with the options whose arithmetic the reference
        follows (every other optimizer, clipping, weight decay and schedule
        is tests/test_optim.c's against optim_ref.py)."""
        if isinstance(opt, str):
            name, o = opt, {}
        elif isinstance(opt, dict) and len(opt) == 1:
            (name, o), = opt.items()
            o = dict(o or {})
        else:
            raise SpecError("optimizer: expected NAME or {NAME: {OPTIONS}}, got %r" % (opt,))
        allowed = {"adam": {"learning_rate", "beta_1", "beta_2", "epsilon"},
                   "sgd": {"learning_rate", "momentum", "nesterov"}}
        if name not in allowed:
            raise SpecError("optimizer: the golden reference has adam and sgd, not %r" % name)
        if set(o) - allowed[name]:
            raise SpecError("optimizer %s: the golden reference does not follow %s"
                            % (name, sorted(set(o) - allowed[name])))
        self.optimizer = name
        self.lr = _float(o.get("learning_rate", 0.001 if name == "adam" else 0.01), "learning_rate")
        self.beta_1 = _float(o.get("beta_1", 0.9), "beta_1")
        self.beta_2 = _float(o.get("beta_2", 0.999), "beta_2")
        self.epsilon = _float(o.get("epsilon", 1e-7), "epsilon")
        self.momentum = _float(o.get("momentum", 0.0), "momentum")
        self.nesterov = _bool(o.get("nesterov", False), "nesterov")
        # Keras SGD, learning rate 1, no momentum: each step is w - g exactly
        self.exact_sgd = name == "sgd" and self.lr == 1.0 and self.momentum == 0.0

    def _loss(self, spec):
        """loss: NAME or {NAME: {from_logits, label_smoothing, delta}} (Keras
        3 names and aliases), checked against the last activation as Keras's
        TF backend computes it: a softmax (sigmoid) output before a
        categorical (binary) cross-entropy is taken back to its logits, so
        the last layer's values here are the logits and the loss applies
        softmax / sigmoid itself; with from_logits: true the last activation
        must be linear."""
        if isinstance(spec, str):
            name, o = spec, {}
        elif isinstance(spec, dict) and len(spec) == 1:
            (name, o), = spec.items()
            o = dict(o or {})
        else:
            raise SpecError("loss: expected NAME or {NAME: {OPTIONS}}, got %r" % (spec,))
        name = LOSS_ALIASES.get(name, name)
        if name not in LOSSES:
            raise SpecError("unknown loss %r" % name)
        if set(o) - LOSSES[name]:
            raise SpecError("loss %s: unknown option(s) %s" % (name, sorted(set(o) - LOSSES[name])))
        self.loss_name = name
        self.from_logits = _bool(o.get("from_logits", False), "from_logits")
        self.label_smoothing = _float(o.get("label_smoothing", 0.0), "label_smoothing")
        self.delta = _float(o.get("delta", 1.0), "delta")
        if not 0.0 <= self.label_smoothing <= 1.0 or self.delta <= 0.0:
            raise SpecError("loss %s: label_smoothing in [0, 1], delta > 0" % name)
        last = self.layers[-1]
        if any(l.act == "softmax" for l in self.layers[:-1]):
            raise SpecError("softmax may only be the last activation")
        if len(last.out_shape) != 1:
            raise SpecError("the output must be flat [units]")
        self.n_out = last.out_shape[-1]
        self.sparse = name == "sparse_categorical_crossentropy"
        self.out_act = None      # what the loss applies to the last layer's values
        if name in ("sparse_categorical_crossentropy", "categorical_crossentropy",
                    "binary_crossentropy"):
            want = "sigmoid" if name == "binary_crossentropy" else "softmax"
            if self.from_logits and last.act != "linear":
                raise SpecError("%s with from_logits takes a linear last activation" % name)
            if not self.from_logits and last.act != want:
                raise SpecError("%s needs a %s last activation (or from_logits)" % (name, want))
            if want == "softmax" and self.n_out < 2:
                raise SpecError("%s needs 2 or more units" % name)
            self.out_act = want
            last.act = "linear"  # the layer keeps the logits; the loss applies want
        elif last.act == "softmax":
            raise SpecError("softmax goes only with a cross-entropy loss")
        self.n_targets = 1 if self.sparse else self.n_out
        self.n_classes = self.n_out

    # ---- shapes and parameter tensors --------------------------------------
    def _tensor(self, l, suffix, dims, trainable=True, reg=None):
        l.tensors.append((l.name + "/" + suffix, tuple(dims)))
        self.tensor_info.append(Tensor(l.name + "/" + suffix, dims, trainable, reg))

    def _activation(self, l, name):
        if name not in ACTS:
            raise SpecError("%s: unknown activation %r" % (l.name, name))
        l.act = name

    def _shapes(self):
        shape = None
        for l in self.layers:
            o = l.opts
            k = l.kind
            if k == "input":
                shape = tuple(o["shape"])
                if len(shape) not in (1, 2, 3):
                    raise SpecError("input shape must be [h, w, c], [steps, c] or [n]")
                l.in_shape = l.out_shape = shape
                continue
            l.in_shape = shape
            if k in IMAGE_IN and len(shape) != 3:
                raise SpecError("%s needs an [h, w, c] input" % l.name)
            if k in SEQ_IN and len(shape) != 2:
                raise SpecError("%s needs a [steps, channels] input" % l.name)
            if k == "zero_padding2d":
                p = o.get("padding", 1)
                if isinstance(p, list) and len(p) == 2 and isinstance(p[0], list):
                    (t, b), (lf, r) = _pair(p[0], "padding"), _pair(p[1], "padding")
                else:
                    ph, pw = _pair(p, "padding")
                    t, b, lf, r = ph, ph, pw, pw
                l.pads = (t, b, lf, r)
                shape = (shape[0] + t + b, shape[1] + lf + r, shape[2])
            elif k == "zero_padding1d":
                lf, r = _pair(o.get("padding", 1), "padding")
                l.pads = (0, 0, lf, r)
                shape = (shape[0] + lf + r, shape[1])
            elif k in ("conv2d", "max_pooling2d", "average_pooling2d", "depthwise_conv2d",
                       "separable_conv2d"):
                conv = k.endswith("conv2d")
                kh, kw = _pair(o["kernel_size"] if conv else o.get("pool_size", 2), "kernel")
                sh, sw = _pair(o.get("strides", 1 if conv else [kh, kw]), "strides")
                dh, dw = _pair(o.get("dilation_rate", 1), "dilation_rate") if conv else (1, 1)
                if max(sh, sw) > 1 and max(dh, dw) > 1:
                    raise SpecError("%s: strides > 1 with dilation_rate > 1 (Keras refuses it)" % l.name)
                pad = o.get("padding", "valid")
                oh, pt, pb = _window(shape[0], kh, sh, dh, pad, l.name)
                ow, pl, pr = _window(shape[1], kw, sw, dw, pad, l.name)
                l.k, l.s, l.d, l.pads = (kh, kw), (sh, sw), (dh, dw), (pt, pb, pl, pr)
                cin = shape[2]
                if conv:
                    self._activation(l, o.get("activation", "linear"))
                    l.bias = _bool(o.get("use_bias", True), "use_bias")
                    breg = _reg(o.get("bias_regularizer"), "bias_regularizer")
                if k == "conv2d":
                    cout = _int(o["filters"], "filters")
                    self._tensor(l, "kernel", (kh, kw, cin, cout),
                                 reg=_reg(o.get("kernel_regularizer"), "kernel_regularizer"))
                elif k == "depthwise_conv2d":
                    l.dm = _int(o.get("depth_multiplier", 1), "depth_multiplier")
                    cout = cin * l.dm
                    self._tensor(l, "depthwise_kernel", (kh, kw, cin, l.dm),
                                 reg=_reg(o.get("depthwise_regularizer"), "depthwise_regularizer"))
                elif k == "separable_conv2d":
                    l.dm = _int(o.get("depth_multiplier", 1), "depth_multiplier")
                    cout = _int(o["filters"], "filters")
                    self._tensor(l, "depthwise_kernel", (kh, kw, cin, l.dm),
                                 reg=_reg(o.get("depthwise_regularizer"), "depthwise_regularizer"))
                    self._tensor(l, "pointwise_kernel", (1, 1, cin * l.dm, cout),
                                 reg=_reg(o.get("pointwise_regularizer"), "pointwise_regularizer"))
                else:
                    cout = cin
                if conv and l.bias:
                    self._tensor(l, "bias", (cout,), reg=breg)
                shape = (oh, ow, cout)
            elif k in ("conv1d", "max_pooling1d", "average_pooling1d"):
                conv = k == "conv1d"
                kk = _one(o["kernel_size"] if conv else o.get("pool_size", 2), "kernel")
                s = _one(o.get("strides", 1 if conv else kk), "strides")
                d = _one(o.get("dilation_rate", 1), "dilation_rate") if conv else 1
                if s > 1 and d > 1:
                    raise SpecError("%s: strides > 1 with dilation_rate > 1 (Keras refuses it)" % l.name)
                pad = o.get("padding", "valid")
                if pad == "causal" and not conv:
                    raise SpecError("%s: causal padding is for conv1d" % l.name)
                ot, pl, pr = _window(shape[0], kk, s, d, pad, l.name)
                l.k, l.s, l.d, l.pads = (1, kk), (1, s), (1, d), (0, 0, pl, pr)
                cout = shape[1]
                if conv:
                    self._activation(l, o.get("activation", "linear"))
                    l.bias = _bool(o.get("use_bias", True), "use_bias")
                    cout = _int(o["filters"], "filters")
                    self._tensor(l, "kernel", (kk, shape[1], cout),
                                 reg=_reg(o.get("kernel_regularizer"), "kernel_regularizer"))
                    if l.bias:
                        self._tensor(l, "bias", (cout,),
                                     reg=_reg(o.get("bias_regularizer"), "bias_regularizer"))
                shape = (ot, cout)
            elif k.startswith("global_"):
                shape = (shape[-1],)
            elif k == "flatten":
                shape = (int(np.prod(shape)),)
            elif k == "reshape":
                target = list(o["target_shape"])
                if not 1 <= len(target) <= 3 or any(not isinstance(v, int) for v in target) \
                        or target.count(-1) > 1 or any(v == 0 or v < -1 for v in target):
                    raise SpecError("%s: bad target_shape %r" % (l.name, target))
                total = int(np.prod(shape))
                if -1 in target:          # the one -1 takes what the others leave
                    known = -int(np.prod(target))
                    if total % known:
                        raise SpecError("%s: target_shape does not fit" % l.name)
                    target[target.index(-1)] = total // known
                if int(np.prod(target)) != total:
                    raise SpecError("%s: target_shape does not fit" % l.name)
                shape = tuple(target)
            elif k == "dense":
                if len(shape) != 1:
                    raise SpecError("%s: dense needs a flat input (add flatten)" % l.name)
                self._activation(l, o.get("activation", "linear"))
                l.bias = _bool(o.get("use_bias", True), "use_bias")
                units = _int(o["units"], "units")
                self._tensor(l, "kernel", (shape[0], units),
                             reg=_reg(o.get("kernel_regularizer"), "kernel_regularizer"))
                if l.bias:
                    self._tensor(l, "bias", (units,), reg=_reg(o.get("bias_regularizer"), "bias_regularizer"))
                shape = (units,)
            elif k == "dropout":
                l.rate = _float(o["rate"], "rate")
            elif k == "activation":
                self._activation(l, o.get("activation", "linear"))
            elif k == "batch_normalization":
                axis = o.get("axis", -1)
                if axis not in (-1, len(shape)):
                    raise SpecError("%s: only the last axis (-1) is normalised" % l.name)
                l.momentum = _float(o.get("momentum", 0.99), "momentum")
                l.eps = _float(o.get("epsilon", 0.001), "epsilon")
                l.center = _bool(o.get("center", True), "center")
                l.scale = _bool(o.get("scale", True), "scale")
                c = shape[-1]
                if l.scale:
                    self._tensor(l, "gamma", (c,))
                if l.center:
                    self._tensor(l, "beta", (c,))
                self._tensor(l, "moving_mean", (c,), trainable=False)
                self._tensor(l, "moving_variance", (c,), trainable=False)
            elif k == "relu":
                mv = o.get("max_value")
                if isinstance(mv, str) and mv.lower() in ("none", "null"):
                    mv = None
                p = {"max_value": None if mv is None else _float(mv, "max_value"),
                     "negative_slope": _float(o.get("negative_slope", 0.0), "negative_slope"),
                     "threshold": _float(o.get("threshold", 0.0), "threshold")}
                if (p["max_value"] is not None and p["max_value"] < 0) or p["negative_slope"] < 0 \
                        or p["threshold"] < 0:
                    raise SpecError("%s: max_value, negative_slope and threshold must be >= 0" % l.name)
                l.act, l.act_params = "relu_layer", p
            elif k == "leaky_relu":
                if "alpha" in o and "negative_slope" in o:
                    raise SpecError("%s: negative_slope and its old name alpha both given" % l.name)
                slope = _float(o.get("negative_slope", o.get("alpha", 0.3)), "negative_slope")
                l.act, l.act_params = "leaky_relu_layer", {"negative_slope": slope}
            elif k == "elu":
                l.act, l.act_params = "elu_layer", {"alpha": _float(o.get("alpha", 1.0), "alpha")}
            if min(shape) <= 0:
                raise SpecError("%s: shape collapses to zero" % l.name)
            l.out_shape = shape

    @property
    def tensors(self):
        return [t for l in self.layers for t in l.tensors]

    @property
    def n_input(self):
        return int(np.prod(self.layers[0].out_shape))

    @property
    def has_bn(self):
        return any(l.kind == "batch_normalization" for l in self.layers)

    @property
    def has_reg(self):
        return any(t.reg for t in self.tensor_info)

    def penalty(self, params):
        """The regularization penalty, sum over regularized tensors of
        l1 * sum|w| + l2 * sum w^2 (a float64 scalar tensor)."""
        total = torch.zeros((), dtype=torch.float64)
        for t, w in zip(self.tensor_info, params):
            if t.reg:
                l1, l2 = t.reg
                if l1:
                    total = total + l1 * w.abs().sum()
                if l2:
                    total = total + l2 * (w * w).sum()
        return total

    # ---- forward ---------------------------------------------------------------
    def forward(self, params, x, train, key, stats=None, probe=None):
        """params: list of torch tensors in get_weights() order and layout;
        x: [n, *input shape] (NHWC, or [n, steps, c]).  Returns (outputs,
        logits): outputs[i] is layer i+1's output, [n, h, w, c],
        [n, steps, c] or [n, c].  In training mode each batch-normalization
        layer appends (layer, batch mean, biased batch variance) to stats (if
        a list); probe(layer, kind, tensor) sees every pre-activation
        ('act') and every max window's input ('max')."""
        outs, it, n = [], iter(params), x.shape[0]
        for l in self.layers[1:]:
            k = l.kind
            if k in ("zero_padding2d", "zero_padding1d"):
                t, b, lf, r = l.pads
                x4 = x if k == "zero_padding2d" else x.unsqueeze(1)
                x4 = F.pad(x4.permute(0, 3, 1, 2), (lf, r, t, b)).permute(0, 2, 3, 1)
                x = x4 if k == "zero_padding2d" else x4.squeeze(1)
            elif k == "conv2d":
                w = next(it)
                bias = next(it) if l.bias else None
                t, b, lf, r = l.pads
                xc = F.pad(x.permute(0, 3, 1, 2), (lf, r, t, b))
                if l.d == (1, 1):
                    y = F.conv2d(xc, w.permute(3, 2, 0, 1), bias, stride=l.s)
                else:
                    y = F.conv2d(xc, w.permute(3, 2, 0, 1), bias, stride=l.s, dilation=l.d)
                x = activate(y.permute(0, 2, 3, 1), l, probe)
            elif k in ("depthwise_conv2d", "separable_conv2d"):
                dwk = next(it)
                pwk = next(it) if k == "separable_conv2d" else None
                bias = next(it) if l.bias else None
                kh, kw, cin, dm = dwk.shape
                t, b, lf, r = l.pads
                xc = F.pad(x.permute(0, 3, 1, 2), (lf, r, t, b))
                # PyTorch groups: output channel o reads input channel o // dm,
                # so o = c * dm + m takes depthwise_kernel[:, :, c, m]
                wt = dwk.permute(2, 3, 0, 1).reshape(cin * dm, 1, kh, kw)
                if pwk is None:
                    y = F.conv2d(xc, wt, bias, stride=l.s, dilation=l.d, groups=cin)
                else:
                    y = F.conv2d(xc, wt, None, stride=l.s, dilation=l.d, groups=cin)
                    y = F.conv2d(y, pwk.permute(3, 2, 0, 1), bias)
                x = activate(y.permute(0, 2, 3, 1), l, probe)
            elif k == "conv1d":
                w = next(it)
                bias = next(it) if l.bias else None
                _, _, lf, r = l.pads
                xc = F.pad(x.permute(0, 2, 1), (lf, r))
                y = F.conv1d(xc, w.permute(2, 1, 0), bias, stride=l.s[1], dilation=l.d[1])
                x = activate(y.permute(0, 2, 1), l, probe)
            elif k in ("max_pooling2d", "max_pooling1d"):
                x4 = x if k == "max_pooling2d" else x.unsqueeze(1)
                t, b, lf, r = l.pads
                xc = F.pad(x4.permute(0, 3, 1, 2), (lf, r, t, b), value=-math.inf)
                if probe:
                    probe(l, "max", xc)
                x4 = F.max_pool2d(xc, l.k, l.s).permute(0, 2, 3, 1)
                x = x4 if k == "max_pooling2d" else x4.squeeze(1)
            elif k in ("average_pooling2d", "average_pooling1d"):
                x4 = x if k == "average_pooling2d" else x.unsqueeze(1)
                t, b, lf, r = l.pads
                xc = F.pad(x4.permute(0, 3, 1, 2), (lf, r, t, b))
                ones = F.pad(torch.ones_like(x4[:1, :, :, :1]).permute(0, 3, 1, 2), (lf, r, t, b))
                total = F.avg_pool2d(xc, l.k, l.s, divisor_override=1)
                cells = F.avg_pool2d(ones, l.k, l.s, divisor_override=1)
                x4 = (total / cells).permute(0, 2, 3, 1)
                x = x4 if k == "average_pooling2d" else x4.squeeze(1)
            elif k in ("global_average_pooling2d", "global_average_pooling1d"):
                x = x.reshape(n, -1, x.shape[-1]).mean(dim=1)
            elif k in ("global_max_pooling2d", "global_max_pooling1d"):
                xf = x.reshape(n, -1, x.shape[-1])
                if probe:
                    probe(l, "global_max", xf)
                first = xf.argmax(dim=1, keepdim=True)   # the first maximum, row-major
                x = xf.gather(1, first).squeeze(1)
            elif k in ("flatten", "reshape"):
                x = x.reshape(n, *l.out_shape)
            elif k == "dense":
                w = next(it)
                y = x @ w
                if l.bias:
                    y = y + next(it)
                x = activate(y, l, probe)
            elif k == "dropout":
                if train:
                    keep, scale = dropout_mask(key, l.index, x.numel(), l.rate)
                    mask = torch.from_numpy(keep.astype(np.float64) * float(scale))
                    x = x * mask.reshape(x.shape).to(x.dtype)
            elif k == "batch_normalization":
                gamma = next(it) if l.scale else None
                beta = next(it) if l.center else None
                moving_mean, moving_var = next(it), next(it)
                if train:
                    xf = x.reshape(-1, x.shape[-1])
                    mean = xf.mean(dim=0)
                    var = ((xf - mean) ** 2).mean(dim=0)       # biased
                    if stats is not None:
                        stats.append((l, mean.detach().clone(), var.detach().clone()))
                else:
                    mean, var = moving_mean, moving_var
                y = (x - mean) / torch.sqrt(var + l.eps)
                if gamma is not None:
                    y = y * gamma
                if beta is not None:
                    y = y + beta
                x = y
            elif k in ("activation", "relu", "leaky_relu", "elu"):
                x = activate(x, l, probe)
            outs.append(x)
        return outs, x

    def loss(self, out, targets):
        """The spec's loss with Keras 3's reduction sum_over_batch_size: the
        per-sample losses summed and divided by n.  out: the last layer's
        values [n, K] (the logits where the loss applies softmax or sigmoid);
        targets: [n] class indices (sparse) or [n, K] float64.  Each is
        written with PyTorch's own functions from Keras's formula
        (keras/src/losses/losses.py, keras/src/backend/tensorflow/nn.py):
          sparse_categorical_crossentropy: logsumexp(z) - z[y];
          categorical_crossentropy: t = t (1 - ls) + ls / K,
              -sum_k t_k log_softmax(z)_k  (softmax_cross_entropy_with_logits);
          binary_crossentropy: t = t (1 - ls) + 0.5 ls, mean over k of
              sigmoid_cross_entropy_with_logits(t_k, z_k);
          mean_squared_error / mean_absolute_error: mean over k of e^2 / |e|,
              e = out - t;
          huber: mean over k of 0.5 e^2 if |e| <= delta, else
              delta |e| - 0.5 delta^2."""
        name, ls, n = self.loss_name, self.label_smoothing, out.shape[0]
        if name == "sparse_categorical_crossentropy":
            return F.cross_entropy(out, targets, reduction="mean")
        K = out.shape[-1]
        if name == "categorical_crossentropy":
            t = targets * (1.0 - ls) + ls / K if ls else targets
            per = -(t * F.log_softmax(out, dim=-1)).sum(dim=-1)
        elif name == "binary_crossentropy":
            t = targets * (1.0 - ls) + 0.5 * ls if ls else targets
            per = F.binary_cross_entropy_with_logits(out, t, reduction="none").mean(dim=-1)
        elif name == "mean_squared_error":
            per = ((out - targets) ** 2).mean(dim=-1)
        elif name == "mean_absolute_error":
            per = (out - targets).abs().mean(dim=-1)   # d|e|/de = sign(e), 0 at 0 (TF too)
        else:
            per = F.huber_loss(out, targets, reduction="none", delta=self.delta).mean(dim=-1)
        return per.sum() / n


def _elu(x, alpha):
    """x for x > 0, alpha (e^x - 1) otherwise; the derivative at 0 is alpha."""
    return torch.where(x > 0, x, alpha * torch.expm1(torch.clamp(x, max=0.0)))


def act_fn(act, p=None):
    """The activation as a float64 torch expression (its autograd derivative
    is the one documented at the top for the kinks)."""
    if act in ("linear", "softmax"):   # softmax: the loss applies it
        return lambda x: x
    if act == "relu":
        return torch.relu
    if act == "sigmoid":
        return torch.sigmoid
    if act == "tanh":
        return torch.tanh
    if act == "relu6":
        return F.relu6                                   # derivative 0 at 0 and 6
    if act == "leaky_relu":
        return lambda x: F.leaky_relu(x, 0.2)            # Keras 3 activations.leaky_relu
    if act == "elu":
        return lambda x: _elu(x, 1.0)
    if act == "selu":
        return lambda x: SELU_SCALE * _elu(x, SELU_ALPHA)
    if act == "gelu":                                    # exact (Keras approximate=False)
        return lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if act == "gelu_tanh":
        c = math.sqrt(2.0 / math.pi)
        return lambda x: 0.5 * x * (1.0 + torch.tanh(c * (x + 0.044715 * x ** 3)))
    if act in ("silu", "swish"):
        return lambda x: x * torch.sigmoid(x)
    if act == "softplus":                                # log(1 + e^x), stably
        return lambda x: torch.logaddexp(x, torch.zeros_like(x))
    if act == "softsign":
        return lambda x: x / (1.0 + torch.abs(x))
    if act == "hard_sigmoid":                            # Keras 3: relu6(x + 3) / 6
        return lambda x: F.relu6(x + 3.0) / 6.0
    if act in ("hard_silu", "hard_swish"):
        return lambda x: x * (F.relu6(x + 3.0) / 6.0)
    if act == "exponential":
        return torch.exp
    if act == "relu_layer":
        # Keras ReLU: max_value if x >= max_value; x if threshold <= x < max_value;
        # negative_slope (x - threshold) otherwise (derivative at the threshold:
        # the slope; see the top for why golden.py refuses values exactly there)
        mv, slope, thr = p["max_value"], p["negative_slope"], p["threshold"]

        def f(x):
            y = torch.where(x > thr, x, slope * (x - thr))
            if mv is not None:
                y = torch.where(x >= mv, torch.full_like(x, mv), y)
            return y
        return f
    if act == "leaky_relu_layer":
        return lambda x: F.leaky_relu(x, p["negative_slope"])
    if act == "elu_layer":
        return lambda x: _elu(x, p["alpha"])
    raise SpecError("unknown activation %r" % act)


def kinks(act, p=None):
    """The points where the activation is not differentiable (or, for the
    relu layer's threshold, not continuous): [(x, exact_hit_allowed)]."""
    if act in ("relu", "leaky_relu", "selu", "leaky_relu_layer"):
        return [(0.0, True)]
    if act == "relu6":
        return [(0.0, True), (6.0, True)]
    if act in ("hard_sigmoid", "hard_silu", "hard_swish"):
        return [(-3.0, True), (3.0, True)]
    if act == "elu_layer" and p["alpha"] != 1.0:
        return [(0.0, True)]
    if act == "relu_layer":
        out = []
        if p["threshold"] != 0.0 or p["negative_slope"] != 1.0:
            out.append((p["threshold"], p["threshold"] == 0.0 and p["negative_slope"] == 0.0))
        if p["max_value"] is not None:
            out.append((p["max_value"], True))
        return out
    return []


def activate(x, layer_or_act, probe=None):
    """Applies a layer's activation (or a named one: activate(x, 'relu'))."""
    if isinstance(layer_or_act, str):
        return act_fn(layer_or_act)(x)
    l = layer_or_act
    if probe and kinks(l.act, l.act_params):
        probe(l, "act", x)
    return act_fn(l.act, l.act_params)(x)


# ---- seqc's dropout masks, bit for bit --------------------------------------
M64 = (1 << 64) - 1


def _mix(z):
    """splitmix64's finaliser on a numpy uint64 array (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def dropout_mask(key, layer_index, count, rate):
    """keep[i] for the flat index i over the [n][size] output (sample-major),
    and the float32 scale of kept values."""
    k = _mix(np.array([(key ^ layer_index) & M64], dtype=np.uint64))[0]
    with np.errstate(over="ignore"):
        z = k + np.arange(count, dtype=np.uint64)
    u = (_mix(z) >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    keep = u >= np.float32(rate)
    return keep, np.float32(1.0 / (1.0 - rate))


# ---- the golden tests' deterministic weights ---------------------------------
def golden_weights(tensors):
    """Tensor t (get_weights() order), flat element i:
         u = ((i * 40503 + t * 7919 + 12345) mod 65536) / 65536
         kernel (rank >= 2): float32((2u - 1) * sqrt(6 / (fan_in + fan_out)))
             fan_in = prod(dims[:-2]) * dims[-2], fan_out = prod(dims[:-2]) * dims[-1]
         rank 1, b = (2u - 1) * 0.05:
             a name ending in '/gamma':           float32(1 + b)
             a name ending in '/moving_variance': float32(|b| + 0.5)
             any other (biases, beta, moving_mean): float32(b)
       computed in double; tests/test_golden.c implements the same."""
    out = []
    for t, (name, dims) in enumerate(tensors):
        size = int(np.prod(dims))
        i = np.arange(size, dtype=np.int64)
        u = ((i * 40503 + t * 7919 + 12345) % 65536).astype(np.float64) / 65536.0
        if len(dims) == 1:
            limit = 0.05
        else:
            rf = int(np.prod(dims[:-2])) if len(dims) > 2 else 1
            limit = math.sqrt(6.0 / (rf * dims[-2] + rf * dims[-1]))
        v = (2.0 * u - 1.0) * limit
        if len(dims) == 1 and name.endswith("/gamma"):
            v = 1.0 + v
        elif len(dims) == 1 and name.endswith("/moving_variance"):
            v = np.abs(v) + 0.5
        out.append(v.astype(np.float32).reshape(dims))
    return out


def fnv1a32(a):
    """FNV-1a 32 of the little-endian bytes of a float32 array."""
    h = 0x811C9DC5
    for byte in np.ascontiguousarray(a, dtype="<f4").tobytes():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


# ---- data --------------------------------------------------------------------
def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def pixels(p):
    """uint8 -> float32 exactly as the runtime scales: (float)p / 255.0f."""
    return p.astype(np.float32) / np.float32(255.0)


# ---- fixture files -----------------------------------------------------------
MAGIC = b"SEQCGLD1"
F32, I32 = 0, 1


def write_fixture(path, records):
    """records: [(name, array)], float arrays stored as f32, integer as i32."""
    out = [MAGIC, struct.pack("<I", len(records))]
    for name, a in records:
        a = np.asarray(a)
        dtype = I32 if a.dtype.kind in "iub" else F32
        a = np.ascontiguousarray(a, dtype="<i4" if dtype == I32 else "<f4")
        nb = name.encode("ascii")
        out.append(struct.pack("<I", len(nb)) + nb)
        out.append(struct.pack("<II", dtype, a.ndim) + struct.pack("<%dI" % a.ndim, *a.shape))
        out.append(a.tobytes())
    with open(path, "wb") as f:
        f.write(b"".join(out))


def read_fixture(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == MAGIC, path
    count, = struct.unpack_from("<I", data, 8)
    at, recs = 12, {}
    for _ in range(count):
        nl, = struct.unpack_from("<I", data, at)
        name = data[at + 4:at + 4 + nl].decode("ascii")
        at += 4 + nl
        dtype, rank = struct.unpack_from("<II", data, at)
        dims = struct.unpack_from("<%dI" % rank, data, at + 8)
        at += 8 + 4 * rank
        size = int(np.prod(dims)) if rank else 1
        recs[name] = np.frombuffer(data, dtype="<i4" if dtype == I32 else "<f4",
                                   count=size, offset=at).reshape(dims)
        at += 4 * size
    assert at == len(data), path
    return recs


# ==========================================================================
# The fixtures
# ==========================================================================

STEPS = 3


def digit_list(labels, count):
    """The first image of each label 0..9, then the second of each, and so on
    (the training digits are sorted by label, so this keeps every batch
    mixed)."""
    by_label = [np.flatnonzero(labels == d) for d in range(10)]
    out, r = [], 0
    while len(out) < count:
        out += [int(ix[r]) for ix in by_label if r < len(ix)]
        r += 1
    return out[:count]


def resample(img, h, w):
    rows = ((np.arange(h) + 0.5) * img.shape[0] / h).astype(int)
    cols = ((np.arange(w) + 0.5) * img.shape[1] / w).astype(int)
    return img[rows][:, cols]


def make_inputs(model, images, labels, n):
    shape = model.layers[0].out_shape
    if len(shape) == 3:
        h, w, c = shape
        idx = digit_list(labels, n * c)
        x = np.zeros((n, h, w, c), dtype=np.uint8)
        for s in range(n):
            for ch in range(c):
                x[s, :, :, ch] = resample(images[idx[s * c + ch]], h, w)
        y = np.array([labels[idx[s * c]] for s in range(n)])
    elif len(shape) == 2:
        steps, c = shape
        idx = digit_list(labels, n)
        x = np.stack([resample(images[i], steps, c) for i in idx[:n]])
        y = labels[idx[:n]]
    else:
        (size,) = shape
        side = int(np.ceil(np.sqrt(size)))
        idx = digit_list(labels, n)
        x = np.stack([resample(images[i], side, side).reshape(-1)[:size] for i in idx[:n]])
        y = labels[idx[:n]]
    return pixels(x), y.astype(np.int64)


def make_targets(model, y, n):
    """The float targets [n][K] of a loss other than the sparse one (K the
    output units), from sample s's digit y[s]; float32, as the fixture
    stores them and the reference reads them back:
      categorical_crossentropy: s % 4 == 0, 2: one-hot y; s % 4 == 1: 0.6 on
          y, 0.25 on y + 1, 0.15 on y + 5 (mod K); s % 4 == 3: 0.5 on y, 0.3
          on y + 3 -- a row that sums to 0.8, which Keras takes as it is (no
          normalisation; the gradient is softmax(z) sum(t) - t);
      binary_crossentropy: one unit: y odd; K units: bit k % 4 of y + k // 4;
      regression (mse, mae, huber): a * sin(1.3 s + 0.7 k + 0.25 y) + b, with
          a = 0.45, b = 0.5 (in (0, 1)) when the last activation is sigmoid,
          else a = 1.5, b = 0, so that errors fall on both sides of huber's
          delta."""
    K = model.n_out
    t = np.zeros((n, K), dtype=np.float64)
    name = model.loss_name
    for s in range(n):
        d = int(y[s])
        if name == "categorical_crossentropy":
            r = s % 4
            if r == 1:
                t[s, d % K], t[s, (d + 1) % K], t[s, (d + 5) % K] = 0.6, 0.25, 0.15
            elif r == 3:
                t[s, d % K], t[s, (d + 3) % K] = 0.5, 0.3
            else:
                t[s, d % K] = 1.0
        elif name == "binary_crossentropy":
            for k in range(K):
                t[s, k] = d % 2 if K == 1 else ((d + k // 4) >> (k % 4)) & 1
        else:
            a, b = (0.45, 0.5) if model.layers[-1].act == "sigmoid" else (1.5, 0.0)
            t[s] = a * np.sin(1.3 * s + 0.7 * np.arange(K) + 0.25 * d) + b
    return t.astype(np.float32)


class Margins:
    """The probe of Model.forward: how close the reference's values come to
    an activation's kinks and to a tie in a max window (see the top)."""

    def __init__(self):
        self.problems = []   # fatal: an exact hit where the value itself jumps
        self.warnings = []   # near misses: float32 might land on the other side
        self.kink = {}     # layer name -> smallest |x - kink| seen, exact hits
        self.tie = {}      # layer name -> smallest non-zero gap between a window's top two
        self.loss_notes = []

    def loss(self, model, out, targets, step):
        """The errors a regression loss sees: mean_absolute_error's gradient
        jumps at e = 0 (sign(e), 0 at 0), so an error within KINK_MARGIN of
        0 could take the other sign in float32; huber's regions (|e| <= delta
        or not) are reported, the spec should reach both."""
        if model.loss_name not in ("mean_absolute_error", "huber"):
            return
        e = (out - targets).abs()
        if model.loss_name == "mean_absolute_error":
            near = e[e > 0]
            low = float(near.min()) if near.numel() else math.inf
            if low < KINK_MARGIN:
                self.warnings.append("loss: an error within %.3g of 0 (the kink of |e|)" % low)
            if step == 1:
                self.loss_notes.append("mae min |e| %.2g" % low)
        elif step == 1:
            self.loss_notes.append("huber |e| > delta %g: %d of %d"
                                   % (model.delta, int((e > model.delta).sum()), e.numel()))

    def __call__(self, l, what, x):
        x = x.detach()
        if what == "act":
            for at, exact_ok in kinks(l.act, l.act_params):
                d = (x - at).abs()
                exact = int((d == 0).sum())
                near = d[d > 0]
                low = float(near.min()) if near.numel() else math.inf
                prev = self.kink.get(l.name, (math.inf, 0))
                self.kink[l.name] = (min(prev[0], low), prev[1] + exact)
                if low < KINK_MARGIN:
                    self.warnings.append("%s: a pre-activation within %.3g of the kink at %g"
                                         % (l.name, low, at))
                if exact and not exact_ok:
                    self.problems.append("%s: %d pre-activations exactly on the relu layer's "
                                         "threshold %g" % (l.name, exact, at))
            return
        if what == "max":          # [n, c, h, w] padded with -inf
            kh, kw = l.k
            if kh * kw < 2:
                return
            win = F.unfold(x, (kh, kw), stride=l.s)          # [n, c*kh*kw, L]
            win = win.reshape(x.shape[0], x.shape[1], kh * kw, -1)
            top = torch.topk(win, 2, dim=2).values
        else:                      # global: [n, positions, c]
            if x.shape[1] < 2:
                return
            top = torch.topk(x, 2, dim=1).values.transpose(1, 2)
        gap = top[:, :, 0] - top[:, :, 1]    # the two largest of each window
        gap = gap[torch.isfinite(gap) & (gap > 0)]
        low = float(gap.min()) if gap.numel() else math.inf
        self.tie[l.name] = min(self.tie.get(l.name, math.inf), low)
        if low < KINK_MARGIN:
            self.warnings.append("%s: two values of a max window %.3g apart" % (l.name, low))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("outdir")
    ap.add_argument("--data", default="out/data/mnist")
    ap.add_argument("--batch", type=int, default=None,
                    help="samples (default: the spec's '# golden: batch N' line, else 4 for "
                         "models over 100k parameters, else 5)")
    a = ap.parse_args()

    torch.set_grad_enabled(True)
    try:
        model = Model(a.spec)
    except SpecError as e:
        sys.exit("golden.py: %s: %s" % (a.spec, e))
    stem = os.path.basename(a.spec).rsplit(".", 1)[0]
    tensors = model.tensors
    info = model.tensor_info
    w32 = golden_weights(tensors)
    n_params = sum(w.size for w in w32)
    n = a.batch or model.golden_batch or (4 if n_params > 100000 else 5)

    images = read_idx(os.path.join(a.data, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte"))
    x32, y = make_inputs(model, images, labels, n)
    x = torch.from_numpy(x32.astype(np.float64))
    t32 = None if model.sparse else make_targets(model, y, n)
    yt = torch.from_numpy(y) if model.sparse else torch.from_numpy(t32.astype(np.float64))

    w = [torch.tensor(v.astype(np.float64), requires_grad=True) for v in w32]
    m = [torch.zeros_like(v) for v in w]
    v2 = [torch.zeros_like(v) for v in w]
    index = {t.name: i for i, t in enumerate(info)}
    b1, b2, eps, lr = model.beta_1, model.beta_2, model.epsilon, model.lr
    margins = Margins()
    losses, penalties, outs0, grads0, bn_var = [], [], None, None, {}
    later_grads = []         # exact sgd: the gradients of steps 2 and 3
    for step in range(1, STEPS + 1):
        stats = []
        outs, logits = model.forward(w, x, train=True, key=step, stats=stats, probe=margins)
        margins.loss(model, logits.detach(), yt, step)
        penalty = model.penalty(w)
        loss = model.loss(logits, yt) + penalty
        grads = torch.autograd.grad(loss, w, allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for p, g in zip(w, grads)]
        losses.append(loss.item())
        penalties.append(penalty.item())
        if step == 1:
            outs0 = [o.detach().numpy() for o in outs]
            grads0 = [g.numpy() for g in grads]
        elif model.exact_sgd:
            later_grads.append([g.numpy().copy() for g in grads])
        with torch.no_grad():
            # the moving statistics, from this step's batch statistics
            for l, mean, var in stats:
                bn_var[l.name] = min(bn_var.get(l.name, math.inf), float(var.min()))
                for suffix, stat in (("moving_mean", mean), ("moving_variance", var)):
                    p = w[index[l.name + "/" + suffix]]
                    p.copy_(p * l.momentum + stat * (1.0 - l.momentum))
            if model.optimizer == "sgd":
                # Keras SGD (keras/src/optimizers/sgd.py): w -= lr g; with
                # momentum m = momentum m - lr g, w += m (nesterov:
                # w += momentum m - lr g)
                for t, p, g, mm in zip(info, w, grads, m):
                    if not t.trainable:
                        continue
                    if model.momentum == 0.0:
                        p.sub_(lr * g)
                        continue
                    mm.mul_(model.momentum).sub_(lr * g)
                    p.add_(model.momentum * mm - lr * g if model.nesterov else mm)
                continue
            alpha = lr * np.sqrt(1.0 - b2 ** step) / (1.0 - b1 ** step)
            for t, p, g, mm, vv in zip(info, w, grads, m, v2):
                if not t.trainable:
                    continue
                mm.mul_(b1).add_((1.0 - b1) * g)
                vv.mul_(b2).add_((1.0 - b2) * g * g)
                p.sub_(alpha * mm / (torch.sqrt(vv) + eps))
    with torch.no_grad():
        w_init = [torch.from_numpy(v.astype(np.float64)) for v in w32]
        _, logits_inf = model.forward(w_init, x, train=False, key=0, probe=margins)
        _, logits_inf3 = model.forward(w, x, train=False, key=0, probe=margins)

    for p in dict.fromkeys(margins.warnings):
        print("golden.py: %s: warning: %s" % (a.spec, p), file=sys.stderr)
    if margins.problems:
        for p in dict.fromkeys(margins.problems):
            print("golden.py: %s: %s" % (a.spec, p), file=sys.stderr)
        sys.exit("golden.py: %s: a value sits exactly where the reference and the C may "
                 "legitimately differ; change the spec (see the top of golden.py)" % a.spec)

    os.makedirs(a.outdir, exist_ok=True)
    fwd = [("meta/batch", np.array([n])), ("meta/steps", np.array([STEPS])),
           ("init/fnv1a", np.array([fnv1a32(v) for v in w32], dtype=np.uint32).view(np.int32))]
    if not all(t.trainable for t in info):
        fwd.append(("init/trainable", np.array([int(t.trainable) for t in info], dtype=np.int32)))
    fwd += [("input", x32), ("labels", y.astype(np.int32))]
    if t32 is not None:
        fwd.append(("targets", t32))
    for l, o in zip(model.layers[1:], outs0):
        fwd.append(("out/" + l.name, o))
    for s, lv in enumerate(losses, 1):
        fwd.append(("loss/step%d" % s, np.array([lv])))
    if model.has_reg:
        for s, pv in enumerate(penalties, 1):
            fwd.append(("penalty/step%d" % s, np.array([pv])))
    fwd.append(("infer/logits", logits_inf.numpy()))
    if model.has_bn:
        fwd.append(("infer3/logits", logits_inf3.numpy()))
    grad = [("grad/" + name, g) for (name, _), g in zip(tensors, grads0)]
    for s, gs in enumerate(later_grads, 2):
        grad += [("grad%d/" % s + name, g) for (name, _), g in zip(tensors, gs)]
    adam = [("adam3/" + name, p.detach().numpy()) for (name, _), p in zip(tensors, w)]

    total = 0
    for suffix, recs in (("fwd", fwd), ("grad", grad), ("adam", adam)):
        path = os.path.join(a.outdir, "%s.%s.bin" % (stem, suffix))
        write_fixture(path, recs)
        size = os.path.getsize(path)
        total += size
        if size >= 900 * 1024:
            sys.exit("golden.py: %s is %d bytes; fixtures must stay well under 1 MB" % (path, size))
        back = read_fixture(path)
        assert list(back) == [r[0] for r in recs]
    print("golden: %-12s n=%d params=%d layers=%d loss=%.6f labels=%s -> %s/%s.{fwd,grad,adam}.bin"
          % (stem, n, n_params, len(model.layers) - 1, losses[0], list(y), a.outdir, stem))
    notes = ["%s kink %.2g%s" % (k, d, " (%d exact)" % e if e else "") for k, (d, e) in margins.kink.items()]
    notes += ["%s tie %.2g" % (k, d) for k, d in margins.tie.items() if d < 1e-3]
    notes += ["%s min batch var %.3g" % (k, v) for k, v in bn_var.items()]
    notes += margins.loss_notes
    if model.has_reg:
        notes.append("penalty %.6f" % penalties[0])
    if notes or model.golden_batch:
        print("        %s: %d bytes%s" % (stem, total, "".join("; " + t for t in notes)))


if __name__ == "__main__":
    main()
