#!/usr/bin/python3
"""The PyTorch (and scikit-learn) side of bench/tasks.sh: the tabular task
specs and the anomaly-detection autoencoder, trained as Keras would train
them, with the same test metrics seqc's trainer prints.

Run with the system python (torch 1.13, scikit-learn 1.2, PyYAML):

    /usr/bin/python3 bench/tasks_reference.py tabular --seeds 1,2,3,4,5 > torch.tsv
    /usr/bin/python3 bench/tasks_reference.py sklearn > sklearn.tsv
    /usr/bin/python3 bench/tasks_reference.py autoencoder --seeds 1,2,3 --epochs 5 \\
        --mnist ../shared/data/mnist --fashion /usr/share/datasets/fashion-mnist > ae.tsv
    /usr/bin/python3 bench/tasks_reference.py cross wine out/tasks/work/wine-seed1.weights
    /usr/bin/python3 bench/tasks_reference.py lockstep wine out/tasks/wine --epochs 100
    /usr/bin/python3 bench/tasks_reference.py report --seqc seqc.tsv --torch torch.tsv \\
        --sklearn sklearn.tsv [--cross cross.tsv] [--lockstep lockstep.tsv] \\
        [--meta meta.txt] > bench/results-tasks.md

cross: seqc-trained weights (train --save) evaluated by this file's model
and metrics (and seqc's adapted normalization statistics against numpy's):
checks seqc's inference and metric definitions without training noise.
lockstep: one initial state trained full-batch by seqc (--init-weights)
and here in float32 and float64: checks the training arithmetic.

Every run prints one tab-separated line, the format bench/tasks.sh writes
for seqc's runs too:

    TASK <tab> IMPL <tab> SEED <tab> SECONDS <tab> key=value key=value ...

with seqc's key names (test_loss, test_accuracy, test_auc, test_precision,
test_recall, test_f1, test_subset_accuracy, test_mae, test_rmse, test_r2,
test_anomaly_auc).  SECONDS is the wall time of one run after Python and
torch are imported: reading the CSV, adapt, training and the test metrics
(autoencoder: training and scoring both test sets; the IDX files are read
once before the runs).  bench/tasks.sh times seqc's whole process (for the
autoencoder: train, then eval).

The model is built from the spec YAML by this file's own small parser
(input, normalization, dense, dropout, batch_normalization, activation: what
the five specs use; anything else is an error, not a guess), in float32,
with Keras 3 semantics:
  * normalization (no mean/variance in the spec): Keras's adapt() on the
    training set: per-feature mean and population variance (computed in
    float64 from the float32 data, rounded once), y = (x - mean) /
    max(sqrt(var), 1e-7);
  * dense kernels glorot_uniform, U(-l, l), l = sqrt(6 / (fan_in + fan_out)),
    biases zero; batch normalization gamma 1, beta 0, moving mean 0 / var 1;
  * BatchNormalization(momentum m, epsilon e) -> nn.BatchNorm1d(eps=e,
    momentum=1-m): Keras's 0.99 is torch's 0.01; eps 1e-3.  Training uses
    the batch statistics (biased variance in the normalisation, as Keras);
    torch updates the moving variance with the unbiased batch variance,
    Keras with the biased one: a factor 512/511 on the update (0.2%),
    below anything measurable here;
  * dropout: nn.Dropout (inverted, as Keras);
  * losses: sigmoid + binary_crossentropy -> BCE from the logits
    (F.binary_cross_entropy_with_logits, mean over samples and labels, as
    Keras's TensorFlow backend computes a sigmoid-output BCE from the
    logits); softmax + sparse_categorical_crossentropy -> F.cross_entropy
    of the logits; mean_squared_error -> F.mse_loss (mean over outputs and
    samples);
  * Adam(learning_rate, beta_1, beta_2, epsilon) from the spec (Keras
    defaults 0.001, 0.9, 0.999, 1e-7).  Keras adds epsilon to sqrt(v)
    before the bias correction of v, torch after it; torch's eps is set
    every step to eps / sqrt(1 - beta_2^t), which makes the two updates
    identical in exact arithmetic (bench/torch_seed.py, keras_adam_eps).
    With a fixed eps = 1e-7 the difference would be practically nil too
    (it only matters while sqrt(v) is near eps).  torch's 1 - beta and
    beta^t are exact doubles; Keras 3 and seqc round them to float32 in
    two different ways (see bench/results-tasks.md), a 7e-6 relative
    difference in the first steps;
  * the spec's batch size, epochs and learning rate; batches reshuffled
    every epoch (torch.randperm with a generator seeded by the seed), the
    last partial batch trained too; torch.manual_seed(seed) for the
    initialisation and dropout.  Seeds are NOT the same random streams as
    seqc's: only the distributions over seeds are comparable.

Test metrics, as seqc's trainer prints them (scikit-learn's functions on
the float32 outputs): classes: mean cross-entropy, accuracy (argmax);
binary: mean BCE, accuracy (p > 0.5), ROC AUC of p, precision, recall, F1
of the positive class 1; multi-label: mean BCE, accuracy = per-label
accuracy (Keras's binary_accuracy, mean over samples x labels), subset
accuracy (all labels right), micro precision, recall, F1; regression: MSE
loss, MAE, RMSE, R^2 (uniform average over outputs); autoencoder: mean MSE
and the ROC AUC of each sample's reconstruction MSE, MNIST test digits
normal (0), Fashion-MNIST test images anomalous (1).
"""
import argparse
import gzip
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
UCI = os.path.join(ROOT, "tests", "data", "uci")

