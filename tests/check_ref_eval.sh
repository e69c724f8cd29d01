#!/bin/sh
# check_ref_eval.sh - the runtime's eval agrees with the PyTorch reference on
# a reference-trained weights file (issue 3).
#
# usage: tests/check_ref_eval.sh TRAINER [REF_PREFIX] [DATA_DIR]
#   TRAINER     the smallcnn trainer, e.g. out/smallcnn
#               (make model SPEC=specs/smallcnn.yaml)
#   REF_PREFIX  default tests/golden/smallcnn_ref: PREFIX.weights (SEQCWTS1,
#               written by tests/reference/train_ref.py) and PREFIX.txt (the
#               reference's test_loss= and test_accuracy= on DATA_DIR's t10k)
#   DATA_DIR    default out/data/mnist (make data)
#
# Runs `TRAINER eval --weights PREFIX.weights --data DATA_DIR` and requires
# the same test_accuracy (exactly) and test_loss within 1e-4 of the
# reference.  Exit status 0 on agreement, 1 on a mismatch or any error.
set -u
trainer=${1:?usage: $0 TRAINER [REF_PREFIX] [DATA_DIR]}
prefix=${2:-tests/golden/smallcnn_ref}
data=${3:-out/data/mnist}

ref=$(grep '^test_loss=' "$prefix.txt") || { echo "check_ref_eval: no test_loss= line in $prefix.txt" >&2; exit 1; }
out=$("$trainer" eval --weights "$prefix.weights" --data "$data" 2>&1)
status=$?
ours=$(printf '%s\n' "$out" | grep '^test_loss=' | tail -n 1)
if [ $status -ne 0 ] || [ -z "$ours" ]; then
    printf '%s\n' "$out" >&2
    echo "check_ref_eval: FAIL: '$trainer eval' exited $status without a test_loss= line" >&2
    exit 1
fi

# field VALUE_LINE KEY
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
rl=$(field "$ref" test_loss); ra=$(field "$ref" test_accuracy)
ol=$(field "$ours" test_loss); oa=$(field "$ours" test_accuracy)
echo "reference: test_loss=$rl test_accuracy=$ra"
echo "seqc eval: test_loss=$ol test_accuracy=$oa"
awk -v rl="$rl" -v ra="$ra" -v ol="$ol" -v oa="$oa" 'BEGIN {
    dl = ol - rl; if (dl < 0) dl = -dl
    da = oa - ra; if (da < 0) da = -da
    printf "check_ref_eval: |loss diff| %.3g (limit 1e-4), |accuracy diff| %.3g (must be 0)\n", dl, da
    # accuracy is printed to 6 decimals, and n / 2000 needs 4: equal means equal
    bad = 0
    if (!(da < 5e-7)) { print "check_ref_eval: FAIL: test_accuracy differs from the reference"; bad = 1 }
    if (!(dl <= 1e-4)) { print "check_ref_eval: FAIL: test_loss differs from the reference by more than 1e-4"; bad = 1 }
    exit bad
}' || exit 1
echo "check_ref_eval: OK"
