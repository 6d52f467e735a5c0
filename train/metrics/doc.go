// Package metrics evaluates a binary classifier from its scores and 0/1 labels: ROC-AUC and the
// ROC curve, average precision (PR-AUC) and the precision–recall curve, log loss, Brier score, the
// confusion matrix and accuracy / precision / recall / F1 at a threshold or at the F1-best threshold,
// calibration bins with the expected calibration error, DeLong's test of two correlated AUCs, and
// percentile bootstrap confidence intervals.
//
// Every function takes parallel slices: scores (or probabilities) and labels, where each label is
// exactly 0 or 1. Mismatched lengths, empty input, a label other than 0 or 1, a NaN or infinite
// score, or a probability outside [0, 1] are errors, never a panic or a NaN. Metrics that need both
// classes (ROCAUC, ROCCurve, AveragePrecision, PRCurve, BestF1Threshold, DeLong, Evaluate) return an
// error wrapping ErrSingleClass when every label is the same; test for it with errors.Is.
//
// The values agree with scikit-learn 1.2.1 (roc_auc_score, roc_curve, average_precision_score,
// precision_recall_curve, log_loss, brier_score_loss, f1_score, calibration_curve) to 1e-9; the
// tests read fixtures written by testdata/sklearn_fixtures.py. Where this package deliberately
// differs from scikit-learn 1.2.1 the function's doc comment says so.
//
// The ranking metrics sort the scores once, O(n log n) time and O(n) memory, so they suit
// evaluation sets of millions of examples.
package metrics