# task -> (spec, csv stem, label columns); bench/tasks.sh has the same table.
TASKS = [
    ("breast_cancer", "specs/breast_cancer.yaml", "breast_cancer", ["label"]),
    ("wine", "specs/wine.yaml", "wine", ["label"]),
    ("diabetes", "specs/diabetes.yaml", "diabetes", ["target"]),
    ("digits_multilabel", "specs/digits_multilabel.yaml", "digits_multilabel",
     ["is_even", "is_greater_than_4"]),
]


# ================================================================ the spec
def _f(v):
    return float(v)     # PyYAML reads 1e-7 (no dot) as a string


def parse_spec(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    layers = []
    for item in doc["layers"]:
        (kind, opts), = item.items()
        if kind == "activation" and isinstance(opts, str):
            opts = {"activation": opts}
        opts = dict(opts or {})
        if kind not in ("input", "normalization", "dense", "dropout",
                        "batch_normalization", "activation"):
            raise SystemExit("%s: layer %r not supported by tasks_reference.py" % (path, kind))
        if kind == "normalization" and ("mean" in opts or opts.get("axis", -1) not in (-1, 1)
                                        or opts.get("invert")):
            raise SystemExit("%s: only an adapted, last-axis normalization is supported" % path)
        layers.append((kind, opts))
    loss = doc.get("loss", "sparse_categorical_crossentropy")
    if isinstance(loss, dict):
        (lname, lopts), = loss.items()
        if lopts:
            raise SystemExit("%s: loss options not supported here" % path)
        loss = lname
    loss = {"mse": "mean_squared_error"}.get(loss, loss)
    opt = doc.get("optimizer", "adam")
    if isinstance(opt, dict):
        (oname, adam), = opt.items()
        if oname != "adam":
            raise SystemExit("%s: only adam is supported here" % path)
        adam = adam or {}
    else:
        adam = {}
    adam = {"lr": _f(adam.get("learning_rate", 1e-3)), "beta_1": _f(adam.get("beta_1", 0.9)),
            "beta_2": _f(adam.get("beta_2", 0.999)), "epsilon": _f(adam.get("epsilon", 1e-7))}
    tr = doc.get("train") or {}
    return {"layers": layers, "loss": loss, "adam": adam,
            "batch_size": int(tr.get("batch_size", 32)), "epochs": int(tr.get("epochs", 1)),
            "targets": tr.get("targets", "labels")}


class Normalization(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n))
        self.register_buffer("scale", torch.ones(n))

    def adapt(self, x):
        x64 = x.astype(np.float64)
        mean = x64.mean(0)
        var = ((x64 - mean) ** 2).mean(0)            # population variance
        self.mean.copy_(torch.from_numpy(mean.astype(np.float32)))
        var32 = torch.from_numpy(var.astype(np.float32))
        self.scale.copy_(torch.clamp(torch.sqrt(var32), min=1e-7))

    def forward(self, x):
        return (x - self.mean) / self.scale


