#!/bin/sh
# make_golden.sh - regenerate every golden fixture (tests/golden/*.bin) from
# the PyTorch reference, and the reference-trained smallcnn weights
# (tests/golden/smallcnn_ref.{weights,txt}).  This is what `make golden` runs.
#
# usage: tests/reference/make_golden.sh [--no-train]   (from the repository root)
#
# One golden.py run per tests/specs/golden/*.yaml; a spec's batch is its
# '# golden: batch N' comment line (else golden.py's default).  golden.py
# prints each fixture's size and the kink, tie and batch-variance margins it
# saw, and warns on stderr where float32 rounding might cross a kink.
#
# Needs /usr/bin/python3 with torch, numpy and PyYAML (Debian python3-torch,
# python3-numpy, python3-yaml) and the default digits in out/data/mnist
# (`make data`).  The tests that read the fixtures need none of this.
set -eu
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATA:-out/data/mnist}
cd "$(dirname "$0")/../.."

"$PY" -c 'import torch, numpy, yaml' || {
    echo "make_golden.sh: $PY lacks torch/numpy/yaml (apt-get install python3-torch python3-numpy python3-yaml)" >&2
    exit 1
}
[ -f "$DATA/train-images-idx3-ubyte" ] || { echo "make_golden.sh: no $DATA; run 'make data' first" >&2; exit 1; }

mkdir -p tests/golden
for spec in tests/specs/golden/*.yaml; do
    "$PY" tests/reference/golden.py "$spec" tests/golden --data "$DATA"
done
"$PY" tests/reference/optim_ref.py tests/golden/optim.bin   # every optimizer and schedule (numpy only)
if [ "${1:-}" != "--no-train" ]; then
    "$PY" tests/reference/train_ref.py --data "$DATA" --out tests/golden
fi
