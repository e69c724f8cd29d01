#!/usr/bin/env bash
# tests/keras/run.sh SEQC OUTDIR - seqc --import of Keras 3 .keras files.
#
# tests/keras/NAME.keras (written by make_keras.py in Keras 3's layout from
# the TF.js fixture tests/import/NAME/, the same weights) is imported, built
# and run on tests/import/NAME/inputs.csv: the probabilities must be within
# 1e-5 of TF.js's (tests/import/NAME/probs.txt), and the weights file must be
# byte for byte the one that model.json imports to.  Then every malformed
# file of tests/keras/bad/ (and a truncated zip, a file that is no zip, a
# missing file, made here) must exit 1 with "FILE: error:" and its reason,
# writing nothing.  Needs no Python.
set -u
cd "$(dirname "$0")/../.."
SEQC=$1 D=$2
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CFLAGS="-std=c11 -O1 -g -Wall -Wextra -Werror $SAN"
TOL=1e-5
fails=0
rm -rf "$D" && mkdir -p "$D"

one() {   # one NAME: import both forms, compare weights, build, run
    local n=$1
    "$SEQC" --import tests/keras/$n.keras -o $D/$n.yaml || return 1
    "$SEQC" --import tests/import/$n/model.json -o $D/tfjs/$n.yaml || return 1
    cmp $D/$n.weights $D/tfjs/$n.weights || { echo "$n: the weights differ from model.json's"; return 1; }
    make -s --no-print-directory $D/$n.c SPEC=$D/$n.yaml OUT=$D SEQC="$SEQC" >$D/$n.build 2>&1 ||
        { cat $D/$n.build; return 1; }
    gcc $CFLAGS -Iruntime -I$D -DRT_MODEL_HEADER="\"$n.h\"" -o $D/check_$n tests/import/check_import.c \
        $D/$n.c runtime/weights.c -lz -lm || return 1
    $D/check_$n $D/$n.weights tests/import/$n/inputs.csv tests/import/$n/probs.txt $TOL
}
mkdir -p $D/tfjs
fixtures=$(cd tests/keras && ls *.keras | sed 's/[.]keras$//')
for n in $fixtures; do
    ( one $n > $D/$n.log 2>&1; echo $? > $D/$n.rc ) &
    while [ "$(jobs -rp | wc -l)" -ge "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" ]; do wait -n; done
done
wait
for n in $fixtures; do
    if [ "$(cat $D/$n.rc)" = 0 ]; then
        echo "ok   import .keras $(tail -1 $D/$n.log), weights = model.json's"
    else
        echo "FAIL import .keras $n"; cat $D/$n.log; fails=$((fails + 1))
    fi
done
# compile_config carried into the spec: an Adam object's learning rate and a
# loss object (seq2), compile(optimizer="sgd", loss="categorical_crossentropy") (mlp)
if grep -q '^loss: sparse_categorical_crossentropy$' $D/seq2.yaml && grep -q '^optimizer: {adam: {learning_rate: 0.005}}$' $D/seq2.yaml &&
   grep -q '^loss: categorical_crossentropy$' $D/mlp.yaml && grep -q '^optimizer: sgd$' $D/mlp.yaml; then
    echo "ok   import .keras compile_config (Adam object, loss object; optimizer and loss names)"
else
    echo "FAIL import .keras compile_config"; fails=$((fails + 1))
fi

# bad FILE 'REASON': exit 1, FILE: error: ...REASON, no output, no temporary file
bad() {
    local f=$1 why=$2 o=$D/bad/out
    mkdir -p $D/bad && rm -f $o.*
    "$SEQC" --import "$f" -o $o.yaml 2>$D/bad/err; local rc=$?
    if [ $rc -ne 1 ] || ls $o.* >/dev/null 2>&1 || ! grep -q "^$f: error: .*$why" $D/bad/err; then
        echo "FAIL import .keras refuses $(basename $f) (exit $rc)"; cat $D/bad/err; fails=$((fails + 1))
    else
        # (the line itself: libhdf5's 128 GB malloc makes ASan talk first)
        echo "ok   import .keras refuses $(basename $f .keras): $(grep -m1 "^$f: error: " $D/bad/err | cut -c1-200 | sed "s|^$f: error: ||")"
    fi
}
B=tests/keras/bad
head -c 9000 tests/keras/seq2.keras > $D/truncated.keras
cp tests/keras/make_keras.py $D/not_a_zip.keras
bad $D/not_a_zip.keras 'not a .keras file: not a zip archive'
bad $D/truncated.keras 'not a zip archive (or a truncated one)'
bad $D/no_such_file.keras 'cannot read'
bad $B/two_configs.keras 'holds a name twice'
bad $B/no_config.keras 'the archive has no config.json'
bad $B/bad_json.keras 'config.json: not valid JSON'
bad $B/functional.keras 'the model is a Functional, not a Sequential model'
bad $B/unknown_layer.keras "layer 'global_max_pooling1d_GlobalMaxPooling1D1' (LSTM): layer class 'LSTM' is not supported"
bad $B/custom_class.keras "layer 'dense_Dense10' (Dense): the layer is a class of its own (module 'my_layers', registered_name 'MyLayers>Dense'), not Keras's"
bad $B/lora.keras "layer 'dense_Dense10' (Dense): option 'lora_rank' is not supported"
bad $B/logits.keras "compile_config: the loss's option 'from_logits' is not supported"
bad $B/no_weights.keras 'the archive has no model.weights.h5$'
bad $B/npz_weights.keras 'its model.weights.npz is not read'
bad $B/not_h5.keras 'model.weights.h5 is not an HDF5 file'
bad $B/truncated_h5.keras 'model.weights.h5 is not an HDF5 file'
bad $B/missing_group.keras "layer 'conv1d_Conv1D3' (Conv1D): model.weights.h5 has no weights for it (no group layers/conv1d)"
bad $B/missing_dataset.keras "layer 'dense_Dense10' (Dense): model.weights.h5 has no dataset layers/dense/vars/1"
bad $B/extra_dataset.keras 'layers/dense/vars holds 3 datasets, the layer has 2 weights'
bad $B/stranger_group.keras 'layers/lstm belongs to no layer of config.json'
bad $B/wrong_name.keras "layers/dense/vars holds the weights of layer 'conv1d_Conv1D3', not of this layer"
bad $B/float64.keras "weight 'dense_Dense10/kernel' (model.weights.h5: layers/dense/vars/0): its dtype is float64, not float32"
bad $B/wrong_shape.keras "layers/dense/vars/0) has shape \[9, 1\], the layer needs \[3, 3\]"
bad $B/nan.keras "layers/dense/vars/1): value 2 is not finite"
bad $B/external_link.keras 'layers/dense is a soft or external link'
bad $B/soft_link.keras 'layers/dense_1 belongs to no layer of config.json'
# found by fuzz_import_keras: libhdf5 1.10 reads a wild address for this file's
# "name" attribute; the reader process dies, the import fails cleanly
bad $B/hdf5_crash.keras 'model.weights.h5'   # (Debian 12's libhdf5: "libhdf5 failed on the file (signal 11)")
# ... and libhdf5 allocating 128 GB for this one (malloc fails, or ASan ends the reader)
bad $B/hdf5_huge_alloc.keras 'model.weights.h5'
n_bad=$(ls $B/*.keras | wc -l)
tested=$(grep -c "^bad \$B/" "$0")
[ "$n_bad" = "$tested" ] || { echo "FAIL tests/keras/run.sh tests $tested of the $n_bad files of $B"; fails=$((fails + 1)); }
exit $((fails > 0))