ACT = {"linear": None, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": None, "softmax": None}


def build(spec):
    """-> (nn.Sequential, task kind, number of outputs).  The last layer's
    sigmoid/softmax is left to the loss (from the logits)."""
    mods, n = [], None
    last_act = "linear"
    layers = spec["layers"]
    for i, (kind, o) in enumerate(layers):
        last = i == len(layers) - 1
        if kind == "input":
            n = int(np.prod(o["shape"]))
        elif kind == "normalization":
            mods.append(Normalization(n))
        elif kind == "dense":
            lin = nn.Linear(n, o["units"], bias=o.get("use_bias", True))
            lim = math.sqrt(6.0 / (n + o["units"]))
            with torch.no_grad():
                lin.weight.uniform_(-lim, lim)
                if lin.bias is not None:
                    lin.bias.zero_()
            mods.append(lin)
            n = o["units"]
            act = o.get("activation", "linear")
            if act not in ACT:
                raise SystemExit("activation %r not supported here" % act)
            if act in ("sigmoid", "softmax"):
                if not last:
                    raise SystemExit("%s only on the last layer here" % act)
                last_act = act
            elif ACT[act]:
                mods.append(ACT[act]())
        elif kind == "dropout":
            mods.append(nn.Dropout(_f(o["rate"])))
        elif kind == "batch_normalization":
            mods.append(nn.BatchNorm1d(n, eps=_f(o.get("epsilon", 1e-3)),
                                       momentum=1.0 - _f(o.get("momentum", 0.99))))
        elif kind == "activation":
            act = o["activation"]
            if ACT.get(act) is None:
                raise SystemExit("activation layer %r not supported here" % act)
            mods.append(ACT[act]())
    loss = spec["loss"]
    if loss == "sparse_categorical_crossentropy" and last_act == "softmax":
        task = "classes"
    elif loss == "binary_crossentropy" and last_act == "sigmoid":
        task = "binary" if n == 1 else "multilabel"
    elif loss == "mean_squared_error" and last_act == "linear":
        task = "regression"
    else:
        raise SystemExit("loss %s with a %s output not supported here" % (loss, last_act))
    return nn.Sequential(*mods), task, n


def loss_fn(task, out, y):
    if task == "classes":
        return F.cross_entropy(out, y)
    if task in ("binary", "multilabel"):
        return F.binary_cross_entropy_with_logits(out, y)
    return F.mse_loss(out, y)


def keras_adam_eps(eps, beta2, t):
    """torch eps that makes torch's Adam step t (1-based) Keras's."""
    return eps / math.sqrt(1.0 - beta2 ** t)


def fit(model, task, spec, x, y, seed, epochs=None):
    """Keras's fit(): the spec's batch size and epochs, shuffled each epoch.
    Returns the wall seconds of the training loop."""
    adam = spec["adam"]
    opt = torch.optim.Adam(model.parameters(), lr=adam["lr"],
                           betas=(adam["beta_1"], adam["beta_2"]), eps=adam["epsilon"])
    g = torch.Generator().manual_seed(seed)
    n, bs = x.shape[0], spec["batch_size"]
    step = 0
    t0 = time.perf_counter()
    model.train()
    for _ in range(epochs or spec["epochs"]):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            out = model(x[idx])
            loss = loss_fn(task, out, y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            step += 1
            opt.param_groups[0]["eps"] = keras_adam_eps(adam["epsilon"], adam["beta_2"], step)
            opt.step()
    return time.perf_counter() - t0


# ================================================================ tabular
def read_csv(path, labels):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    li = [header.index(l) for l in labels]
    fi = [i for i in range(len(header)) if i not in li]
    return data[:, fi].astype(np.float32), data[:, li]


def tabular_metrics(task, out, y):
    """seqc's final-line figures from the logits out and the targets y (numpy)."""
    from sklearn import metrics as M
    o = torch.from_numpy(out)
    r = {}
    if task == "classes":
        yt = torch.from_numpy(y.astype(np.int64))
        r["test_loss"] = F.cross_entropy(o, yt).item()
        r["test_accuracy"] = M.accuracy_score(y, out.argmax(1))
    elif task in ("binary", "multilabel"):
        r["test_loss"] = F.binary_cross_entropy_with_logits(o, torch.from_numpy(y)).item()
        p = torch.sigmoid(o).numpy()
        pred = (p > 0.5).astype(np.int64)
        yt = y.astype(np.int64)
        r["test_accuracy"] = float((pred == yt).mean())
        if task == "binary":
            r["test_auc"] = M.roc_auc_score(yt[:, 0], p[:, 0])
            r["test_precision"] = M.precision_score(yt[:, 0], pred[:, 0], zero_division=0)
            r["test_recall"] = M.recall_score(yt[:, 0], pred[:, 0], zero_division=0)
            r["test_f1"] = M.f1_score(yt[:, 0], pred[:, 0], zero_division=0)
        else:
            r["test_subset_accuracy"] = M.accuracy_score(yt, pred)
            r["test_precision"] = M.precision_score(yt, pred, average="micro", zero_division=0)
            r["test_recall"] = M.recall_score(yt, pred, average="micro", zero_division=0)
            r["test_f1"] = M.f1_score(yt, pred, average="micro", zero_division=0)
    else:
        r["test_loss"] = F.mse_loss(o, torch.from_numpy(y)).item()
        r["test_mae"] = M.mean_absolute_error(y, out)
        r["test_rmse"] = M.mean_squared_error(y, out, squared=False)
        r["test_r2"] = M.r2_score(y, out)
    return r


def emit(task, impl, seed, seconds, r):
    print("%s\t%s\t%s\t%.3f\t%s" % (task, impl, seed, seconds,
                                    " ".join("%s=%.6f" % kv for kv in r.items())), flush=True)


def load_task(stem, labels, task):
    xtr, ytr = read_csv(os.path.join(UCI, stem + "_train.csv"), labels)
    xte, yte = read_csv(os.path.join(UCI, stem + "_test.csv"), labels)
    if task == "classes":
        ytr, yte = ytr[:, 0].astype(np.int64), yte[:, 0].astype(np.int64)
    else:
        ytr, yte = ytr.astype(np.float32), yte.astype(np.float32)
    return xtr, ytr, xte, yte


def cmd_tabular(args):
    torch.set_num_threads(args.threads)
    for name, spec_path, stem, labels in TASKS:
        if args.tasks and name not in args.tasks.split(","):
            continue
        spec = parse_spec(os.path.join(ROOT, spec_path))
        for seed in args.seeds:
            t0 = time.perf_counter()
            torch.manual_seed(seed)
            model, task, _ = build(spec)
            xtr, ytr, xte, yte = load_task(stem, labels, task)
            for m in model:
                if isinstance(m, Normalization):
                    m.adapt(xtr)      # before any layer with weights (as seqc requires)
            fit(model, task, spec, torch.from_numpy(xtr), torch.from_numpy(ytr), seed)
            model.eval()
            with torch.no_grad():
                out = model(torch.from_numpy(xte)).numpy()
            r = tabular_metrics(task, out, yte)
            emit(name, "pytorch", seed, time.perf_counter() - t0, r)


def cmd_sklearn(args):
    """Deterministic scikit-learn baselines (no seed): logistic regression
    on standardised features (C = 1, lbfgs; multinomial for wine; one per
    label for multi-label), least squares and ridge for diabetes."""
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.multioutput import MultiOutputClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn import metrics as M

    def logit(p):
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return np.log(p / (1 - p))

    for name, spec_path, stem, labels in TASKS:
        task = build(parse_spec(os.path.join(ROOT, spec_path)))[1]
        xtr, ytr, xte, yte = load_task(stem, labels, task)
        xtr, xte = xtr.astype(np.float64), xte.astype(np.float64)
        t0 = time.perf_counter()
        if task == "classes":
            m = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)).fit(xtr, ytr)
            p = m.predict_proba(xte)
            r = {"test_loss": M.log_loss(yte, p, labels=m.classes_),
                 "test_accuracy": M.accuracy_score(yte, p.argmax(1))}
            emit(name, "sklearn LogisticRegression (StandardScaler)", "-", time.perf_counter() - t0, r)
        elif task == "binary":
            m = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)).fit(xtr, ytr[:, 0])
            p = m.predict_proba(xte)[:, 1:2]
            r = tabular_metrics(task, logit(p).astype(np.float32), yte)
            emit(name, "sklearn LogisticRegression (StandardScaler)", "-", time.perf_counter() - t0, r)
        elif task == "multilabel":
            m = make_pipeline(StandardScaler(), MultiOutputClassifier(
                LogisticRegression(max_iter=10000))).fit(xtr, ytr.astype(np.int64))
            p = np.stack([q[:, 1] for q in m.predict_proba(xte)], 1)
            r = tabular_metrics(task, logit(p).astype(np.float32), yte)
            emit(name, "sklearn LogisticRegression per label (StandardScaler)", "-",
                 time.perf_counter() - t0, r)
        else:
            for label, est in (("LinearRegression", LinearRegression()),
                               ("Ridge(alpha=1) (StandardScaler)",
                                make_pipeline(StandardScaler(), Ridge(alpha=1.0)))):
                t0 = time.perf_counter()
                est.fit(xtr, ytr)
                out = est.predict(xte).reshape(-1, ytr.shape[1]).astype(np.float32)
                emit(name, "sklearn " + label, "-", time.perf_counter() - t0,
                     tabular_metrics(task, out, yte))


