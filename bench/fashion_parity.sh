#!/usr/bin/env bash
# bench/fashion_parity.sh - issue 10's accuracy parity check: specs/fashion_sep.yaml
# (batch normalization + separable convolutions) trained EPOCHS epochs on
# Fashion-MNIST with seqc and with the PyTorch model of the same spec
# (bench/torch_models.py), one run per seed on each side; final test loss and
# accuracy per run, mean and standard deviation per side, and whether the
# difference of the means is within the seed-to-seed spread.
#
# Run from the repo root:  bench/fashion_parity.sh  (it builds out/fashion_sep).
# Runs one training at a time (never seqc and PyTorch together).  See --help.
set -euo pipefail

SEEDS=${SEEDS:-"1 2 3"}
EPOCHS=${EPOCHS:-10}
THREADS=${THREADS:-$(nproc)}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
SPEC=${SPEC:-specs/fashion_sep.yaml}
PYTHON=${PYTHON:-/usr/bin/python3}
TORCH_CONFIG=${TORCH_CONFIG:-cl}
RESULTS=${RESULTS:-bench/results-fashion.md}
WORK=${WORK:-out/bench/parity}
REUSE=0

usage() {
    cat <<EOF
Usage: bench/fashion_parity.sh [options]

Trains $SPEC for EPOCHS epochs on Fashion-MNIST (60,000 train / 10,000
test) with seqc (out/NAME train --seed S) and with bench/torch_models.py
(same spec, Keras semantics, --seed S) for each seed, one run at a time,
and writes the per-run test loss/accuracy, means, standard deviations and
the parity verdict to $RESULTS (logs in $WORK/).

Options (and the environment variables that set them):
  -s, --seeds "1 2 3"   seeds (SEEDS)
  -e, --epochs N        epochs (EPOCHS, default 10)
  -t, --threads N       threads for both sides (THREADS, default nproc); the
                        results do not depend on it (seqc: bit for bit)
  -d, --data DIR        Fashion-MNIST IDX directory (DATA)
  -c, --config C        bench/torch_models.py --config (TORCH_CONFIG, default
                        cl = channels_last, the fastest here; the arithmetic
                        is the same in every config)
  -o, --out FILE        Markdown results (RESULTS)
      --reuse           keep the runs whose logs in $WORK/ are complete
                        (same spec, epochs and data), rerun the others
  -h, --help            this text
EOF
}
die() { echo "fashion_parity.sh: error: $*" >&2; exit 1; }
log() { echo "fashion_parity.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        -s|--seeds)   SEEDS=$2; shift 2 ;;
        -e|--epochs)  EPOCHS=$2; shift 2 ;;
        -t|--threads) THREADS=$2; shift 2 ;;
        -d|--data)    DATA=$2; shift 2 ;;
        -c|--config)  TORCH_CONFIG=$2; shift 2 ;;
        -o|--out)     RESULTS=$2; shift 2 ;;
        --reuse)      REUSE=1; shift ;;
        -h|--help)    usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[ -f bench/torch_models.py ] || die "run me from the repo root"
"$PYTHON" -c 'import torch, yaml' 2>/dev/null || die "$PYTHON cannot import torch and yaml (apt-get install python3-torch python3-yaml)"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -e "$DATA/$f.gz" ] || [ -e "$DATA/$f" ] || die "${DATA}/${f}[.gz] missing (apt-get install dataset-fashion-mnist)"
done
NAME=$(basename "$SPEC" .yaml)
make --no-print-directory model SPEC="$SPEC" >&2 || die "make model SPEC=$SPEC failed"
TRAINER=out/$NAME
mkdir -p "$WORK"

# tag of a run's settings: a reused log must have been made with the same
SETTINGS="spec=$(sha256sum "$SPEC" | cut -c1-16) epochs=$EPOCHS data=$DATA torch_config=$TORCH_CONFIG"
final() { grep -E '^test_loss=[^ ]+ test_accuracy=[^ ]+$|^samples_per_s=' "$1" | tail -n1 |
          sed -E 's/.*test_loss=([^ ]+) test_accuracy=([^ ]+)$/\1 \2/'; }
sps() { grep -oE '(train_)?samples_per_s=[0-9.]+' "$1" | tail -n1 | sed 's/.*=//'; }
cpu_busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2+$3+$4+$7+$8+$9)/hz; exit }' /proc/stat; }

