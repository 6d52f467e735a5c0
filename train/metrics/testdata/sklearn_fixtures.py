#!/usr/bin/python3
"""Writes sklearn.json: reference values for the Go package train/metrics.

Run from this directory with Debian's interpreter (scikit-learn 1.2.1, numpy, scipy):

    /usr/bin/python3 sklearn_fixtures.py

Every number comes from scikit-learn 1.2.1 except:
  * "best_f1": a brute-force search over every distinct score t (predict 1 when
    score >= t) with exact rational F1 = 2TP / (2TP + FP + FN); ties go to the
    highest threshold; its F1 value is then recomputed with sklearn's f1_score.
  * "ece": sum over calibration_curve's non-empty bins of count/n * |frac_pos -
    mean_pred|, the bin counts taken with the same searchsorted rule sklearn uses.
  * "delong": an independent, deliberately naive O(n_pos * n_neg) implementation
    of DeLong, DeLong & Clarke-Pearson (1988) from its structural components
    (no ranks), with scipy.stats.norm for the two-sided p-value.
Floats are written with repr (shortest round-trip), so Go reads them exactly.
"""
import json
import sys
import warnings
from fractions import Fraction

import numpy as np
import scipy.stats
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score,
                             brier_score_loss, confusion_matrix, f1_score,
                             log_loss, precision_recall_curve, precision_score,
                             recall_score, roc_auc_score, roc_curve)

N_BINS = 10


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64)]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def separated(rng, n, pos_rate, shift, noise):
    """Labels ~ Bernoulli(pos_rate); score = sigmoid(shift*(2y-1) + N(0, noise^2))."""
    y = (rng.random(n) < pos_rate).astype(np.int64)
    z = shift * (2 * y - 1) + rng.normal(0.0, noise, n)
    return sigmoid(z), y


def best_f1(scores, y):
    best, best_t = Fraction(-1), None
    for t in sorted(set(scores.tolist()), reverse=True):
        pred = scores >= t
        tp = int(np.sum(pred & (y == 1)))
        fp = int(np.sum(pred & (y == 0)))
        fn = int(np.sum(~pred & (y == 1)))
        f = Fraction(2 * tp, 2 * tp + fp + fn)
        if f > best:
            best, best_t = f, t
    pred = (scores >= best_t).astype(np.int64)
    return {"threshold": best_t, "f1": float(f1_score(y, pred, zero_division=0))}


def calibration(probs, y):
    prob_true, prob_pred = calibration_curve(y, probs, n_bins=N_BINS, strategy="uniform")
    edges = np.linspace(0.0, 1.0, N_BINS + 1)
    ids = np.searchsorted(edges[1:-1], probs)
    counts = np.bincount(ids, minlength=N_BINS)
    nonzero = counts[counts != 0]
    ece = float(np.sum(nonzero / len(probs) * np.abs(prob_true - prob_pred)))
    return {"frac_pos": floats(prob_true), "mean_pred": floats(prob_pred),
            "edges": floats(edges), "counts": [int(c) for c in nonzero], "nonempty_bins": [int(i) for i in np.nonzero(counts)[0]],
            "ece": ece}