# ================================================================ autoencoder
def load_idx(d, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            with (gzip.open if p.endswith(".gz") else open)(p, "rb") as f:
                data = f.read()
            nd = data[3]
            dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
            a = np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)
            return (a.reshape(dims[0], -1).astype(np.float32) / np.float32(255.0))
    raise SystemExit("%s: no %s[.gz]" % (d, stem))


def recon_scores(model, x, bs=1000):
    model.eval()
    s = []
    with torch.no_grad():
        for i in range(0, x.shape[0], bs):
            xb = x[i:i + bs]
            s.append(((model(xb) - xb) ** 2).mean(1))
    return torch.cat(s).numpy()


def cmd_autoencoder(args):
    from sklearn.metrics import roc_auc_score
    torch.set_num_threads(args.threads)
    spec = parse_spec(os.path.join(ROOT, args.spec))
    xtr = torch.from_numpy(load_idx(args.mnist, "train-images-idx3-ubyte"))
    xte = torch.from_numpy(load_idx(args.mnist, "t10k-images-idx3-ubyte"))
    xan = torch.from_numpy(load_idx(args.fashion, "t10k-images-idx3-ubyte"))
    ylab = np.r_[np.zeros(len(xte)), np.ones(len(xan))]
    tag = "autoencoder_%dep" % (args.epochs or spec["epochs"])
    for seed in args.seeds:
        torch.manual_seed(seed)
        model, task, _ = build(spec)
        if task != "regression" or spec["targets"] != "inputs":
            raise SystemExit("%s: not an autoencoder (targets: inputs, mse)" % args.spec)
        t0 = time.perf_counter()
        fit(model, task, spec, xtr, xtr, seed, epochs=args.epochs)
        sn, sa = recon_scores(model, xte), recon_scores(model, xan)
        emit(tag, "pytorch", seed, time.perf_counter() - t0,
             {"test_loss": float(sn.mean()), "test_anomaly_auc": roc_auc_score(ylab, np.r_[sn, sa])})
    if args.pca:
        from sklearn.decomposition import PCA
        t0 = time.perf_counter()
        p = PCA(n_components=args.pca, random_state=0).fit(xtr.numpy())
        sc = [((p.inverse_transform(p.transform(a.numpy())) - a.numpy()) ** 2).mean(1)
              for a in (xte, xan)]
        emit(tag, "sklearn PCA(%d) reconstruction" % args.pca, "-",
             time.perf_counter() - t0,
             {"test_loss": float(sc[0].mean()), "test_anomaly_auc": roc_auc_score(ylab, np.r_[sc[0], sc[1]])})


# ================================================================ cross-check
def read_seqc_weights(path):
    """A seqc SEQCWTS1 weights file -> numpy float32 arrays in Keras's
    get_weights() order (the format bench/torch_models.py reads)."""
    import struct
    import zlib
    data = open(path, "rb").read()
    if data[:8] != b"SEQCWTS1" or zlib.crc32(data[:-4]) != struct.unpack("<I", data[-4:])[0]:
        raise SystemExit("%s: not a valid SEQCWTS1 weights file" % path)
    (count,), off, out = struct.unpack_from("<I", data, 8), 12, []
    for _ in range(count):
        (rank,) = struct.unpack_from("<I", data, off)
        dims = struct.unpack_from("<%dI" % rank, data, off + 4)
        off += 4 + 4 * rank
        n = int(np.prod(dims)) if rank else 1
        out.append(np.frombuffer(data, "<f4", n, off).reshape(dims).copy())
        off += 4 * n
    return out


def load_seqc(model, arrays):
    """seqc's trained tensors into build()'s modules; returns the
    normalization layers' (mean, variance) as seqc adapted them."""
    it = iter(arrays)
    stats = []
    with torch.no_grad():
        for m in model:
            if isinstance(m, Normalization):
                mean, var, _count = next(it), next(it), next(it)
                m.mean.copy_(torch.from_numpy(mean))
                m.scale.copy_(torch.clamp(torch.sqrt(torch.from_numpy(var)), min=1e-7))
                stats.append((mean, var))
            elif isinstance(m, nn.Linear):
                m.weight.copy_(torch.from_numpy(next(it)).t())
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy(next(it)))
            elif isinstance(m, nn.BatchNorm1d):
                for t in (m.weight, m.bias, m.running_mean, m.running_var):
                    t.copy_(torch.from_numpy(next(it)))
    if next(it, None) is not None:
        raise SystemExit("the weights file has more tensors than the spec")
    return stats