# run IMPL SEED: one training, its log in $WORK/IMPL-sSEED.log
run() {
    local impl=$1 seed=$2 logf="$WORK/$1-s$2.log" t0 t1 b0 b1 c0 c1
    if [ "$REUSE" = 1 ] && [ -f "$logf" ] && grep -qxF "# $SETTINGS" "$logf" && [ -n "$(final "$logf")" ]; then
        log "$impl seed $seed: reusing $logf"
        return
    fi
    log "$impl seed $seed: training $EPOCHS epochs ($THREADS threads) -> $logf"
    echo "# $SETTINGS" >"$logf"
    b0=$(cpu_busy_s); t0=$(date +%s.%N)
    if [ "$impl" = seqc ]; then
        /usr/bin/time -f '# cpu_s=%U+%S wall_s=%e' -a -o "$logf.time" \
            "$TRAINER" train --data "$DATA" --epochs "$EPOCHS" --seed "$seed" --threads "$THREADS" >>"$logf" 2>&1 ||
            { tail -n 20 "$logf" >&2; die "$TRAINER failed (log: $logf)"; }
    else
        /usr/bin/time -f '# cpu_s=%U+%S wall_s=%e' -a -o "$logf.time" \
            "$PYTHON" bench/torch_models.py train "$SPEC" --data "$DATA" --epochs "$EPOCHS" --seed "$seed" \
            --threads "$THREADS" --config "$TORCH_CONFIG" >>"$logf" 2>&1 ||
            { tail -n 20 "$logf" >&2; die "torch_models.py failed (log: $logf)"; }
    fi
    t1=$(date +%s.%N); b1=$(cpu_busy_s)
    c0=$(sed -nE 's/.*cpu_s=([0-9.]+)\+([0-9.]+).*/\1 \2/p' "$logf.time" | tail -n1 | awk '{print $1+$2}')
    # CPU taken by other processes meanwhile, % of all cores (as bench/run)
    c1=$(awk -v a="$b0" -v b="$b1" -v s="$t0" -v w="$t1" -v own="$c0" -v n="$(nproc)" \
        'BEGIN { x = 100 * (b - a - own) / ((w - s) * n); printf "%.0f", (x < 0 ? 0 : x) }')
    echo "# wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') other_load_pct=$c1" >>"$logf"
    cat "$logf.time" >>"$logf"; rm -f "$logf.time"
    log "$impl seed $seed: $(final "$logf")  ($(sps "$logf") samples/s, other load $c1%)"
}

for s in $SEEDS; do
    run seqc "$s"
    run torch "$s"
done

# ---- the table and the verdict (python: mean, sample std, Welch's t)
# shellcheck disable=SC2086  # one argument per seed, on purpose
"$PYTHON" - "$WORK" "$RESULTS" "$SPEC" "$EPOCHS" "$THREADS" "$TORCH_CONFIG" "$DATA" $SEEDS <<'EOF'
import math, os, re, subprocess, sys, datetime
work, results, spec, epochs, threads, config, data = sys.argv[1:8]
seeds = sys.argv[8:]

def read(impl, s):
    text = open(os.path.join(work, "%s-s%s.log" % (impl, s))).read()
    loss = acc = sps = wall = other = None
    for m in re.finditer(r"test_loss=([0-9.eE+-]+) test_accuracy=([0-9.eE+-]+)\s*$", text, re.M):
        loss, acc = float(m.group(1)), float(m.group(2))
    m = re.findall(r"samples_per_s=([0-9.]+)", text)
    sps = float(m[-1]) if m else float("nan")
    m = re.search(r"wall_s=([0-9.]+) other_load_pct=(\d+)", text)
    wall, other = (float(m.group(1)), int(m.group(2))) if m else (float("nan"), -1)
    # the test accuracy after every epoch (seqc: "val_accuracy: X" on its
    # "Epoch i/N" lines; torch_models.py: "test_accuracy=X" on "epoch i/N:")
    per_epoch = [float(v) for v in re.findall(r"^Epoch \d+/\d+ .*val_accuracy: ([0-9.]+)", text, re.M)] or \
                [float(v) for v in re.findall(r"^epoch \d+/\d+: .*test_accuracy=([0-9.]+)", text, re.M)]
    return loss, acc, sps, wall, other, per_epoch

def stats(v):
    n = len(v)
    mean = sum(v) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1)) if n > 1 else float("nan")
    return mean, sd

# two-sided 5% critical values of Student's t, df = 1..30 (then 1.96)
T975 = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13,
        2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04]