def classifier_case(name, scores, y, probs=True):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    fpr, tpr, thr = roc_curve(y, scores, drop_intermediate=False)
    prec, rec, pthr = precision_recall_curve(y, scores)
    case = {
        "name": name,
        "scores": floats(scores),
        "labels": [int(v) for v in y],
        "roc_auc": float(roc_auc_score(y, scores)),
        "average_precision": float(average_precision_score(y, scores)),
        "roc_curve": {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": floats(thr)},
        "pr_curve": {"precision": floats(prec), "recall": floats(rec), "thresholds": floats(pthr)},
        "best_f1": best_f1(scores, y),
    }
    if probs:
        pred = (scores >= 0.5).astype(np.int64)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        case.update({
            "log_loss": float(log_loss(y, scores)),
            "brier": float(brier_score_loss(y, scores)),
            "at_half": {
                "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
                "accuracy": float(accuracy_score(y, pred)),
                "precision": float(precision_score(y, pred, zero_division=0)),
                "recall": float(recall_score(y, pred, zero_division=0)),
                "f1": float(f1_score(y, pred, zero_division=0)),
            },
            "calibration": calibration(scores, y),
        })
    return case


def run_recording(fn):
    """Calls fn and records its value, or the exception it raised, and any warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            v = fn()
            out = {"value": None if np.isnan(v) else float(v), "is_nan": bool(np.isnan(v))}
        except ValueError as e:
            out = {"value_error": str(e)}
    out["warnings"] = [str(w.message) for w in caught]
    return out


def single_class_case(name, scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    return {
        "name": name,
        "scores": floats(scores),
        "labels": [int(v) for v in y],
        "sklearn_roc_auc": run_recording(lambda: roc_auc_score(y, scores)),
        "sklearn_average_precision": run_recording(lambda: average_precision_score(y, scores)),
        "sklearn_log_loss": run_recording(lambda: log_loss(y, scores)),
        "log_loss_with_labels": float(log_loss(y, scores, labels=[0, 1])),
        "brier": float(brier_score_loss(y, scores)),
    }


def delong_naive(a, b, y):
    """DeLong et al. (1988) from structural components, O(n_pos * n_neg)."""
    out = {}
    comps = []
    for s in (a, b):
        x, z = s[y == 1], s[y == 0]
        psi = (x[:, None] > z[None, :]).astype(np.float64) + 0.5 * (x[:, None] == z[None, :])
        v10 = psi.mean(axis=1)  # one per positive
        v01 = psi.mean(axis=0)  # one per negative
        comps.append((psi.mean(), v10, v01))
    (auc_a, v10a, v01a), (auc_b, v10b, v01b) = comps
    m, n = len(v10a), len(v01a)
    s10 = np.cov(np.vstack([v10a, v10b]))  # ddof=1
    s01 = np.cov(np.vstack([v01a, v01b]))
    s = s10 / m + s01 / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    se = float(np.sqrt(var))
    diff = float(auc_a - auc_b)
    z = diff / se
    out = {"auc_a": float(auc_a), "auc_b": float(auc_b), "diff": diff, "se": se,
           "z": float(z), "p": float(2 * scipy.stats.norm.sf(abs(z))),
           "var_a": float(s[0, 0]), "var_b": float(s[1, 1])}
    return out


def delong_case(name, a, b, y):
    a, b, y = (np.asarray(v, dtype=np.float64) for v in (a, b, y))
    return {"name": name, "scores_a": floats(a), "scores_b": floats(b),
            "labels": [int(v) for v in y], **delong_naive(a, b, y)}


def main():
    rng = np.random.default_rng(20260101)
    cases = []
    # Same generating process at two sizes (250 and 4x250): the bootstrap test uses the pair.
    s, y = separated(rng, 250, 0.3, 0.6, 1.2)
    cases.append(classifier_case("random_250", s, y))
    s, y = separated(rng, 1000, 0.3, 0.6, 1.2)
    cases.append(classifier_case("random_1000", s, y))
    s, y = separated(rng, 300, 0.4, 0.5, 1.0)
    cases.append(classifier_case("ties_1dp", np.round(s, 1), y))
    z = rng.normal(0.0, 2.0, 400)
    y = (rng.random(400) < sigmoid(z - 1.0)).astype(np.int64)
    cases.append(classifier_case("logits_400", z + rng.normal(0.0, 1.0, 400), y, probs=False))
    cases.append(classifier_case("all_equal", [0.5] * 10, [0, 1, 0, 0, 1, 1, 0, 1, 0, 0]))
    cases.append(classifier_case("separable", np.linspace(0.05, 0.95, 20), [0] * 12 + [1] * 8))
    cases.append(classifier_case("reversed", np.linspace(0.05, 0.95, 20), [1] * 8 + [0] * 12))
    cases.append(classifier_case("tiny_n2", [0.3, 0.7], [0, 1]))
    cases.append(classifier_case("tiny_n2_wrong", [0.3, 0.7], [1, 0]))
    cases.append(classifier_case(
        "extreme_probs",
        [0.0, 1.0, 0.0, 1.0, 0.5, 0.2, 0.8, 1e-17, 1 - 1e-16, 0.9999999, 0.3, 0.6],
        [0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]))

    single = [
        single_class_case("all_positive", [0.2, 0.5, 0.9, 0.4, 0.7], [1, 1, 1, 1, 1]),
        single_class_case("all_negative", [0.2, 0.5, 0.9, 0.4], [0, 0, 0, 0]),
    ]

    delong = []
    for n, name in ((250, "delong_250"), (1000, "delong_1000")):
        y = (rng.random(n) < 0.35).astype(np.int64)
        common = rng.normal(0.0, 1.0, n)
        a = 1.0 * y + common + rng.normal(0.0, 0.8, n)
        b = 0.7 * y + 0.8 * common + rng.normal(0.0, 1.0, n)
        delong.append(delong_case(name, a, b, y))
    y = (rng.random(300) < 0.5).astype(np.int64)
    common = rng.normal(0.0, 1.0, 300)
    a = np.round(sigmoid(0.8 * y + common), 1)
    b = np.round(sigmoid(0.5 * y + common + rng.normal(0.0, 0.5, 300)), 1)
    delong.append(delong_case("delong_ties_1dp", a, b, y))

    out = {
        "generator": "train/metrics/testdata/sklearn_fixtures.py",
        "versions": {"python": sys.version.split()[0], "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "scipy": scipy.__version__},
        "calibration_bins": N_BINS,
        "cases": cases,
        "single_class": single,
        "delong": delong,
    }
    with open("sklearn.json", "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
