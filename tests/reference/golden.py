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
    next ones), resampled to the input's H x W by nearest neighbour (flat
    inputs: the 28x28 image resampled to the nearest square, then cut);
    labels: sample s's channel-0 digit;
  * step s = 1, 2, 3: forward in training mode with dropout key s, the mean
    loss, its gradients, then one Keras-form Adam update
    (alpha = lr * sqrt(1 - b2^t) / (1 - b1^t); m, v; w -= alpha m / (sqrt v + eps))
    with the spec's hyper-parameters, all in float64 from float32 weights.

Files, format SEQCGLD1 (little-endian):
  "SEQCGLD1", u32 record count, per record: u32 name length, name (ASCII),
  u32 dtype (0 = f32, 1 = i32), u32 rank, u32 dims[rank], 4-byte values.
  NAME.fwd.bin   meta/batch, meta/steps, init/fnv1a (one hash per tensor),
                 input [n][...], labels [n], out/LAYER [n][h][w][c] or [n][c]
                 for every layer after the input (step 1; the softmax layer
                 holds the logits), loss/step1..3 (mean loss before each
                 update), infer/logits [n][classes] (train = 0)
  NAME.grad.bin  grad/TENSOR: d(mean loss)/d(tensor) at step 1
  NAME.adam.bin  adam3/TENSOR: the weights after the 3 Adam steps
