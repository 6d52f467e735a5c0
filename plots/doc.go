// Package plots draws the figures of intentlab's benchmark reports, search studies and
// notebooks with gonum.org/v1/plot: loss curves, ROC and precision-recall curves, reliability
// diagrams, confusion matrices, attention maps, and the history, parameter and intermediate-value
// plots of a hyperparameter search.
//
// Each constructor validates its input (no data, unequal lengths, NaN, ragged matrices and
// mismatched label counts are errors, never panics) and returns a *Figure, which Save writes as
// PNG or SVG:
//
//	f, err := plots.ROC([]plots.ROCCurve{{Label: "lstm", FPR: fpr, TPR: tpr, AUC: auc}})
//	if err != nil {
//		return err
//	}
//	return f.Save("runs/lstm/roc.png")
//
// Figures are deterministic: fixed fonts (Liberation Sans, embedded), a fixed palette
// (matplotlib's tab10 without grey, which marks guides, chance lines and pruned trials) and no
// randomness, so the same data give the same pixels. One-panel figures are 6 × 4 inches
// (plus title and legend) at 150 dpi; grids give each panel 3.3 × 2.8 inches, three per row.
// Legends sit outside the axes, in a strip under the title, except the ROC legend, which sits
// in the lower right corner that ROC curves leave empty.
package plots
