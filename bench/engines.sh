#!/usr/bin/env bash
# bench/engines.sh - seqc beside the engines a user would pick (issue 12),
# in one run, with the FMA peak measured in the same run (bench/peak):
#   seqc          out/NAME train | eval, and the exported NAME_model.c
#                 (bench/latency.c)
#   PyTorch       bench/torch_models.py (the same model built from the spec,
#                 the same seqc-trained weights), with OpenBLAS
#                 (libopenblas0-pthread takes over libblas.so.3 when installed)
#   ONNX Runtime  npm onnxruntime-node (CPU provider) on `export --onnx` of
#                 the same weights (bench/ort_infer.js)
# Rows per spec (default: seed, convnet): training samples/s (1 epoch of
# Fashion-MNIST, 2 threads; PyTorch has no ONNX Runtime row), batch
# inference images/s over the 10,000 test images (batch 128; seqc's eval
# cuts its own chunks) at 1 and 2 threads, single-image latency (1 thread,
# every test image timed alone: median, p90) and peak RSS.  ROUNDS rounds,
# each alternating the engines; every run is listed, the medians compared.
# Writes bench/results-engines.md.
#
#   bench/engines.sh [--help]     env: SPECS ROUNDS DATA ORT_DIR PYTHON RESULTS
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
SPECS=${SPECS:-"seed convnet"}
ROUNDS=${ROUNDS:-3}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
ORT_DIR=${ORT_DIR:-out/data/onnxrt}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS=${RESULTS:-bench/results-engines.md}
W=${WORK:-out/bench/engines}
mkdir -p "$W"
die() { echo "bench/engines.sh: $*" >&2; exit 1; }
[ -f "$DATA/t10k-images-idx3-ubyte.gz" ] || die "$DATA: no Fashion-MNIST (make deps installs dataset-fashion-mnist)"
[ -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ] || die "no ONNX Runtime in $ORT_DIR: run make onnxrt"
"$PYTHON" -c 'import torch, yaml' 2>/dev/null || die "$PYTHON cannot import torch and yaml (python3-torch python3-yaml)"
BLAS=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null | sed "s|.*/x86_64-linux-gnu/||" || echo unknown)

gcc -O2 -march=native -fopenmp -o "$W/peak" bench/peak.c
PEAK=$("$W/peak")
P1=$(sed -nE 's/.*peak_gflops_1t=([^ ]+).*/\1/p' <<<"$PEAK")
PN=$(sed -nE 's/.*peak_gflops_nt=([^ ]+).*/\1/p' <<<"$PEAK")
echo "peak: $PEAK"

