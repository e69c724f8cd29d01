#!/usr/bin/env bash
# bench/mpi.sh - the `make bench-mpi` driver: samples/s of one training
# epoch of the seed model (specs/seed.yaml) on the default digits
# (out/data/mnist, 8,000 samples), median of REPEATS runs, for
#   1 process x 1 thread (MPI=1 build, mpirun -np 1)
#   2 processes x 1 thread (mpirun -np 2)
#   1 process x 2 threads (the plain build)
# and writes bench/results-mpi.md.  Every run's weights are compared (cmp)
# with the 1 x 1 run's: they must be the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
SPEC=${SPEC:-specs/seed.yaml}
DATA=${DATA:-out/data/mnist}
WORK=${WORK:-out/bench-mpi}
RESULTS=${RESULTS:-bench/results-mpi.md}
NAME=$(basename "$SPEC" .yaml)
SEQC=${SEQC:-out/seqc}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

mkdir -p "$WORK"
make -s --no-print-directory model SEQC="$SEQC" SPEC="$SPEC" >/dev/null
make -s --no-print-directory model SEQC="$SEQC" SPEC="$SPEC" OUT="$WORK/mpi" MPI=1 >/dev/null

# run LABEL CMD...: REPEATS runs of CMD; the median of train_samples_per_s
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A rate
run() {
    local label=$1; shift
    for i in $(seq 1 "$REPEATS"); do
        "$@" --data "$DATA" --epochs 1 --save "$WORK/$label.weights" > "$WORK/$label.$i.out"
        cmp "$WORK/$label.weights" "$WORK/p1t1.weights" 2>/dev/null ||
            [ "$label" = p1t1 ] || { echo "error: $label's weights differ from 1 x 1's"; exit 1; }
        sed -n 's/^train_samples_per_s=//p' "$WORK/$label.$i.out"
    done | median > "$WORK/$label.rate"
    rate[$label]=$(cat "$WORK/$label.rate")
    printf '%-28s %10s samples/s\n' "$label" "${rate[$label]}"
}
mp() { mpirun --oversubscribe --allow-run-as-root "$@"; }
run p1t1 mp -np 1 "$WORK/mpi/$NAME" train --threads 1
run p2t1 mp -np 2 "$WORK/mpi/$NAME" train --threads 1
run plain_t2 "out/$NAME" train --threads 2
run plain_t1 "out/$NAME" train --threads 1

load=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "# Data-parallel training over MPI: samples/s (make bench-mpi)"
    echo
    echo "One epoch of \`$SPEC\` on \`$DATA\` (8,000 digits, batch size from the spec),"
    echo "median of $REPEATS runs, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
    echo "Open MPI $(mpirun --version | head -1 | awk '{ print $NF }'), shared memory transport; load average"
    echo "at the end: $load.  Every run's weights are byte-identical (cmp) to 1 process x 1 thread's."
    echo
    echo "| processes x threads | build | samples/s | vs 1 x 1 |"
    echo "|---|---|---:|---:|"
    for l in p1t1:"1 x 1":"MPI=1, mpirun -np 1" p2t1:"2 x 1":"MPI=1, mpirun -np 2" \
             plain_t2:"1 x 2":"plain, --threads 2" plain_t1:"1 x 1":"plain, --threads 1"; do
        IFS=: read -r k pt b <<< "$l"
        awk -v k="$pt" -v b="$b" -v r="${rate[$k]}" -v base="${rate[p1t1]}" \
            'BEGIN { printf "| %s | %s | %.0f | %.2fx |\n", k, b, r, r / base }'
    done
} > "$RESULTS"
cat "$RESULTS"
