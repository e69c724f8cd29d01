#!/usr/bin/python3
"""make_csv.py - writes the CSV files of tests/data/uci/ from the data sets
bundled with scikit-learn (see README.md for provenance and licences).

    /usr/bin/python3 tests/data/uci/make_csv.py [OUTDIR]

OUTDIR defaults to this script's directory.  The output depends only on the
bundled data and SEED: running it again rewrites identical files (check
with `git diff --exit-code tests/data/uci`).

Each set is split 80/20 into NAME_train.csv and NAME_test.csv:
    p = numpy.random.RandomState(SEED).permutation(n)
rows are written in the order of p (so neither file is sorted by class);
for the classification sets (stratified) the first round(0.2 * n_c) rows
of each class c in that order go to the test file, for diabetes the first
round(0.2 * n) rows; all the others go to the train file.  round() is
half-up.  RandomState is used because NumPy guarantees its stream (NEP 19).

Numbers are written as Python's repr() of the float64 value, the shortest
text that reads back as exactly that value, with a trailing ".0" dropped
("16" for 16.0); labels as integers.
"""
import os
import re
import sys

import numpy as np
import sklearn
from sklearn import datasets

SEED = 20240611
TEST_FRACTION = 0.2


def sanitise(name):
    """'od280/od315_of_diluted_wines' -> 'od280_od315_of_diluted_wines'."""
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    assert s, name
    return s


def number(v):
    """The shortest text that reads back as exactly float64 v."""
    r = repr(float(v))
    assert float(r) == float(v) and "nan" not in r and "inf" not in r, r
    return r[:-2] if r.endswith(".0") else r


def split(n, strata):
    """(train rows, test rows) in permutation order; strata: a class per
    row (stratified) or None."""
    p = np.random.RandomState(SEED).permutation(n)
    groups = np.zeros(n, dtype=int) if strata is None else np.asarray(strata)
    quota = {int(c): int(np.floor(TEST_FRACTION * np.sum(groups == c) + 0.5))
             for c in np.unique(groups)}
    train, test = [], []
    for i in p:
        c = int(groups[i])
        if quota[c] > 0:
            quota[c] -= 1
            test.append(i)
        else:
            train.append(i)
    return train, test


def write(path, header, rows):
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def emit(outdir, name, features, x, targets, y, strata):
    """x: [n, F] floats; y: [n] or [n, T] targets (integers written as
    integers); strata: the class of each row to stratify by, or None."""
    header = [sanitise(f) for f in features] + list(targets)
    assert len(set(header)) == len(header), header
    y = np.asarray(y).reshape(len(x), -1)
    fmt = (lambda v: str(int(v))) if np.issubdtype(y.dtype, np.integer) else number
    train, test = split(len(x), strata)
    for part, idx in (("train", train), ("test", test)):
        rows = [[number(v) for v in x[i]] + [fmt(v) for v in y[i]] for i in idx]
        write(os.path.join(outdir, "%s_%s.csv" % (name, part)), header, rows)
        print("%s_%s.csv: %d rows, %d features, targets %s"
              % (name, part, len(rows), len(header) - len(targets), ",".join(targets)))


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    print("scikit-learn %s, numpy %s, seed %d" % (sklearn.__version__, np.__version__, SEED))
    b = datasets.load_breast_cancer()   # target 1 = benign, 0 = malignant
    emit(outdir, "breast_cancer", b.feature_names, b.data, ["label"], b.target, b.target)
    w = datasets.load_wine()            # classes 0, 1, 2 (the three cultivars)
    emit(outdir, "wine", w.feature_names, w.data, ["label"], w.target, w.target)
    d = datasets.load_diabetes(scaled=False)   # raw features, raw target
    emit(outdir, "diabetes", d.feature_names, d.data, ["target"], d.target, None)
    # Derived multi-label targets (0/1) of the digits, stratified by the digit.
    g = datasets.load_digits()
    y = np.stack([g.target % 2 == 0, g.target > 4], axis=1).astype(np.int64)
    emit(outdir, "digits_multilabel", g.feature_names, g.data,
         ["is_even", "is_greater_than_4"], y, g.target)


if __name__ == "__main__":
    main()