def compare(a, b, what):
    """One verdict line for two lists of per-seed values (seqc, PyTorch)."""
    (ms, ss), (mt, st) = stats(a), stats(b)
    na, nb = len(a), len(b)
    diff = ms - mt
    se = math.sqrt(ss ** 2 / na + st ** 2 / nb) if na > 1 and nb > 1 else float("nan")
    t = diff / se if se > 0 else float("inf")
    df = (se ** 4 / ((ss ** 2 / na) ** 2 / (na - 1) + (st ** 2 / nb) ** 2 / (nb - 1))
          if se > 0 else float("nan"))
    crit = T975[min(int(df), 30) - 1] if df == df and df >= 1 else float("nan")
    within = se == se and abs(diff) <= 2 * se
    return ("- %s: seqc %.4f +- %.4f, PyTorch %.4f +- %.4f (mean +- sample std over %d and %d seeds); "
            "difference %+.4f, its standard error sqrt(s1^2/n1 + s2^2/n2) = %.4f, t = %.2f: %s.  "
            "(Welch's test: %.1f degrees of freedom, 5%% two-sided critical value %.2f: %s; "
            "|difference| %s the larger std %.4f.)" % (
                what, ms, ss, mt, st, na, nb, diff, se, t,
                "**within** the seed-to-seed noise (|t| <= 2)" if within
                else "**outside** the seed-to-seed noise (|t| > 2)",
                df, crit, "not significant" if abs(t) < crit else "significant",
                "<=" if abs(diff) <= max(ss, st) else ">", max(ss, st)))