Every parameter is covered; three files keep each well under 1 MB.
"""
import argparse
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
import yaml

# ==========================================================================
# The reference: an independent PyTorch implementation of seqc's spec format
# (train_ref.py imports it too).  Nothing here reads seqc's C; the rules come from
# ../shared/docs/keras-semantics.md and `out/seqc --help`:
#
#   * activations are NHWC per sample; Flatten is row-major over (H, W, C);
#   * Conv2D kernel [kh][kw][cin][cout], Dense kernel [in][out], biases [out];
#     tensors in Keras get_weights() order (per layer: kernel, then bias);
#   * 'same': out = ceil(in / s), pad_total = max((out - 1) * s + k - in, 0),
#     pad_before = pad_total // 2, the extra row/column after (TF);
#   * MaxPooling2D 'same' ignores the padding, AveragePooling2D 'same' divides
#     by the number of real cells; pooling strides default to pool_size;
#   * a softmax last activation is fused with the loss: the layer's output is
#     the logits, loss_i = logsumexp(z) - z[y], batch loss = mean;
#   * Dropout (training only): the splitmix64 counter-based masks seqc's
#     generated code uses (see dropout_mask), kept values times
#     float32(1 / (1 - rate)).
# ==========================================================================

KINDS = ("input", "zero_padding2d", "conv2d", "max_pooling2d", "average_pooling2d",
         "flatten", "dense", "dropout", "activation")
ACTS = ("linear", "relu", "sigmoid", "tanh", "softmax")


class SpecError(Exception):
    pass


def _pair(v, what):
    if isinstance(v, int) and not isinstance(v, bool):
        return (v, v)
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return (v[0], v[1])
    raise SpecError("%s: expected an integer or [h, w], got %r" % (what, v))


def _float(v, what):
    # PyYAML (YAML 1.1) reads '1e-7' as a string; accept it the way libyaml +
    # strtod do.
    try:
        return float(v)
    except (TypeError, ValueError):
        raise SpecError("%s: expected a number, got %r" % (what, v))


def _same_pads(n_in, k, s):
    n_out = -(-n_in // s)
    total = max((n_out - 1) * s + k - n_in, 0)
    return n_out, total // 2, total - total // 2


class Layer:
    def __init__(self, index, kind, opts):
        self.index = index          # place in the spec's list, input = 0
        self.kind = kind
        self.opts = opts
        self.name = None
        self.in_shape = self.out_shape = None   # (h, w, c) or (n,)
        self.tensors = []           # [(name, dims)] in get_weights() order
        self.act = "linear"


class Model:
    """A spec parsed, validated enough to build, with every shape resolved."""

    def __init__(self, path):
        with open(path) as f:
            doc = yaml.safe_load(f)
        if not isinstance(doc, dict) or "layers" not in doc:
            raise SpecError("%s: no 'layers' list" % path)
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
            l = Layer(i, kind, opts)
            counts[kind] = counts.get(kind, 0) + 1
            l.name = opts.get("name", "%s_%d" % (kind, counts[kind]))
            self.layers.append(l)
        if not self.layers or self.layers[0].kind != "input":
            raise SpecError("the first layer must be input")
        self._shapes()
        opt = doc.get("optimizer", "adam")
        adam = {}
        if isinstance(opt, dict):
            adam = opt.get("adam") or {}
        elif opt != "adam":
            raise SpecError("optimizer must be adam")
        self.lr = _float(adam.get("learning_rate", 0.001), "learning_rate")
        self.beta_1 = _float(adam.get("beta_1", 0.9), "beta_1")
        self.beta_2 = _float(adam.get("beta_2", 0.999), "beta_2")
        self.epsilon = _float(adam.get("epsilon", 1e-7), "epsilon")
        last = self.layers[-1]
        if last.act != "softmax":
            raise SpecError("the last layer must have a softmax activation")
        self.n_classes = last.out_shape[-1]

    # ---- shapes and parameter tensors --------------------------------------
    def _shapes(self):
        shape = None
        for l in self.layers:
            o = l.opts
            if l.kind == "input":
                shape = tuple(o["shape"])
                if len(shape) not in (1, 3):
                    raise SpecError("input shape must be [h, w, c] or [n]")
                l.in_shape = l.out_shape = shape
                continue
            l.in_shape = shape
            spatial = len(shape) == 3
            if l.kind in ("zero_padding2d", "conv2d", "max_pooling2d", "average_pooling2d") and not spatial:
                raise SpecError("%s needs an [h, w, c] input" % l.name)
            if l.kind == "zero_padding2d":
                p = o.get("padding", 1)
                if isinstance(p, list) and len(p) == 2 and isinstance(p[0], list):
                    (t, b), (lf, r) = _pair(p[0], "padding"), _pair(p[1], "padding")
                else:
                    ph, pw = _pair(p, "padding")
                    t, b, lf, r = ph, ph, pw, pw
                l.pads = (t, b, lf, r)
                shape = (shape[0] + t + b, shape[1] + lf + r, shape[2])
            elif l.kind in ("conv2d", "max_pooling2d", "average_pooling2d"):
                conv = l.kind == "conv2d"
                kh, kw = _pair(o["kernel_size"] if conv else o.get("pool_size", 2), "kernel")
                sh, sw = _pair(o.get("strides", 1 if conv else [kh, kw]), "strides")
                same = o.get("padding", "valid") == "same"
                if same:
                    oh, pt, pb = _same_pads(shape[0], kh, sh)
                    ow, pl, pr = _same_pads(shape[1], kw, sw)
                else:
                    oh, ow = (shape[0] - kh) // sh + 1, (shape[1] - kw) // sw + 1
                    pt = pb = pl = pr = 0
                l.k, l.s, l.pads = (kh, kw), (sh, sw), (pt, pb, pl, pr)
                if conv:
                    cout = o["filters"]
                    l.act = o.get("activation", "linear")
                    l.bias = bool(o.get("use_bias", True))
                    l.tensors.append((l.name + "/kernel", (kh, kw, shape[2], cout)))
                    if l.bias:
                        l.tensors.append((l.name + "/bias", (cout,)))
                    shape = (oh, ow, cout)
                else:
                    shape = (oh, ow, shape[2])
            elif l.kind == "flatten":
                shape = (int(np.prod(shape)),)
            elif l.kind == "dense":
                if spatial:
                    raise SpecError("%s: dense needs a flat input (add flatten)" % l.name)
                l.act = o.get("activation", "linear")
                l.bias = bool(o.get("use_bias", True))
                l.tensors.append((l.name + "/kernel", (shape[0], o["units"])))
                if l.bias:
                    l.tensors.append((l.name + "/bias", (o["units"],)))
                shape = (o["units"],)
            elif l.kind == "dropout":
                l.rate = _float(o["rate"], "rate")
            elif l.kind == "activation":
                l.act = o.get("activation", "linear")
            if l.act not in ACTS:
                raise SpecError("%s: unknown activation %r" % (l.name, l.act))
            if min(shape) <= 0:
                raise SpecError("%s: shape collapses to zero" % l.name)
            l.out_shape = shape

    @property
    def tensors(self):
        return [t for l in self.layers for t in l.tensors]

    @property
    def n_input(self):
        return int(np.prod(self.layers[0].out_shape))

    # ---- forward ---------------------------------------------------------------
    def forward(self, params, x, train, key):
        """params: list of torch tensors in get_weights() order and layout;
        x: [n, *input shape] (NHWC).  Returns (outputs, logits): outputs[i]
        is layer i+1's output, [n, h, w, c] or [n, c]."""
        outs, it, n = [], iter(params), x.shape[0]
        for l in self.layers[1:]:
            if l.kind == "zero_padding2d":
                t, b, lf, r = l.pads
                x = F.pad(x.permute(0, 3, 1, 2), (lf, r, t, b)).permute(0, 2, 3, 1)
            elif l.kind == "conv2d":
                w = next(it)
                bias = next(it) if l.bias else None
                t, b, lf, r = l.pads
                xc = F.pad(x.permute(0, 3, 1, 2), (lf, r, t, b))
                y = F.conv2d(xc, w.permute(3, 2, 0, 1), bias, stride=l.s)
                x = activate(y.permute(0, 2, 3, 1), l.act)
            elif l.kind == "max_pooling2d":
                t, b, lf, r = l.pads
                xc = F.pad(x.permute(0, 3, 1, 2), (lf, r, t, b), value=-math.inf)
                x = F.max_pool2d(xc, l.k, l.s).permute(0, 2, 3, 1)
            elif l.kind == "average_pooling2d":
                t, b, lf, r = l.pads
                xc = F.pad(x.permute(0, 3, 1, 2), (lf, r, t, b))
                ones = F.pad(torch.ones_like(x[:1, :, :, :1]).permute(0, 3, 1, 2), (lf, r, t, b))
                total = F.avg_pool2d(xc, l.k, l.s, divisor_override=1)
                cells = F.avg_pool2d(ones, l.k, l.s, divisor_override=1)
                x = (total / cells).permute(0, 2, 3, 1)
            elif l.kind == "flatten":
                x = x.reshape(n, -1)
            elif l.kind == "dense":
                w = next(it)
                y = x @ w
                if l.bias:
                    y = y + next(it)
                x = activate(y, l.act)
            elif l.kind == "dropout":
                if train:
                    keep, scale = dropout_mask(key, l.index, x.numel(), l.rate)
                    mask = torch.from_numpy(keep.astype(np.float64) * float(scale))
                    x = x * mask.reshape(x.shape).to(x.dtype)
            elif l.kind == "activation":
                x = activate(x, l.act)
            outs.append(x)
        return outs, x

    @staticmethod
    def loss(logits, labels):
        """Mean sparse categorical cross-entropy from the logits."""
        return F.cross_entropy(logits, labels, reduction="mean")


