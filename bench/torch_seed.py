#!/usr/bin/python3
"""PyTorch reference for specs/seed.yaml, matching Keras semantics.

Run with the system python (it has torch):

    /usr/bin/python3 bench/torch_seed.py --data /usr/share/datasets/fashion-mnist \
        --epochs 1 --threads 2

Model (Keras layer -> what is done here):
    Input 28x28x1, pixels/255
    ZeroPadding2D(2)                      -> F.pad(x, (2, 2, 2, 2))      32x32x1
    Conv2D 36 5x5 valid relu              -> nn.Conv2d(1, 36, 5)         28x28x36
    AveragePooling2D 2 'same'             -> F.avg_pool2d(x, 2)          14x14x36
        ('same' pads nothing when the size is even, so plain 2x2/2 pooling)
    Conv2D 36 5x5 valid relu              -> nn.Conv2d(36, 36, 5)        10x10x36
    AveragePooling2D 2 'same'             -> F.avg_pool2d(x, 2)          5x5x36
    Flatten (Keras is NHWC)               -> permute(0, 2, 3, 1).flatten(1)   900
    Dense 128 relu, Dropout 0.3, Dense 64 relu, Dropout 0.3, Dense 10 softmax
        (softmax + sparse CE computed as logits + F.cross_entropy)
Weights: Glorot uniform (conv fan_in = kh*kw*cin, fan_out = kh*kw*cout, which is
what torch's xavier_uniform_ computes for a [cout, cin, kh, kw] tensor), zero biases.
Optimizer: Adam(lr 1e-3, beta 0.9/0.999, epsilon 1e-7) with Keras' epsilon
placement, see keras_adam_eps().  Batch 128, reshuffled each epoch, the last
partial batch (60000 % 128 = 96 samples) is trained too.

Output: one line per epoch, then exactly one final line
    samples_per_s=<x> epoch_seconds=<y> test_loss=<z> test_accuracy=<w>
samples_per_s and epoch_seconds cover only the training loop of each epoch
(averaged over epochs), not data loading or evaluation.
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


def load_idx(path):
    """Read an IDX file (optionally .gz) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        sys.exit(f"{path}: expected {np.prod(dims)} values, found {arr.size}")
    return arr.reshape(dims)


def find_file(d, stem):
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    sys.exit(f"missing {stem}[.gz] in {d}")


def load_split(d, prefix):
    x = load_idx(find_file(d, f"{prefix}-images-idx3-ubyte"))
    y = load_idx(find_file(d, f"{prefix}-labels-idx1-ubyte"))
    x = x.astype(np.float32)
    x /= 255.0                       # in place: keeps the peak RSS honest
    x = torch.from_numpy(x).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(y.astype(np.int64))
    return x.contiguous(), y


class Seed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 36, 5)
        self.conv2 = nn.Conv2d(36, 36, 5)
        self.fc1 = nn.Linear(5 * 5 * 36, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)   # Glorot uniform, Keras fans
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.pad(x, (2, 2, 2, 2))                  # ZeroPadding2D(2)
        x = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
        x = x.permute(0, 2, 3, 1).flatten(1)        # Keras flattens NHWC
        x = F.dropout(F.relu(self.fc1(x)), 0.3, self.training)
        x = F.dropout(F.relu(self.fc2(x)), 0.3, self.training)
        return self.fc3(x)                          # logits; softmax is in the loss


def keras_adam_eps(eps, beta2, t):
    """torch eps that reproduces Keras' Adam at step t (1-based).

    Keras:  w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)
    torch:  w -= lr / (1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps_t)
              = lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps_t*sqrt(1-b2^t))
    so eps_t = eps / sqrt(1-b2^t)  (divided, not multiplied: eps*sqrt(1-b2^t)
    is further from Keras than a fixed eps; checked against a float64 Keras
    Adam, this form agrees to 1e-19).  Setting it per step costs nothing
    measurable; a fixed torch eps=1e-7 would run at the same speed, it only
    differs while 1-b2^t is small (the first few thousand steps) and only
    for weights whose sqrt(v) is near eps.
    """
    return eps / math.sqrt(1.0 - beta2 ** t)


def evaluate(model, x, y, bs=1000):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, x.shape[0], bs):
            out = model(x[i:i + bs])
            loss += F.cross_entropy(out, y[i:i + bs], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    return loss / x.shape[0], correct / x.shape[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                    help="directory with the four IDX files (.gz or raw)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    xtr, ytr = load_split(args.data, "train")
    xte, yte = load_split(args.data, "t10k")
    n = xtr.shape[0]
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} "
          f"train={n} test={xte.shape[0]} batch={args.batch_size}", flush=True)

    model = Seed()
    nparams = sum(p.numel() for p in model.parameters())
    beta1, beta2, eps = 0.9, 0.999, 1e-7
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(beta1, beta2), eps=eps)
    step = 0
    train_time = 0.0
    print(f"params={nparams}", flush=True)

    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for i in range(0, n, args.batch_size):          # last partial batch included
            idx = perm[i:i + args.batch_size]
            xb, yb = xtr.index_select(0, idx), ytr.index_select(0, idx)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
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
        tl, ta = evaluate(model, xte, yte)
        print(f"epoch {epoch}/{args.epochs}: loss={loss_sum.item() / n:.4f} "
              f"accuracy={correct.item() / n:.4f} seconds={dt:.2f} "
              f"samples/s={n / dt:.0f} test_loss={tl:.4f} test_accuracy={ta:.4f}",
              flush=True)

    print(f"samples_per_s={n * args.epochs / train_time:.1f} "
          f"epoch_seconds={train_time / args.epochs:.3f} "
          f"test_loss={tl:.6f} test_accuracy={ta:.6f}", flush=True)


if __name__ == "__main__":
    main()
