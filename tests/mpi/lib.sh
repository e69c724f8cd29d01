# tests/mpi/lib.sh - helpers for the MPI section of tests/run (sourced).
# Data-parallel trainers (make model ... MPI=1) are built optimised, as the
# plain out/NAME trainers they are compared with: the bits depend on the
# compiler flags, and mpicc is the same gcc with the MPI library added.

# Root in a container: Open MPI refuses to run without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

have_mpi() { command -v mpicc >/dev/null && command -v mpirun >/dev/null; }



# mpi_build SPEC DIR SEQC: DIR/NAME, the MPI=1 trainer of SPEC
mpi_build() {
    make -s --no-print-directory model SPEC="$1" OUT="$2" SEQC="$3" MPI=1 >"$2.log" 2>&1 ||
        { cat "$2.log"; return 1; }
}

# mpi_kill_rank CKPT SECONDS_FILE PROG ARGS...: run PROG on 2 processes,
# kill -9 rank 1 once CKPT exists, and write how long the job took to end
# after the kill to SECONDS_FILE.  The job is bounded by `timeout 60`.
# Returns mpirun's exit status (non-zero: the job was aborted).
mpi_kill_rank() {
    local ckpt=$1 secs=$2; shift 2
    timeout 60 mpirun --oversubscribe --allow-run-as-root -np 2 "$@" >/dev/null 2>"$secs.err" & local job=$!
    for _ in $(seq 1 600); do [ -s "$ckpt" ] && break; sleep 0.05; done
    # rank 1: the grandchild of timeout (timeout -> mpirun -> ranks)
    local victim="" p
    for _ in $(seq 1 100); do
        for p in $(pgrep -P "$(pgrep -P $job | head -1)" 2>/dev/null); do
            tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$p
        done
        [ -n "$victim" ] && break; sleep 0.05
    done
    [ -n "$victim" ] || { echo "no rank 1 found" >&2; wait $job; return 0; }
    local t0; t0=$(date +%s.%N)
    kill -9 "$victim"
    wait $job; local rc=$?
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }' > "$secs"
    return $rc
}
