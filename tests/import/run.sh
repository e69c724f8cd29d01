#!/usr/bin/env bash
# tests/import/run.sh SEQC OUTDIR - seqc --import against TensorFlow.js 4.22.
#
# Each fixture (tests/import/NAME/, written by make_fixtures.js) is imported,
# its generated C built with the runtime's weights loader into
# check_import.c, and run on the fixed inputs: the probabilities must be
# within 1e-5 of TF.js's model.predict().  Then malformed models, made here
# from the seq2 and cnn2 fixtures, must exit 1 with "model.json: error:"
# and the expected reason, writing nothing.  Needs no node.
set -u
cd "$(dirname "$0")/../.."
SEQC=$1 D=$2
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CFLAGS="-std=c11 -O1 -g -Wall -Wextra -Werror $SAN"
TOL=1e-5
fails=0
rm -rf "$D" && mkdir -p "$D"

one() {   # one NAME: import, build, compare
    local n=$1
    "$SEQC" --import tests/import/$n/model.json -o $D/$n.yaml || return 1
    make -s --no-print-directory $D/$n.c SPEC=$D/$n.yaml OUT=$D SEQC="$SEQC" >$D/$n.build 2>&1 ||
        { cat $D/$n.build; return 1; }
    gcc $CFLAGS -Iruntime -I$D -DRT_MODEL_HEADER="\"$n.h\"" -o $D/check_$n tests/import/check_import.c \
        $D/$n.c runtime/weights.c -lz -lm || return 1
    $D/check_$n $D/$n.weights tests/import/$n/inputs.csv tests/import/$n/probs.txt $TOL
}
fixtures=$(cd tests/import && ls -d */ | tr -d /)
for n in $fixtures; do
    ( one $n > $D/$n.log 2>&1; echo $? > $D/$n.rc ) &
    while [ "$(jobs -rp | wc -l)" -ge "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" ]; do wait -n; done
done
wait
for n in $fixtures; do
    if [ "$(cat $D/$n.rc)" = 0 ]; then
        echo "ok   import $(tail -1 $D/$n.log)"
    else
        echo "FAIL import $n"; cat $D/$n.log; fails=$((fails + 1))
    fi
done

# Keras's own spellings, made from seq2: the topology nested under
# model_config with a training_config, an InputLayer with Keras 3's
# batch_shape, an L1L2 regularizer; the same weights as seq2's import
k3=$D/keras3
mkdir -p $k3 && cp tests/import/seq2/weights.bin $k3/
sed -e 's/"modelTopology":{"class_name":"Sequential","config":{"name":"seq2","layers":\[/"modelTopology":{"model_config":{"class_name":"Sequential","config":{"name":"seq2","layers":[{"class_name":"InputLayer","config":{"batch_shape":[null,12,2],"dtype":"float32","sparse":false,"name":"input_layer"}},/' \
    -e 's/"batch_input_shape":\[null,12,2\],//' \
    -e 's/"backend":"tensor_flow.js"}/"backend":"tensor_flow.js"},"training_config":{"loss":"categorical_crossentropy","optimizer_config":{"class_name":"SGD","config":{"learning_rate":0.05}}}}/' \
    -e 's/"kernel_regularizer":null,"bias_regularizer":null,"activity_regularizer":null,"kernel_constraint":null,"bias_constraint":null,"name":"dense_Dense10"/"kernel_regularizer":{"class_name":"L1L2","config":{"l1":0.0,"l2":0.001}},"bias_regularizer":null,"activity_regularizer":null,"kernel_constraint":null,"bias_constraint":null,"name":"dense_Dense10"/' \
    tests/import/seq2/model.json > $k3/model.json
if "$SEQC" --import $k3/model.json -o $k3/k3.yaml && cmp -s $k3/k3.weights $D/seq2.weights &&
   grep -q '^loss: categorical_crossentropy$' $k3/k3.yaml && grep -q '^optimizer: {sgd: {learning_rate: 0.05}}$' $k3/k3.yaml &&
   grep -q 'kernel_regularizer: {l1: 0, l2: 0.001}' $k3/k3.yaml && "$SEQC" --check $k3/k3.yaml; then
    echo "ok   import Keras spellings (model_config, training_config, batch_shape, L1L2)"
else
    echo "FAIL import Keras spellings"; cat $k3/k3.yaml; fails=$((fails + 1))
