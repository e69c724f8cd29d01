#!/usr/bin/env bash
# bench/torch_configs.sh - which way of running PyTorch trains the issue-10
# specs fastest on this machine?  Runs bench/torch_models.py with every
# --config below on each spec's synthetic set (bench/mknpy.py), one epoch
# per run, in rounds (the order of the configs rotates between rounds), and
# prints a Markdown table of median samples/s with the other-load check of
# bench/run.  bench/run's TORCH_CONFIG default is the winner.
#
#   bench/torch_configs.sh [-r ROUNDS] [-t THREADS] [SPEC_NAME...]
#
# Env: CONFIGS (default below), PYTHON, WORK (out/bench), WARMUP (1),
# WAIT_IDLE (s to wait for an idle machine before each run, default 120),
# RETRIES (reruns of a run with other load > 10%, default 2).
set -euo pipefail
ROUNDS=3
THREADS=$(nproc)
PYTHON=${PYTHON:-/usr/bin/python3}
WORK=${WORK:-out/bench}
WARMUP=${WARMUP:-1}
WAIT_IDLE=${WAIT_IDLE:-120}
RETRIES=${RETRIES:-2}
CONFIGS=${CONFIGS:-"eager cl cl,inplace trace cl,trace cl,script,nnc cl,foreach nomkldnn"}
NAMES=()
while [ $# -gt 0 ]; do
    case $1 in
        -r) ROUNDS=$2; shift 2 ;;
        -t) THREADS=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) NAMES+=("$1"); shift ;;
    esac
done
[ ${#NAMES[@]} -gt 0 ] || NAMES=(ds_cnn mobilenet_v1_025 conv1d)
"$PYTHON" bench/mknpy.py "$WORK/npy" "${NAMES[@]}"
mkdir -p "$WORK/logs"

cpu_busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2+$3+$4+$7+$8+$9)/hz; exit }' /proc/stat; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{ if(NR==0){print "-"; exit}
           if(NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
wait_idle() {     # as bench/run's: up to WAIT_IDLE s until others use <= 10%
    local waited=0 b0 b1 pct
    while ((WAIT_IDLE > 0)); do
        b0=$(cpu_busy_s); sleep 1; b1=$(cpu_busy_s)
        pct=$(awk -v a="$b0" -v b="$b1" -v n="$(nproc)" 'BEGIN { printf "%.0f", 100 * (b - a) / n }')
        ((pct <= 10 || waited >= WAIT_IDLE)) && return 0
        sleep 4; waited=$((waited + 5))
    done
}
read -r -a CFG <<<"$CONFIGS"
declare -A SPS OTH
for name in "${NAMES[@]}"; do
    for ((r = 0; r < ROUNDS; r++)); do
        for ((i = 0; i < ${#CFG[@]}; i++)); do
            c=${CFG[$(((i + r) % ${#CFG[@]}))]}
            logf="$WORK/logs/cfg-$name-$c-r$r.log"
            for ((try = 0; ; try++)); do
            wait_idle
            b0=$(cpu_busy_s); t0=$(date +%s.%N)
            /usr/bin/time -f '%U %S' -o "$logf.time" "$PYTHON" bench/torch_models.py train "specs/$name.yaml" \
                --data "$WORK/npy/$name" --epochs 1 --threads "$THREADS" --config "$c" --warmup "$WARMUP" \
                --quiet >"$logf" 2>&1 || { tail "$logf" >&2; exit 1; }
            t1=$(date +%s.%N); b1=$(cpu_busy_s)
            own=$(awk '{print $1+$2}' "$logf.time")
            o=$(awk -v a="$b0" -v b="$b1" -v s="$t0" -v w="$t1" -v own="$own" -v n="$(nproc)" \
                'BEGIN { x = 100 * (b - a - own) / ((w - s) * n); printf "%.0f", (x < 0 ? 0 : x) }')
            v=$(sed -nE 's/.*samples_per_s=([0-9.]+).*/\1/p' "$logf")
            ((o > 10 && try < RETRIES)) || break
            echo "torch_configs.sh: $name $c: $v samples/s with other load $o%: rerun" >&2
            done
            SPS[$name:$c]+="$v "; OTH[$name:$c]="$(printf '%s\n' "${OTH[$name:$c]:-0}" "$o" | sort -n | tail -n1)"
            echo "torch_configs.sh: $name $c ${THREADS}t round $((r + 1)): $v samples/s (other load $o%)" >&2
        done
    done
done
echo "| config | $(printf '%s | ' "${NAMES[@]}")"
echo "| --- | $(printf -- '---: | %.0s' "${NAMES[@]}")"
for c in "${CFG[@]}"; do
    line="| $c |"
    for name in "${NAMES[@]}"; do
        # shellcheck disable=SC2086
        line+=" $(median ${SPS[$name:$c]}) (${SPS[$name:$c]% }; load <= ${OTH[$name:$c]}%) |"
    done
    echo "$line"
done
