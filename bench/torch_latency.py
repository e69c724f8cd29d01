#!/usr/bin/python3
"""Single-image latency of the seed model in PyTorch (batch 1, 1 thread,
inference mode): the reference for an exported seqc model's bench/latency.c.
Every test image once, timed one by one; prints the median and p90 in us.

usage: /usr/bin/python3 bench/torch_latency.py [--data DIR]"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch                                   # noqa: E402
from torch_seed import Seed, load_split        # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="out/data/mnist")
    a = ap.parse_args()
    torch.set_num_threads(1)
    x, _ = load_split(a.data, "t10k")
    x = torch.as_tensor(x)
    model = Seed().eval()
    times = []
    with torch.inference_mode():
        for i in range(50):                    # warm up
            model(x[i:i + 1])
        for i in range(len(x)):
            t0 = time.perf_counter()
            model(x[i:i + 1])
            times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    print(f"torch_latency_us_median={times[len(times) // 2]:.1f} "
          f"torch_latency_us_p90={times[len(times) * 9 // 10]:.1f} images={len(times)}")


if __name__ == "__main__":
    main()
