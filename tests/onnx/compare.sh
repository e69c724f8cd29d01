#!/usr/bin/env bash
# compare.sh NAME WEIGHTS|- DATA|- [N]: export out/NAME's network with
# WEIGHTS ("-": Keras's initial weights with non-trivial biases and
# statistics, from tests/onnx/ref.c --init) to ONNX, check it with onnx.checker (if python3-onnx is installed) and
# run it under ONNX Runtime (make onnxrt) against seqc's outputs for the
# first N (default 1000) test samples of DATA ("-": uniform random inputs).
# Prints the max abs difference; exit 1 above 1e-5, 77 if node or the
# runtime is missing.  Work files go to $ONNX_TMP (default out/test/onnx).
set -u
n=$1 w=$2 data=$3 count=${4:-1000}
T=${ONNX_TMP:-out/test/onnx}
ORT=${ORT_DIR:-out/data/onnxrt}
mkdir -p $T
# seqc's side: the generated forward() and outputs() (REF_OPT: the trainer's
# -O3 gives the same figures to ~1e-7 and compiles 2-3 times slower)
gcc -std=c11 ${REF_OPT:--O1 -march=native -ffp-contract=fast} -Wall -Wextra -Werror -fopenmp -Iruntime -Iout \
    -DRT_MODEL_HEADER="\"$n.h\"" -o $T/ref_$n tests/onnx/ref.c out/$n.c runtime/weights.c \
    runtime/data.c runtime/idx.c runtime/npy.c -lz -lm || exit 1
if [ "$w" = - ]; then w=$T/$n.init.weights; $T/ref_$n --init 1 $w || exit 1; fi
out/$n export --weights $w --onnx $T/$n.onnx >/dev/null || exit 1
if /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
    /usr/bin/python3 tests/onnx/check.py $T/$n.onnx >$T/$n.check || { cat $T/$n.check; exit 1; }
fi
command -v node >/dev/null && [ -f $ORT/node_modules/onnxruntime-node/package.json ] || exit 77
read -r got nin nout < <($T/ref_$n $w $data $T/$n $count) || exit 1
node tests/onnx/run.js $ORT $T/$n.onnx $T/$n ${got:-0} ${nin:-0} ${nout:-0}
