#!/usr/bin/env bash
# roundtrip.sh SEQC DIR - the whole trip: a model made by TensorFlow.js
# (tests/import/mlp: Dense, Dropout, BatchNormalization, LeakyReLU, ELU,
# ReLU, Activation) -> seqc --import -> out/NAME train one more epoch from
# the imported weights (--init-weights) -> export --onnx -> ONNX Runtime,
# whose outputs must be within 1e-5 of seqc's (forward() and outputs(), as
# eval runs them: tests/onnx/ref.c) on the 200 test inputs.  The data: 12
# features uniform in [-1, 1], the class the argmax of 4 fixed linear
# functions, as .npy (written by node).  Prints the ORT line; exit 1 on a
# failure, 77 without node or ONNX Runtime (make onnxrt).
set -u
cd "$(dirname "$0")/../.."
SEQC=$1 D=$2
ORT=${ORT_DIR:-out/data/onnxrt}
n=tfjs_mlp
command -v node >/dev/null && [ -f $ORT/node_modules/onnxruntime-node/package.json ] || exit 77
rm -rf $D && mkdir -p $D/data
node -e '
const fs = require("fs"), dir = process.argv[1];
let s = 20261130;
const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
const W = Array.from({length: 4}, () => Array.from({length: 12}, () => rnd() * 2 - 1));
function npy(file, descr, shape, bytes) {
    let h = `{"descr": "${descr}", "fortran_order": False, "shape": (${shape.join(", ")}${shape.length == 1 ? "," : ""}), }`.replace(/"/g, "\x27");
    while ((10 + h.length + 1) % 64) h += " ";
    const head = Buffer.alloc(10); head.write("\x93NUMPY", 0, "latin1"); head[6] = 1; head[7] = 0;
    head.writeUInt16LE(h.length + 1, 8);
    fs.writeFileSync(`${dir}/${file}`, Buffer.concat([head, Buffer.from(h + "\n", "latin1"), bytes]));
}
for (const [part, count] of [["train", 512], ["test", 200]]) {
    const x = new Float32Array(count * 12), y = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
        let best = 0, bv = -Infinity;
        for (let f = 0; f < 12; f++) x[i * 12 + f] = rnd() * 2 - 1;
        for (let k = 0; k < 4; k++) {
            let v = 0;
            for (let f = 0; f < 12; f++) v += W[k][f] * x[i * 12 + f];
            if (v > bv) bv = v, best = k;
        }
        y[i] = best;
    }
    npy(`x_${part}.npy`, "<f4", [count, 12], Buffer.from(x.buffer));
    npy(`y_${part}.npy`, "|u1", [count], Buffer.from(y.buffer));
}' $D/data || exit 1
"$SEQC" --import tests/import/mlp/model.json -o $D/$n.yaml || exit 1
make -s --no-print-directory model SPEC=$D/$n.yaml OUT=$D SEQC="$SEQC" OPT="-O1" >$D/build.log 2>&1 ||
    { cat $D/build.log; exit 1; }
$D/$n train --data $D/data --epochs 1 --threads 1 --init-weights $D/$n.weights --save $D/ft.weights --quiet \
    > $D/train.out || exit 1
cmp -s $D/$n.weights $D/ft.weights && { echo "$n: one epoch changed no weight"; exit 1; }
$D/$n export --weights $D/ft.weights --onnx $D/${n}_ft.onnx >/dev/null || exit 1
gcc -std=c11 -O1 -Wall -Wextra -Werror -fopenmp -Iruntime -I$D -DRT_MODEL_HEADER="\"$n.h\"" -o $D/ref \
    tests/onnx/ref.c $D/$n.c runtime/weights.c runtime/data.c runtime/idx.c runtime/npy.c -lz -lm || exit 1
read -r got nin nout < <($D/ref $D/ft.weights $D/data $D/${n}_ft 200) || exit 1
[ "${got:-0}" = 200 ] || { echo "$n: ref ran ${got:-no} test inputs, not 200"; exit 1; }
echo "$n: imported from TF.js, fine-tuned 1 epoch ($(sed -n 's/^test_loss=.* test_accuracy=/test accuracy /p' $D/train.out))"
node tests/onnx/run.js $ORT $D/${n}_ft.onnx $D/${n}_ft $got $nin $nout