def cmd_cross(args):
    """seqc-trained weights (train --save) evaluated by this file's model and
    metrics: the same figures as seqc's final line if seqc's inference,
    loss and metric definitions are the ones documented above.  Also
    compares seqc's adapted normalization statistics with this file's."""
    torch.set_num_threads(2)
    if args.task == "autoencoder":
        from sklearn.metrics import roc_auc_score
        spec = parse_spec(os.path.join(ROOT, "specs/autoencoder.yaml"))
        model, _, _ = build(spec)
        load_seqc(model, read_seqc_weights(args.weights))
        xte = torch.from_numpy(load_idx(args.mnist, "t10k-images-idx3-ubyte"))
        xan = torch.from_numpy(load_idx(args.fashion, "t10k-images-idx3-ubyte"))
        from sklearn import metrics as M
        sn, sa = recon_scores(model, xte), recon_scores(model, xan)
        with torch.no_grad():
            rec = model(xte).numpy()
        r = {"test_loss": float(sn.mean()),
             "test_mae": M.mean_absolute_error(xte.numpy(), rec),
             "test_rmse": M.mean_squared_error(xte.numpy(), rec, squared=False),
             "test_r2": M.r2_score(xte.numpy(), rec),   # uniform average over the 784 pixels
             "test_anomaly_auc": roc_auc_score(np.r_[np.zeros(len(sn)), np.ones(len(sa))], np.r_[sn, sa])}
        emit(args.label or "autoencoder", "pytorch eval of seqc weights", args.seed, 0.0, r)
        return
    (name, spec_path, stem, labels), = [t for t in TASKS if t[0] == args.task]
    spec = parse_spec(os.path.join(ROOT, spec_path))
    model, task, _ = build(spec)
    xtr, ytr, xte, yte = load_task(stem, labels, task)
    stats = load_seqc(model, read_seqc_weights(args.weights))
    note = []
    for mean, var in stats:
        ref = Normalization(xtr.shape[1])
        ref.adapt(xtr)
        x64 = xtr.astype(np.float64)
        m64, v64 = x64.mean(0), x64.var(0)
        note.append("normalization: max |rel diff| mean %.1e, variance %.1e (vs population var); "
                    "vs sample var (ddof=1) %.1e" % (
                        np.max(np.abs(mean - m64) / np.maximum(np.abs(m64), 1e-30)),
                        np.max(np.abs(var - v64) / v64),
                        np.max(np.abs(var - x64.var(0, ddof=1)) / v64)))
    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(xte)).numpy()
    emit(name, "pytorch eval of seqc weights", args.seed, 0.0, tabular_metrics(task, out, yte))
    for n in note:
        print("# %s: %s" % (name, n), flush=True)


# ================================================================ lockstep
def write_seqc_weights(path, arrays):
    import struct
    import zlib
    b = bytearray(b"SEQCWTS1") + struct.pack("<I", len(arrays))
    for a in arrays:
        a = np.asarray(a, "<f4")
        b += struct.pack("<I", a.ndim) + struct.pack("<%dI" % a.ndim, *a.shape) + a.tobytes()
    b += struct.pack("<I", zlib.crc32(bytes(b)))
    with open(path, "wb") as f:
        f.write(b)


def keras_arrays(model, n_train):
    """build()'s modules -> Keras get_weights() arrays (seqc's file order)."""
    out = []
    for m in model:
        if isinstance(m, Normalization):
            out += [m.mean.numpy().copy(), (m.scale.numpy().astype(np.float64) ** 2).astype(np.float32),
                    np.array(n_train, np.float32)]
        elif isinstance(m, nn.Linear):
            out.append(m.weight.detach().t().numpy().copy())
            if m.bias is not None:
                out.append(m.bias.detach().numpy().copy())
        elif isinstance(m, nn.BatchNorm1d):
            out += [t.detach().numpy().copy() for t in (m.weight, m.bias, m.running_mean, m.running_var)]
    return out


def adam_seqc_f64(model, task, adam, x, y, steps):
    """Full-batch Adam in float64 with the coefficients runtime/optim.c
    uses: the moments' 1 - beta as 1.0f - (float)beta and the betas
    themselves in float (0.999f, 0.9f), alpha = lr sqrt(1 - beta_2^t) /
    (1 - beta_1^t) from double powers; epsilon outside the square root of the
    uncorrected v, as Keras."""
    f32 = lambda v: float(np.float32(v))
    b1, b2 = f32(adam["beta_1"]), f32(adam["beta_2"])
    c1, c2 = f32(np.float32(1.0) - np.float32(b1)), f32(np.float32(1.0) - np.float32(b2))
    ps = list(model.parameters())
    ms = [torch.zeros_like(p) for p in ps]
    vs = [torch.zeros_like(p) for p in ps]
    model.train()
    for t in range(1, steps + 1):
        for p in ps:
            p.grad = None
        loss_fn(task, model(x), y).backward()
        alpha = adam["lr"] * math.sqrt(1.0 - adam["beta_2"] ** t) / (1.0 - adam["beta_1"] ** t)
        with torch.no_grad():
            for p, m, v in zip(ps, ms, vs):
                m.mul_(b1).add_(c1 * p.grad)
                v.mul_(b2).add_(c2 * p.grad * p.grad)
                p.sub_(alpha * m / (v.sqrt() + adam["epsilon"]))


