#!/usr/bin/python3
"""train_ref.py - train specs/smallcnn.yaml's model in PyTorch (the reference
of golden.py, not seqc), write its weights as a seqc weights file and the
reference's own test metrics, for tests/check_ref_eval.sh.

usage: /usr/bin/python3 tests/reference/train_ref.py [--data out/data/mnist]
           [--spec specs/smallcnn.yaml] [--out tests/golden] [--steps 400]

Training (any reasonable way; only the resulting weights matter): the golden
initial weights, float32, torch.optim.Adam(lr from the spec), batches of 32
digits from DIR/train-* (pixels / 255) in a numpy RandomState(0) order.

Writes OUT/smallcnn_ref.weights in the SEQCWTS1 format (README.md, "Weights
file": "SEQCWTS1", u32 tensor count, per tensor u32 rank, u32 dims, f32
values, then u32 zlib CRC-32 of every preceding byte; little-endian; Keras
get_weights() order and layout) and OUT/smallcnn_ref.txt with the
reference's evaluation of exactly those float32 weights on DIR/t10k-*,
computed in float64:
    test_loss=<mean cross-entropy> test_accuracy=<correct / n>
plus the counts and the smallest top-1/top-2 logit margin (a margin near
float32 rounding would make an argmax, hence the accuracy, fragile).
"""
import argparse
import os
import struct
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402


def load(data, split):
    x = golden.read_idx(os.path.join(data, "%s-images-idx3-ubyte" % split))
    y = golden.read_idx(os.path.join(data, "%s-labels-idx1-ubyte" % split))
    return golden.pixels(x)[..., None], y.astype(np.int64)


def write_weights(path, tensors, values):
    out = [b"SEQCWTS1", struct.pack("<I", len(values))]
    for (_, dims), v in zip(tensors, values):
        assert tuple(v.shape) == tuple(dims)
        out.append(struct.pack("<I", len(dims)) + struct.pack("<%dI" % len(dims), *dims))
        out.append(np.ascontiguousarray(v, dtype="<f4").tobytes())
    body = b"".join(out)
    with open(path, "wb") as f:
        f.write(body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF))


def evaluate(model, w32, x, y):
    w = [torch.from_numpy(v.astype(np.float64)) for v in w32]
    with torch.no_grad():
        z = torch.cat([model.forward(w, torch.from_numpy(x[i:i + 500].astype(np.float64)), False, 0)[1]
                       for i in range(0, len(x), 500)])
    loss = (torch.logsumexp(z, 1) - z[torch.arange(len(y)), torch.from_numpy(y)]).mean().item()
    top2 = torch.topk(z, 2, dim=1).values
    correct = int((z.argmax(1).numpy() == y).sum())
    return loss, correct, float((top2[:, 0] - top2[:, 1]).min())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="out/data/mnist")
    ap.add_argument("--spec", default="specs/smallcnn.yaml")
    ap.add_argument("--out", default="tests/golden")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)   # a fixed reduction order: the same weights every run
    model = golden.Model(a.spec)
    stem = model.name
    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "t10k")
    w = [torch.tensor(v, requires_grad=True) for v in golden.golden_weights(model.tensors)]
    opt = torch.optim.Adam(w, lr=model.lr, betas=(model.beta_1, model.beta_2), eps=model.epsilon)
    rng = np.random.RandomState(0)
    order = np.array([], dtype=np.int64)
    for step in range(a.steps):
        if len(order) < a.batch:
            order = np.concatenate([order, rng.permutation(len(xtr))])
        idx, order = order[:a.batch], order[a.batch:]
        _, logits = model.forward(w, torch.from_numpy(xtr[idx]), True, step + 1)
        loss = model.loss(logits, torch.from_numpy(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (step + 1) % 100 == 0:
            print("train_ref: step %d loss %.4f" % (step + 1, loss.item()))

    w32 = [v.detach().numpy().astype(np.float32) for v in w]
    os.makedirs(a.out, exist_ok=True)
    wpath = os.path.join(a.out, "%s_ref.weights" % stem)
    write_weights(wpath, model.tensors, w32)
    test_loss, correct, margin = evaluate(model, w32, xte, yte)
    n = len(yte)
    with open(os.path.join(a.out, "%s_ref.txt" % stem), "w") as f:
        f.write("# %s trained %d steps by tests/reference/train_ref.py; PyTorch float64 evaluation\n"
                "# of %s on %s/t10k-* (%d images).  Checked by tests/check_ref_eval.sh.\n"
                % (a.spec, a.steps, os.path.basename(wpath), a.data, n))
        f.write("test_loss=%.9f test_accuracy=%.6f\n" % (test_loss, correct / n))
        f.write("correct=%d n=%d min_top2_margin=%.6g\n" % (correct, n, margin))
    print("train_ref: %s: test_loss=%.6f test_accuracy=%.6f (%d/%d), min top-2 margin %.3g"
          % (wpath, test_loss, correct / n, correct, n, margin))


if __name__ == "__main__":
    main()
