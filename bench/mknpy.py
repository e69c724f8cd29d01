#!/usr/bin/python3
"""mknpy.py - synthetic .npy training sets for the speed benchmark of the
issue-10 specs (bench/run).  numpy only; a fixed seed, so the files are the
same on every run and machine.

usage: /usr/bin/python3 bench/mknpy.py [OUTDIR] [--scale X] [NAME...]

Writes OUTDIR/NAME/{x_train,y_train,x_test,y_test}.npy (OUTDIR default
out/bench/npy) for each NAME (default: all of them):

  name              x (per sample)       dtype    classes  train  test
  ds_cnn            [49, 10, 1]          float32  12       SETS   SETS
  mobilenet_v1_025  [96, 96, 3]          uint8    2        ...
  conv1d            [128, 3]             float32  6        ...

x is random (standard normal for the float32 sets, uniform 0..255 for the
uint8 images); it only has to have the right shape, the benchmark measures
speed.  y is balanced: sample i has label i % classes before one random
permutation, so every class has the same count (+-1).  --scale multiplies
the sample counts (e.g. 0.1 for a quick try).  A set whose files already
exist with the same content is left alone (so make bench does not rewrite
20 MB each time).
"""
import os
import sys

import numpy as np

SEED = 20251130
# name: (sample shape, dtype, classes, train samples, test samples)
# Sizes: each seqc run should last a second or more on a quiet 2-core Zen 4
# (seqc trains ~3,000 DS-CNN, ~800 MobileNet and ~50,000 conv1d samples/s
# there), so that thread start-up and timer resolution do not matter.
SETS = {
    "ds_cnn": ((49, 10, 1), np.float32, 12, 10000, 200),
    "mobilenet_v1_025": ((96, 96, 3), np.uint8, 2, 2000, 100),
    "conv1d": ((128, 3), np.float32, 6, 40000, 200),
}


def make(name, scale):
    shape, dtype, classes, n_train, n_test = SETS[name]
    # one generator per set, seeded from the set's name: adding a set or
    # changing --scale of another leaves this one's files unchanged
    rng = np.random.default_rng([SEED, sum(map(ord, name))])
    out = {}
    for split, n in (("train", max(1, round(n_train * scale))), ("test", max(1, round(n_test * scale)))):
        if dtype == np.uint8:
            x = rng.integers(0, 256, size=(n,) + shape, dtype=np.uint8)
        else:
            x = rng.standard_normal(size=(n,) + shape, dtype=np.float32)
        y = rng.permutation(np.arange(n, dtype=np.int64) % classes)
        out["x_" + split], out["y_" + split] = x, y
    return out


def same(path, arr):
    """True if path is a .npy holding exactly arr (shape, dtype and bytes)."""
    try:
        old = np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        return False
    return old.shape == arr.shape and old.dtype == arr.dtype and np.array_equal(old, arr)


def main(argv):
    args, scale, outdir = [], 1.0, "out/bench/npy"
    it = iter(argv)
    for a in it:
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a == "--scale":
            scale = float(next(it))
        elif a in SETS:
            args.append(a)
        elif a.startswith("-"):
            sys.exit("mknpy.py: unknown option %s" % a)
        else:
            outdir = a
    for name in args or list(SETS):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        wrote = 0
        for key, arr in make(name, scale).items():
            path = os.path.join(d, key + ".npy")
            if not same(path, arr):
                tmp = path + ".tmp.npy"
                np.save(tmp, arr)
                os.replace(tmp, path)
                wrote += 1
        shape, dtype, classes = SETS[name][:3]
        print("mknpy.py: %s: %s (%s %s, %d classes)" % (
            d, "written" if wrote else "up to date", np.dtype(dtype).name,
            "x".join(map(str, shape)), classes), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