def cmd_lockstep(args):
    """Training semantics without noise: one initial state (this file's
    glorot init and adapt, written as a SEQCWTS1 file) trained by seqc
    (train --init-weights, --batch-size = the whole training set, so the
    shuffle only reorders a sum) and by this file's fit(), in float32 and in
    float64, for the same number of Adam steps; specs without dropout only.
    Prints, per run, the largest difference of the weight changes
    (w_final - w_init) relative to the largest change of its tensor, for
    seqc vs PyTorch float32, seqc vs float64 and float32 vs float64, and
    both sides' test figures."""
    import copy
    import subprocess
    import tempfile
    torch.set_num_threads(1)
    (name, spec_path, stem, labels), = [t for t in TASKS if t[0] == args.task]
    spec = parse_spec(os.path.join(ROOT, spec_path))
    if any(k == "dropout" for k, _ in spec["layers"]):
        raise SystemExit("%s has dropout: its masks cannot be the same on both sides" % name)
    torch.manual_seed(args.seed)
    model, task, _ = build(spec)
    xtr, ytr, xte, yte = load_task(stem, labels, task)
    for m in model:
        if isinstance(m, Normalization):
            m.adapt(xtr)
    n = len(xtr)
    init = keras_arrays(model, n)
    tmp = tempfile.mkdtemp(prefix="lockstep-")
    w0, w1 = os.path.join(tmp, "init.weights"), os.path.join(tmp, "seqc.weights")
    write_seqc_weights(w0, init)
    res = subprocess.run([args.trainer, "train", "--train-csv", os.path.join(UCI, stem + "_train.csv"),
                          "--test-csv", os.path.join(UCI, stem + "_test.csv"), "--label", ",".join(labels),
                          "--init-weights", w0, "--batch-size", str(n), "--epochs", str(args.epochs),
                          "--seed", str(args.seed), "--quiet", "--save", w1],
                         check=True, capture_output=True, text=True)
    seqc_line = res.stdout.strip().splitlines()[-1]
    theirs = read_seqc_weights(w1)
    for f in (w0, w1):
        os.remove(f)
    os.rmdir(tmp)
    spec = dict(spec, batch_size=n)
    m64 = copy.deepcopy(model).double()
    m64s = copy.deepcopy(model).double()
    fit(model, task, spec, torch.from_numpy(xtr), torch.from_numpy(ytr), args.seed, epochs=args.epochs)
    x64 = torch.from_numpy(xtr).double()
    y64 = torch.from_numpy(ytr) if task == "classes" else torch.from_numpy(ytr).double()
    fit(m64, task, spec, x64, y64, args.seed, epochs=args.epochs)
    adam_seqc_f64(m64s, task, spec["adam"], x64, y64, args.epochs)
    mine, ref, ref_s = keras_arrays(model, n), keras_arrays(m64, n), keras_arrays(m64s, n)

    def step_diff(a_list, b_list):
        worst = 0.0
        for i0, a, b in zip(init, a_list, b_list):
            if i0.ndim == 0 or np.array_equal(np.asarray(a, np.float64), np.asarray(i0, np.float64)) \
                    and np.array_equal(np.asarray(b, np.float64), np.asarray(i0, np.float64)):
                continue        # normalization statistics and count: not trained
            da = np.asarray(a, np.float64) - i0
            db = np.asarray(b, np.float64) - i0
            worst = max(worst, float(np.linalg.norm(da - db) / max(float(np.linalg.norm(db)), 1e-300)))
        return worst

    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(xte)).numpy()
    r = tabular_metrics(task, out, yte)
    print("%s\t%d\t%.2e\t%.2e\t%.2e\t%.2e\t%s\t%s" % (
        name, args.epochs, step_diff(theirs, mine), step_diff(theirs, ref), step_diff(mine, ref),
        step_diff(theirs, ref_s),
        seqc_line, " ".join("%s=%.6f" % kv for kv in r.items())), flush=True)


# ================================================================ report
METRICS = {
    "breast_cancer": ["test_loss", "test_accuracy", "test_auc", "test_precision", "test_recall", "test_f1"],
    "wine": ["test_loss", "test_accuracy"],
    "diabetes": ["test_loss", "test_mae", "test_rmse", "test_r2"],
    "digits_multilabel": ["test_loss", "test_accuracy", "test_subset_accuracy", "test_precision",
                          "test_recall", "test_f1"],
    "autoencoder": ["test_loss", "test_anomaly_auc"],
}


def metrics_of(task):
    return METRICS["autoencoder" if task.startswith("autoencoder_") else task]


def title_of(task):
    if task.startswith("autoencoder_"):
        return "%s, %s epochs" % (TITLES["autoencoder"], task[len("autoencoder_"):-2])
    return TITLES[task]
TITLES = {
    "breast_cancer": "Breast cancer (binary; 456 train / 113 test; positive class 1 = benign)",
    "wine": "Wine (3 classes; 142 train / 36 test)",
    "diabetes": "Diabetes (regression, target 25..346; 354 train / 88 test)",
    "digits_multilabel": "Digits multi-label (is_even, is_greater_than_4; 1438 train / 359 test)",
    "autoencoder": "Autoencoder anomaly detection (MNIST train; MNIST test normal vs Fashion-MNIST test anomalous)",
}


def read_tsv(paths):
    rows = []
    for p in paths:
        if not p:
            continue
        with open(p) as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                task, impl, seed, secs, kv = line.rstrip("\n").split("\t")
                vals = dict(x.split("=", 1) for x in kv.split())
                rows.append((task, impl, seed, float(secs), {k: float(v) for k, v in vals.items()}))
    return rows