field() { sed -nE "s/.*$1=([0-9.]+).*/\1/p" "$2" | tail -1; }
rss() { sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
low() { printf '%s\n' "$@" | sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2fx" : "-"), a / b }'; }
T() { /usr/bin/time -v -o "$1.time" "${@:2}" > "$1.out" 2> "$1.err" || { cat "$1.err" >&2; die "failed: ${*:2}"; }; }

declare -A R FLOP   # R[spec,row,engine]: space-separated runs; FLOP[spec]: per training sample
for s in $SPECS; do
    make -s --no-print-directory model SPEC="specs/$s.yaml" >/dev/null
    T "$W/$s.setup" "out/$s" train --data "$DATA" --epochs 1 --threads 2 --quiet --save "$W/$s.weights"
    "out/$s" export --weights "$W/$s.weights" -o "$W/${s}_model.c" >/dev/null
    "out/$s" export --weights "$W/$s.weights" --onnx "$W/$s.onnx" >/dev/null
    gcc -O3 -march=native -ffp-contract=fast -DEXPORT_HEADER="\"${s}_model.h\"" -DPREDICT="${s}_predict_u8" \
        -Iruntime -I"$W" -o "$W/$s.latency" bench/latency.c "$W/${s}_model.c" runtime/data.c runtime/idx.c -lz -lm
    FLOP[$s]=$("$PYTHON" bench/torch_models.py flops "specs/$s.yaml" | sed -nE 's/.*flop_per_sample=([^ ]+).*/\1/p')
    for r in $(seq 1 "$ROUNDS"); do
        echo "== $s, round $r of $ROUNDS"
        L="$W/$s.$r"
        T "$L.train.seqc" "out/$s" train --data "$DATA" --epochs 1 --threads 2
        T "$L.train.torch" "$PYTHON" bench/torch_models.py train "specs/$s.yaml" --data "$DATA" --epochs 1 \
            --threads 2 --config cl --warmup 1 --no-eval --quiet
        R[$s,train,seqc]+=" $(field train_samples_per_s "$L.train.seqc.out")"
        R[$s,train,torch]+=" $(field samples_per_s "$L.train.torch.out")"
        for t in 1 2; do
            T "$L.eval$t.seqc" "out/$s" eval --weights "$W/$s.weights" --data "$DATA" --threads $t
            T "$L.eval$t.ort" node bench/ort_infer.js "$ORT_DIR" "$W/$s.onnx" "$DATA/t10k-images-idx3-ubyte.gz" throughput $t 128
            T "$L.eval$t.torch" "$PYTHON" bench/torch_models.py infer "specs/$s.yaml" --weights "$W/$s.weights" \
                --data "$DATA" --mode throughput --threads $t --batch 128
            R[$s,eval$t,seqc]+=" $(field eval_samples_per_s "$L.eval$t.seqc.err")"
            R[$s,eval$t,ort]+=" $(field images_per_s "$L.eval$t.ort.out")"
            R[$s,eval$t,torch]+=" $(field images_per_s "$L.eval$t.torch.out")"
        done
        T "$L.lat.seqc" "$W/$s.latency" "$DATA"
        T "$L.lat.ort" node bench/ort_infer.js "$ORT_DIR" "$W/$s.onnx" "$DATA/t10k-images-idx3-ubyte.gz" latency 1
        T "$L.lat.torch" "$PYTHON" bench/torch_models.py infer "specs/$s.yaml" --weights "$W/$s.weights" \
            --data "$DATA" --mode latency --threads 1
        for e in seqc ort torch; do
            R[$s,lat,$e]+=" $(field latency_us_median "$L.lat.$e.out")"
            R[$s,p90,$e]+=" $(field latency_us_p90 "$L.lat.$e.out")"
            R[$s,rss,$e]+=" $(rss "$L.eval2.$e.time")"
        done
        R[$s,trss,seqc]+=" $(rss "$L.train.seqc.time")"
        R[$s,trss,torch]+=" $(rss "$L.train.torch.time")"
    done
done

{
    echo "# seqc beside PyTorch and ONNX Runtime (bench/engines.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC') - commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')" \
         "- $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores" \
         "- FMA peak $P1 GFLOP/s (1 thread), $PN (all cores), measured at the start of this run" \
         "- $ROUNDS rounds - load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
         "- PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'), libblas.so.3 = $BLAS" \
         "- ONNX Runtime $(node -p "require('./$ORT_DIR/node_modules/onnxruntime-node/package.json').version")"
    echo
    echo "Medians of the rounds; *seqc / X* compares medians, *(best X)* against X's best run. Every run is listed below the table."
    for s in $SPECS; do
        echo
        echo "## $s ($(awk -v f="${FLOP[$s]}" 'BEGIN { printf "%.2f", f / 1e6 }') MFLOP per training sample)"
        echo
        echo "| row | seqc | PyTorch | ONNX Runtime | seqc / PyTorch (best PyTorch) | seqc / ONNX Runtime (best ORT) |"
        echo "|---|---:|---:|---:|---:|---:|"
        # shellcheck disable=SC2086
        {
        sm=$(med ${R[$s,train,seqc]}); tm=$(med ${R[$s,train,torch]}); tb=$(best ${R[$s,train,torch]})
        echo "| training samples/s, 2 threads | $sm | $tm | - | $(ratio "$sm" "$tm") ($(ratio "$sm" "$tb")) | - |"
        echo "| training share of the FMA peak (2 threads) | $(awk -v x="$sm" -v f="${FLOP[$s]}" -v p="$PN" 'BEGIN { printf "%.1f%%", 100 * x * f / 1e9 / p }') | $(awk -v x="$tm" -v f="${FLOP[$s]}" -v p="$PN" 'BEGIN { printf "%.1f%%", 100 * x * f / 1e9 / p }') | - | | |"
        for t in 1 2; do
            sm=$(med ${R[$s,eval$t,seqc]}); tm=$(med ${R[$s,eval$t,torch]}); om=$(med ${R[$s,eval$t,ort]})
            echo "| batch inference images/s, $t thread(s) | $sm | $tm | $om | $(ratio "$sm" "$tm") ($(ratio "$sm" "$(best ${R[$s,eval$t,torch]})")) | $(ratio "$sm" "$om") ($(ratio "$sm" "$(best ${R[$s,eval$t,ort]})")) |"
        done
        echo "| inference scaling 2 threads / 1 | $(ratio "$(med ${R[$s,eval2,seqc]})" "$(med ${R[$s,eval1,seqc]})") | $(ratio "$(med ${R[$s,eval2,torch]})" "$(med ${R[$s,eval1,torch]})") | $(ratio "$(med ${R[$s,eval2,ort]})" "$(med ${R[$s,eval1,ort]})") | | |"
        sm=$(med ${R[$s,lat,seqc]}); tm=$(med ${R[$s,lat,torch]}); om=$(med ${R[$s,lat,ort]})
        echo "| latency µs, median (1 thread) | $sm | $tm | $om | $(ratio "$tm" "$sm") faster ($(ratio "$(low ${R[$s,lat,torch]})" "$sm")) | $(ratio "$om" "$sm") faster ($(ratio "$(low ${R[$s,lat,ort]})" "$sm")) |"
        echo "| latency µs, p90 | $(med ${R[$s,p90,seqc]}) | $(med ${R[$s,p90,torch]}) | $(med ${R[$s,p90,ort]}) | | |"
        echo "| peak RSS MiB, batch inference (2 threads) | $(best ${R[$s,rss,seqc]}) | $(best ${R[$s,rss,torch]}) | $(best ${R[$s,rss,ort]}) | | |"
        echo "| peak RSS MiB, training | $(best ${R[$s,trss,seqc]}) | $(best ${R[$s,trss,torch]}) | - | | |"
        echo
        echo "Every run: training seqc${R[$s,train,seqc]}, PyTorch${R[$s,train,torch]};" \
             "inference 1 thread seqc${R[$s,eval1,seqc]}, PyTorch${R[$s,eval1,torch]}, ORT${R[$s,eval1,ort]};" \
             "2 threads seqc${R[$s,eval2,seqc]}, PyTorch${R[$s,eval2,torch]}, ORT${R[$s,eval2,ort]};" \
             "latency median seqc${R[$s,lat,seqc]}, PyTorch${R[$s,lat,torch]}, ORT${R[$s,lat,ort]}."
        }
    done
    echo
    echo "- Same weights everywhere: seqc trains one epoch, then the PyTorch model (built from the spec by bench/torch_models.py) loads that weights file and ONNX Runtime runs seqc's \`export --onnx\` of it."
    echo "- seqc's batch inference is \`out/NAME eval\` (its eval_samples_per_s line: the forward passes, loss and outputs, not the data loading); latency is the exported NAME_model.c built with -O3 -march=native (bench/latency.c). ONNX Runtime: graph optimizations 'all', intra-op threads as the row says, called from Node.js (its latency includes Node's call overhead, as a Node user would see). PyTorch: inference_mode, channels_last at batch 128, NCHW at batch 1; training with --config cl and one untimed warm-up step."
    echo "- Training rows: 1 epoch of the 60,000 Fashion-MNIST images, the spec's batch size, both sides' training loop only."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
cat "$RESULTS"