runs = {impl: [read(impl, s) for s in seeds] for impl in ("seqc", "torch")}
rows = ["| seed | seqc test accuracy | seqc test loss | PyTorch test accuracy | PyTorch test loss | seqc samples/s | PyTorch samples/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for i, s in enumerate(seeds):
    a, b = runs["seqc"][i], runs["torch"][i]
    rows.append("| %s | %.4f | %.4f | %.4f | %.4f | %.0f | %.0f |" % (s, a[1], a[0], b[1], b[0], a[2], b[2]))
verdict = []
col = lambda impl, k: [r[k] for r in runs[impl]]
rows.append("| **mean +- std** | %.4f +- %.4f | %.4f +- %.4f | %.4f +- %.4f | %.4f +- %.4f | | |" % (
    stats(col("seqc", 1)) + stats(col("seqc", 0)) + stats(col("torch", 1)) + stats(col("torch", 0))))
verdict.append(compare(col("seqc", 1), col("torch", 1), "final test accuracy"))
verdict.append(compare(col("seqc", 0), col("torch", 0), "final test loss"))
# A steadier statistic: the test accuracy after one epoch jumps by several
# points from epoch to epoch on both sides (inference uses the moving
# statistics, which lag the weights), so the final epoch alone is a noisy
# readout; the mean of the last 3 epochs' test accuracies, and the
# epoch-to-epoch std over the last 5, show how noisy.
last3 = {impl: [sum(r[5][-3:]) / len(r[5][-3:]) if r[5] else float("nan") for r in runs[impl]] for impl in runs}
jitter = {impl: [stats(r[5][-5:])[1] if len(r[5]) >= 2 else float("nan") for r in runs[impl]] for impl in runs}
extra = ["| seed | seqc: mean test accuracy, last 3 epochs | seqc: epoch-to-epoch std, last 5 | PyTorch: mean test accuracy, last 3 epochs | PyTorch: epoch-to-epoch std, last 5 |",
         "| ---: | ---: | ---: | ---: | ---: |"]
for i, s in enumerate(seeds):
    extra.append("| %s | %.4f | %.4f | %.4f | %.4f |" % (s, last3["seqc"][i], jitter["seqc"][i],
                                                      last3["torch"][i], jitter["torch"][i]))
extra.append("| **mean +- std** | %.4f +- %.4f | %.4f | %.4f +- %.4f | %.4f |" % (
    stats(last3["seqc"]) + (stats(jitter["seqc"])[0],) + stats(last3["torch"]) + (stats(jitter["torch"])[0],)))
verdict2 = [compare(last3["seqc"], last3["torch"], "mean test accuracy of the last 3 epochs")]
train_loss = {impl: [] for impl in runs}
for impl in runs:
    for s in seeds:
        text = open(os.path.join(work, "%s-s%s.log" % (impl, s))).read()
        v = re.findall(r"^Epoch \d+/\d+ .* - loss: ([0-9.]+) - accuracy", text, re.M) or \
            re.findall(r"^epoch \d+/\d+: loss=([0-9.]+) ", text, re.M)
        train_loss[impl].append(float(v[-1]) if v else float("nan"))
verdict2.append(compare(train_loss["seqc"], train_loss["torch"], "training loss of the last epoch (dropout on, running mean over the epoch)"))
others = [r[4] for v in runs.values() for r in v]
walls = {impl: sum(r[3] for r in runs[impl]) for impl in runs}
try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = " (dirty tree)" if subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip() else ""
except OSError:
    commit, dirty = "unknown", ""
import torch
sys.path.insert(0, "bench")
sys.dont_write_bytecode = True      # no bench/__pycache__
import torch_models
_, layers, adam, batch = torch_models.parse_spec(spec)
total, trainable, _ = torch_models.param_counts(layers)
def describe(l):
    o = l.opts
    k = l.kind
    if k in ("conv2d", "separable_conv2d", "depthwise_conv2d"):
        kh, kw = l.k
        t = "%s %s%dx%d%s %s" % (k, ("%d " % o["filters"]) if "filters" in o else "", kh, kw,
                                 " /%d" % l.s[0] if l.s[0] > 1 else "", o.get("padding", "valid"))
    elif k == "dense":
        t = "dense %d" % o["units"]
    elif k == "dropout":
        t = "dropout %g" % l.rate
    elif k == "activation":
        return None
    elif k == "batch_normalization":
        t = "BN"
    else:
        t = k.replace("_", " ")
    return t + ("" if l.act in ("linear",) else " " + l.act)
parts = []
for l in layers[1:]:
    d = describe(l)
    if d is None:
        parts[-1] += " + " + l.act
    else:
        parts.append(d)
layers_text = ", ".join(parts)
report = """# Parity: %s on Fashion-MNIST, seqc vs PyTorch

%s UTC - commit %s%s - PyTorch %s - %s epochs, seeds %s, %s thread(s), bench/torch_models.py --config %s - data %s

%s

%s

Per-epoch test accuracy: the readout's own noise.

%s

%s

- Model: %s (%s; %s parameters, %s of them the non-trainable moving statistics), batch %s, Adam %s, reshuffled every epoch, the last partial batch trained; final test loss and accuracy on the 10,000 test images after the last epoch (inference mode: moving statistics, no dropout).
- seqc: `out/fashion_sep train --data DIR --epochs %s --seed S`.  PyTorch: `bench/torch_models.py train %s --seed S` (float32, Keras semantics: TF 'same' padding, glorot_uniform kernels with Keras's fans, zero biases, BatchNorm momentum 0.01 = 1 - 0.99 and eps 1e-3, Keras's Adam epsilon placement).  The seeds select different initial weights, shuffles and dropout masks on the two sides; the two implementations share no random numbers, so the comparison is between seed-to-seed distributions.
- Known semantic difference: PyTorch updates the moving variance with the unbiased batch variance, Keras 3 (and seqc) with the biased one; with N = 64 x 196 (or 64 x 49) values per channel the factor N/(N-1) is below 1.0001.
- Verdict rule: the difference of the means is within the seed-to-seed noise when it is at most twice its standard error, sqrt(s_seqc^2/n + s_torch^2/n) with the sample standard deviations of the n seeds (|t| <= 2).  With 3 seeds a side Welch's test has 2 to 4 degrees of freedom and a 5%% critical value of 2.78 to 4.30, so the rule is the stricter one; both are printed.
- Training wall time, all seeds: seqc %.0f s, PyTorch %.0f s; other CPU load during the runs: up to %d%% of all cores (accuracy does not depend on it).
- Logs: %s/.
""" % (os.path.basename(spec).rsplit(".", 1)[0], datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
       commit, dirty, torch.__version__, epochs, ", ".join(seeds), threads, config, data,
       "\n".join(rows), "\n".join(verdict), "\n".join(extra), "\n".join(verdict2), spec, layers_text, "{:,}".format(total), "{:,}".format(total - trainable),
       batch, "lr %g" % adam["lr"], epochs, spec, walls["seqc"], walls["torch"], max(others), work)
# notes kept by hand from this marker line on in the results file survive a rerun
marker = "<!-- kept by fashion_parity.sh -->"
if os.path.exists(results):
    old = open(results).read()
    if "\n" + marker + "\n" in "\n" + old:
        report += "\n" + old[old.index(marker):]
print(report)
open(results, "w").write(report)
print("fashion_parity.sh: wrote %s" % results, file=sys.stderr)
EOF