def fmt(v, k):
    if k in ("test_loss", "test_mae", "test_rmse") and abs(v) >= 10:
        return "%.2f" % v
    return "%.4f" % v


def welch(a, b):
    """(t, dof, two-sided p) of Welch's test, or None if undefined."""
    from scipy import stats
    a, b = np.asarray(a), np.asarray(b)
    if len(a) < 2 or len(b) < 2:
        return None
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return (0.0, float("nan"), 1.0) if a.mean() == b.mean() else None
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return t, dof, 2 * stats.t.sf(abs(t), dof)


def s_all(rows):
    return [r for r in rows if r[1] == "seqc"]


def cmd_report(args):
    rows = read_tsv([args.seqc, args.torch, args.sklearn])
    out = []
    w = out.append
    if args.meta:
        with open(args.meta) as f:
            w(f.read().rstrip("\n"))
            w("")
    summary = []
    body_start = len(out)
    aes = sorted({r[0] for r in rows if r[0].startswith("autoencoder_")},
                 key=lambda t: int(t[len("autoencoder_"):-2]))
    for task in [t for t in METRICS if t != "autoencoder"] + aes:
        trs = [r for r in rows if r[0] == task]
        if not trs:
            continue
        w("## " + title_of(task))
        w("")
        s = [r for r in trs if r[1] == "seqc"]
        t = [r for r in trs if r[1] == "pytorch"]
        base = [r for r in trs if r[1].startswith("sklearn")]
        hdr = "| metric | seqc (n=%d) | PyTorch (n=%d) | Welch t (dof, p) | within spread? |" % (len(s), len(t))
        sep = "|---|---|---|---|---|"
        for b in base:
            hdr += " %s |" % b[1]
            sep += "---|"
        w(hdr)
        w(sep)
        for k in metrics_of(task):
            a = [r[4][k] for r in s if k in r[4]]
            b = [r[4][k] for r in t if k in r[4]]
            if not a and not b:
                continue
            cell = lambda v: ("%s ± %s" % (fmt(np.mean(v), k), fmt(np.std(v, ddof=1), k))
                              if len(v) > 1 else (fmt(v[0], k) if v else "—"))
            wt = welch(a, b) if a and b else None
            if wt is None:
                tcell, verdict = "—", "—"
                if a and b and max(len(a), len(b)) > 1:
                    sd = max(np.std(v, ddof=1) for v in (a, b) if len(v) > 1)
                    verdict = "yes" if abs(np.mean(a) - np.mean(b)) <= sd else "no"
            else:
                tt, dof, p = wt
                tcell = "%+.2f (%.1f, %.2f)" % (tt, dof, p) if dof == dof else "0 (identical)"
                sa, sb = np.std(a, ddof=1), np.std(b, ddof=1)
                diff = abs(np.mean(a) - np.mean(b))
                verdict = "yes" if diff <= max(sa, sb) else ("no (p=%.3f)" % p if p < 0.05 else "near (p=%.2f)" % p)
                summary.append((task, k, np.mean(a), np.mean(b), tt, p, verdict))
            line = "| %s | %s | %s | %s | %s |" % (k, cell(a), cell(b), tcell, verdict)
            for bb in base:
                line += " %s |" % (fmt(bb[4][k], k) if k in bb[4] else "—")
            w(line)
        w("")
        w("Wall time per run (s, mean): seqc %s, PyTorch %s." % (
            "%.2f" % np.mean([r[3] for r in s]) if s else "—",
            "%.2f" % np.mean([r[3] for r in t]) if t else "—"))
        w("")
        w("<details><summary>per-seed values</summary>")
        w("")
        w("| impl | seed | s | " + " | ".join(metrics_of(task)) + " |")
        w("|---|---|---|" + "---|" * len(metrics_of(task)))
        for r in s + t + base:
            w("| %s | %s | %.2f | %s |" % (r[1], r[2], r[3], " | ".join(
                fmt(r[4][k], k) if k in r[4] else "—" for k in metrics_of(task))))
        w("")
        w("</details>")
        w("")
    if summary:
        within = [x for x in summary if x[6] == "yes"]
        sig = [x for x in summary if x[5] < 0.05]
        lines = ["## Summary", "",
                 "%d of %d seqc-vs-PyTorch comparisons (task x figure with both sides' seeds) "
                 "have |difference of means| within the larger seed-to-seed standard deviation; "
                 "%s." % (len(within), len(summary),
                          "none has Welch p < 0.05" if not sig else
                          "Welch p < 0.05 for " + ", ".join("%s %s (p=%.3f)" % (x[0], x[1], x[5]) for x in sig)),
                 ""]
        others = [x for x in summary if x[6] != "yes"]
        if others:
            lines += ["Outside one standard deviation: " + "; ".join(
                "%s %s: seqc %s, PyTorch %s, t=%+.2f, p=%.2f" % (x[0], x[1], fmt(x[2], x[1]), fmt(x[3], x[1]), x[4], x[5])
                for x in others) + ".", ""]
        out[body_start:body_start] = lines
    if args.lockstep:
        w("## Lockstep: one initial state, full-batch Adam, seqc vs PyTorch float32 vs float64")
        w("")
        w("The same initial weights and adapted statistics (written by tasks_reference.py as a")
        w("SEQCWTS1 file, given to seqc as `--init-weights`), the whole training set as one")
        w("batch (`--batch-size N`: the shuffle only reorders a sum; these specs have no")
        w("dropout), the spec's Adam, for S steps; PyTorch in float32 and float64, and a")
        w("float64 Adam with runtime/optim.c's coefficients (1.0f - (float)beta in the")
        w("moments, double powers in alpha).  Each figure: ||dA - dB|| / ||dB|| of two runs'")
        w("weight changes d = w_S - w_0 (Frobenius norm per tensor), the largest over the")
        w("tensors.  PyTorch float32 vs float64 is the scale of float32 rounding.")
        w("")
        w("Reading it: up to 100 steps seqc sits ~6-7e-6 from exact (float64) Adam, the")
        w("size of the coefficient offset described above, and closer to the float64 run")
        w("with its own coefficients; beyond that every pair drifts apart alike (1e-4 to")
        w("1e-2 by 1000 steps: a ReLU unit or a momentum changing sign a step earlier or")
        w("later amplifies any 1e-6 difference; the float64 runs with the two coefficient")
        w("sets differ by 1.5e-4 on wine's first kernel at 100 steps, all of it in one hidden")
        w("unit), while the test figures agree to 4-6 digits.")
        w("")
        w("| task | steps | seqc vs PyTorch f32 | seqc vs f64 | PyTorch f32 vs f64 | seqc vs f64 with seqc's Adam coefficients | seqc test figures | PyTorch f32 test figures |")
        w("|---|---|---|---|---|---|---|---|")
        with open(args.lockstep) as f:
            for line in f:
                if line.strip():
                    c = line.rstrip("\n").split("\t")
                    w("| %s |" % " | ".join(c[:6] + [c[6].replace(" ", ", "), c[7].replace(" ", ", ")]))
        w("")
    if args.cross:
        w("## Cross-check: seqc's weights evaluated by the PyTorch model")
        w("")
        seqc_line = {(r[0], r[2]): r[4] for r in s_all(rows)}
        worst, n, notes = {}, 0, []
        with open(args.cross) as f:
            for line in f:
                if line.startswith("#"):
                    notes.append(line[1:].strip())
                    continue
                if not line.strip():
                    continue
                task, _, seed, _, kv = line.rstrip("\n").split("\t")
                mine = {k: float(v) for k, v in (x.split("=", 1) for x in kv.split())}
                theirs = seqc_line.get((task, seed))
                if theirs is None:
                    continue
                n += 1
                for k, v in mine.items():
                    if k in theirs:
                        d = abs(v - theirs[k]) / max(abs(theirs[k]), 1.0)
                        worst[(task, k)] = max(worst.get((task, k), 0.0), d)
        w("%d seqc runs re-evaluated.  Largest difference per figure between seqc's final "
          "line and the PyTorch evaluation of the same weights (absolute; relative for "
          "values above 1):" % n)
        w("")
        w("| task | figure | max difference |")
        w("|---|---|---|")
        for (task, k), d in sorted(worst.items()):
            w("| %s | %s | %.1e |" % (task, k, d))
        w("")
        if notes:
            w("seqc's adapted normalization statistics against numpy's float64 population "
              "mean and variance of the training CSV (largest relative difference over the "
              "features and seeds):")
            w("")
            agg = {}
            for note in notes:
                task, rest = note.split(":", 1)
                nums = [float(x) for x in rest.replace(";", " ").replace(",", " ").split()
                        if x[0].isdigit() and "e" in x]
                a = agg.setdefault(task, [0.0, 0.0, float("inf")])
                a[0], a[1], a[2] = max(a[0], nums[0]), max(a[1], nums[1]), min(a[2], nums[2])
            for task, (dm, dv, ds) in agg.items():
                w("- %s: mean %.1e, variance %.1e (the sample variance, ddof=1, would be off "
                  "by at least %.1e)" % (task, dm, dv, ds))
            w("")
    print("\n".join(out))
    for x in summary:
        print("%s %s seqc=%.4f torch=%.4f t=%+.2f p=%.3f %s" % x, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    seeds = lambda s: [int(x) for x in s.replace(",", " ").split()]
    p = sub.add_parser("tabular")
    p.add_argument("--seeds", type=seeds, default=[1, 2, 3, 4, 5])
    p.add_argument("--tasks", default="", help="comma-separated subset of the four")
    p.add_argument("--threads", type=int, default=1)
    p = sub.add_parser("sklearn")
    p = sub.add_parser("autoencoder")
    p.add_argument("--seeds", type=seeds, default=[1, 2, 3])
    p.add_argument("--epochs", type=int, default=None, help="default: the spec's")
    p.add_argument("--spec", default="specs/autoencoder.yaml")
    p.add_argument("--mnist", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    p.add_argument("--fashion", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pca", type=int, default=8, help="also a PCA(K) reconstruction baseline (0: none)")
    p = sub.add_parser("cross")
    p.add_argument("task")
    p.add_argument("weights")
    p.add_argument("--seed", default="-")
    p.add_argument("--label", default="", help="the task name of the output line")
    p.add_argument("--mnist", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    p.add_argument("--fashion", default="/usr/share/datasets/fashion-mnist")
    p = sub.add_parser("lockstep")
    p.add_argument("task")
    p.add_argument("trainer", help="seqc's trainer of the task, out/tasks/NAME")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("report")
    p.add_argument("--seqc")
    p.add_argument("--torch")
    p.add_argument("--sklearn")
    p.add_argument("--meta")
    p.add_argument("--cross")
    p.add_argument("--lockstep")
    args = ap.parse_args()
    {"tabular": cmd_tabular, "sklearn": cmd_sklearn, "autoencoder": cmd_autoencoder,
     "cross": cmd_cross, "lockstep": cmd_lockstep, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