fi

# Keras 2's built BatchNormalization writes its axis as [3] (the last of 4)
ax=$D/axis3
mkdir -p $ax && cp tests/import/cnn/weights.bin $ax/
sed -e 's/"axis":-1/"axis":[3]/g' tests/import/cnn/model.json > $ax/model.json
if "$SEQC" --import $ax/model.json -o $ax/ax.yaml && cmp -s $ax/ax.weights $D/cnn.weights; then
    echo "ok   import BatchNormalization axis [3]"
else
    echo "FAIL import BatchNormalization axis [3]"; fails=$((fails + 1))
fi

# bad CASE FIXTURE 'SED on model.json' 'REASON' [WEIGHTS-EDIT]
bad() {
    local c=$1 f=$2 edit=$3 why=$4 wedit=${5:-}
    mkdir -p $D/bad/$c
    sed -e "$edit" tests/import/$f/model.json > $D/bad/$c/model.json
    cp tests/import/$f/weights.bin $D/bad/$c/weights.bin
    [ -n "$wedit" ] && ( cd $D/bad/$c && eval "$wedit" )
    rm -f $D/bad/$c/out.yaml $D/bad/$c/out.weights
    "$SEQC" --import $D/bad/$c/model.json -o $D/bad/$c/out.yaml 2>$D/bad/$c/err; local rc=$?
    if [ $rc -ne 1 ] || ls $D/bad/$c/out.* >/dev/null 2>&1 ||
       ! grep -q "^$D/bad/$c/model.json: error: .*$why" $D/bad/$c/err; then
        echo "FAIL import refuses $c (exit $rc)"; cat $D/bad/$c/err; fails=$((fails + 1))
    else
        echo "ok   import refuses $c: $(cut -c1-150 $D/bad/$c/err | sed "s|^$D/bad/||")"
    fi
}
bad json seq2 's/"Sequential",/"Sequential"/' 'not valid JSON'
bad functional seq2 's/"class_name":"Sequential"/"class_name":"Functional"/' 'not a Sequential model'
bad unknown_layer seq2 's/"class_name":"GlobalMaxPooling1D"/"class_name":"LSTM"/' "'LSTM' is not supported"
bad channels_first cnn2 's/channels_last/channels_first/' "option 'data_format' is not supported (only channels_last)"
bad activation seq2 's/"activation":"tanh"/"activation":"hard_sigmoid"/' "activation 'hard_sigmoid' is not supported"
bad option seq2 's/"use_bias":true,/"use_bias":true,"groups":2,/' "option 'groups' is not supported"
bad layer_name seq2 's/dense_Dense10/m4_dnl/g' 'the layer name must match'
bad huge_shape seq2 's/"batch_input_shape":\[null,12,2\]/"batch_input_shape":[null,999999999,2]/' 'dimensions must be integers in'
bad huge_weight seq2 's/"shape":\[3,3\]/"shape":[65536,65536]/' 'more than'
bad short_shard seq2 's/x/x/' 'the shards hold 104 bytes, its weights. shapes need 108' 'head -c 104 weights.bin > w && mv w weights.bin'
bad long_shard seq2 's/x/x/' 'the shards hold more than the 108 bytes its weights. shapes need' 'printf abcd >> weights.bin'
bad missing_weight seq2 's|"dense_Dense10/bias"|"dense_Dense10/bogus"|' "no weight 'dense_Dense10/bias'"
bad wrong_shape seq2 's/"shape":\[3,3\]/"shape":[9,1]/' "has shape \[9, 1\], the layer needs \[3, 3\]"
bad nan seq2 's/x/x/' "weight 'conv1d_Conv1D3/kernel': value 1 is not finite" \
    'printf "\000\000\300\177" | dd of=weights.bin bs=1 seek=4 conv=notrunc status=none'
bad shard_path seq2 's|"weights.bin"|"../../../etc/passwd"|' 'a shard path must be relative'
bad no_shard seq2 's|"weights.bin"|"nothere.bin"|' 'cannot read'
bad seqc_refuses seq2 's/"class_name":"GlobalMaxPooling1D"/"class_name":"ReLU"/' 'seqc cannot compile the model: .*flat input'
bad bn_axis cnn 's/"axis":-1/"axis":2/' "option 'axis' 2 is not the last axis"
exit $((fails > 0))