def activate(x, act):
    if act in ("linear", "softmax"):   # softmax: the loss applies it
        return x
    if act == "relu":
        return torch.relu(x)
    if act == "sigmoid":
        return torch.sigmoid(x)
    if act == "tanh":
        return torch.tanh(x)
    raise SpecError("unknown activation %r" % act)


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
         bias (rank 1):      float32((2u - 1) * 0.05)
       computed in double; tests/test_golden.c implements the same."""
    out = []
    for t, (_, dims) in enumerate(tensors):
        size = int(np.prod(dims))
        i = np.arange(size, dtype=np.int64)
        u = ((i * 40503 + t * 7919 + 12345) % 65536).astype(np.float64) / 65536.0
        if len(dims) == 1:
            limit = 0.05
        else:
            rf = int(np.prod(dims[:-2])) if len(dims) > 2 else 1
            limit = math.sqrt(6.0 / (rf * dims[-2] + rf * dims[-1]))
        out.append(((2.0 * u - 1.0) * limit).astype(np.float32).reshape(dims))
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
    """The first image of each label 0..9, then images 0, 1, ... not yet used."""
    first = [int(np.flatnonzero(labels == d)[0]) for d in range(10)]
    rest = [i for i in range(len(labels)) if i not in first]
    return (first + rest)[:count]


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
    else:
        (size,) = shape
        side = int(np.ceil(np.sqrt(size)))
        idx = digit_list(labels, n)
        x = np.stack([resample(images[i], side, side).reshape(-1)[:size] for i in idx[:n]])
        y = labels[idx[:n]]
    return pixels(x), y.astype(np.int64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("outdir")
    ap.add_argument("--data", default="out/data/mnist")
    ap.add_argument("--batch", type=int, default=None,
                    help="samples (default 4 for models over 100k parameters, else 5)")
    a = ap.parse_args()

    torch.set_grad_enabled(True)
    model = Model(a.spec)
    stem = os.path.basename(a.spec).rsplit(".", 1)[0]
    tensors = model.tensors
    w32 = golden_weights(tensors)
    n_params = sum(w.size for w in w32)
    n = a.batch or (4 if n_params > 100000 else 5)

    images = read_idx(os.path.join(a.data, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte"))
    x32, y = make_inputs(model, images, labels, n)
    x = torch.from_numpy(x32.astype(np.float64))
    yt = torch.from_numpy(y)

    w = [torch.tensor(v.astype(np.float64), requires_grad=True) for v in w32]
    m = [torch.zeros_like(v) for v in w]
    v2 = [torch.zeros_like(v) for v in w]
    b1, b2, eps, lr = model.beta_1, model.beta_2, model.epsilon, model.lr
    losses, outs0, grads0 = [], None, None
    for step in range(1, STEPS + 1):
        outs, logits = model.forward(w, x, train=True, key=step)
        loss = model.loss(logits, yt)
        grads = torch.autograd.grad(loss, w)
        losses.append(loss.item())
        if step == 1:
            outs0 = [o.detach().numpy() for o in outs]
            grads0 = [g.numpy() for g in grads]
        alpha = lr * np.sqrt(1.0 - b2 ** step) / (1.0 - b1 ** step)
        with torch.no_grad():
            for p, g, mm, vv in zip(w, grads, m, v2):
                mm.mul_(b1).add_((1.0 - b1) * g)
                vv.mul_(b2).add_((1.0 - b2) * g * g)
                p.sub_(alpha * mm / (torch.sqrt(vv) + eps))
    with torch.no_grad():
        w_init = [torch.from_numpy(v.astype(np.float64)) for v in w32]
        _, logits_inf = model.forward(w_init, x, train=False, key=0)

    os.makedirs(a.outdir, exist_ok=True)
    fwd = [("meta/batch", np.array([n])), ("meta/steps", np.array([STEPS])),
           ("init/fnv1a", np.array([fnv1a32(v) for v in w32], dtype=np.uint32).view(np.int32)),
           ("input", x32), ("labels", y.astype(np.int32))]
    for l, o in zip(model.layers[1:], outs0):
        fwd.append(("out/" + l.name, o))
    for s, lv in enumerate(losses, 1):
        fwd.append(("loss/step%d" % s, np.array([lv])))
    fwd.append(("infer/logits", logits_inf.numpy()))
    grad = [("grad/" + name, g) for (name, _), g in zip(tensors, grads0)]
    adam = [("adam3/" + name, p.detach().numpy()) for (name, _), p in zip(tensors, w)]

    for suffix, recs in (("fwd", fwd), ("grad", grad), ("adam", adam)):
        path = os.path.join(a.outdir, "%s.%s.bin" % (stem, suffix))
        write_fixture(path, recs)
        size = os.path.getsize(path)
        if size >= 900 * 1024:
            sys.exit("golden.py: %s is %d bytes; fixtures must stay well under 1 MB" % (path, size))
        back = read_fixture(path)
        assert list(back) == [r[0] for r in recs]
    print("golden: %-12s n=%d params=%d layers=%d loss=%.6f labels=%s -> %s/%s.{fwd,grad,adam}.bin"
          % (stem, n, n_params, len(model.layers) - 1, losses[0], list(y), a.outdir, stem))


if __name__ == "__main__":
    main()
