#!/usr/bin/env bash
# plot.sh - draw a seqc model's training history and test predictions as PNGs.
#
#   plot.sh MODEL HISTORY_CSV PREDICTIONS_FILE OUTDIR
#
# writes OUTDIR/MODEL-history.png     (history.gp: loss and accuracy per epoch,
#                                      from `out/MODEL train --log HISTORY_CSV`)
#        OUTDIR/MODEL-predictions.png (predictions.gp: 5x5 grid of test images,
#                                      from rt_report_predictions' file)
# Each PNG is drawn to a temporary file in OUTDIR and renamed into place, so a
# failed run never leaves a half-written PNG.  Needs gnuplot with the pngcairo
# terminal (Debian/Ubuntu: apt-get install gnuplot-nox).
# Exit status: 0 ok, 1 input or gnuplot error, 2 usage.
set -euo pipefail

prog=${0##*/}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

usage() {
    echo "usage: $prog MODEL HISTORY_CSV PREDICTIONS_FILE OUTDIR" >&2
    echo "writes OUTDIR/MODEL-history.png and OUTDIR/MODEL-predictions.png" >&2
}
die() { echo "$prog: error: $*" >&2; exit 1; }

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    usage 2>&1
    exit 0
fi
if [ $# -ne 4 ]; then
    usage
    exit 2
fi
model=$1 csv=$2 pred=$3 outdir=$4

[ -n "$model" ] || { usage; exit 2; }
case $model in
    */*) die "MODEL must be a plain name, not a path: $model" ;;
esac

command -v gnuplot >/dev/null 2>&1 ||
    die "gnuplot not found; install it with: sudo apt-get install gnuplot-nox"
gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 ||
    die "this gnuplot has no pngcairo terminal; install Debian's gnuplot-nox (apt-get install gnuplot-nox)"

for f in "$csv" "$pred"; do
    if [ ! -f "$f" ] || [ ! -r "$f" ]; then die "$f: cannot read"; fi
    [ -s "$f" ] || die "$f: empty file"
done
head -n 1 -- "$csv" | grep -q '^epoch,seconds,loss,accuracy,val_loss,val_accuracy' ||
    die "$csv: not a training log (expected header epoch,seconds,loss,accuracy,val_loss,val_accuracy)"
[ "$(sed -n 2p -- "$csv")" != "" ] || die "$csv: no epochs in the log"
head -n 1 -- "$pred" | grep -q '^# seqc predictions v1' ||
    die "$pred: not a seqc predictions file (expected first line '# seqc predictions v1')"
mkdir -p -- "$outdir" || die "$outdir: cannot create the directory"

# gnuplot string literals in single quotes: double any single quote.
gq() { printf "'%s'" "${1//\'/\'\'}"; }

tmps=()
cleanup() { [ ${#tmps[@]} -eq 0 ] || rm -f -- "${tmps[@]}"; }
trap cleanup EXIT

# draw SCRIPT DEST DATA_VAR DATA_FILE
draw() {
    local script=$1 dest=$2 var=$3 data=$4 tmp log
    tmp=$(mktemp "$outdir/.$model.XXXXXX.png") || die "$outdir: cannot write"
    log=$(mktemp) || die "cannot create a temporary file"
    tmps+=("$tmp" "$log")
    if ! gnuplot -e "model=$(gq "$model"); $var=$(gq "$data"); out=$(gq "$tmp")" \
            "$here/$script" 2>"$log"; then
        cat -- "$log" >&2
        die "gnuplot failed on $data ($script)"
    fi
    [ -s "$tmp" ] || { cat -- "$log" >&2; die "gnuplot wrote no image for $data"; }
    # gnuplot reports bad data lines as warnings; show them, they matter.
    [ ! -s "$log" ] || cat -- "$log" >&2
    chmod 644 -- "$tmp"
    mv -f -- "$tmp" "$dest" || die "$dest: cannot write"
    echo "$dest"
}

draw history.gp "$outdir/$model-history.png" csv "$csv"
draw predictions.gp "$outdir/$model-predictions.png" predictions "$pred"
