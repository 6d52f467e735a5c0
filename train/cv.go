package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
)

// CVResult is the outcome of CrossValidate: every fold's result and, per test metric of the purchase
// task, the mean and sample standard deviation over folds.
type CVResult struct {
	Folds   int                `json:"folds"`
	Results []*Result          `json:"results"`
	Summary map[string]MeanStd `json:"summary"` // roc_auc, pr_auc, log_loss, brier, f1
}

// MeanStd is a mean and a sample standard deviation (n − 1 in the denominator).
type MeanStd struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

// MarshalJSON writes a NaN mean or std (a metric no run had) as null.
func (m MeanStd) MarshalJSON() ([]byte, error) {
	v := func(x float64) any {
		if math.IsNaN(x) {
			return nil
		}
		return x
	}
	return json.Marshal(map[string]any{"mean": v(m.Mean), "std": v(m.Std)})
}

// String prints "mean ± std" with four decimals.
func (m MeanStd) String() string { return fmt.Sprintf("%.4f ± %.4f", m.Mean, m.Std) }

// NewMeanStd summarises xs.
func NewMeanStd(xs []float64) MeanStd {
	var m MeanStd
	if len(xs) == 0 {
		return m
	}
	for _, x := range xs {
		m.Mean += x
	}
	m.Mean /= float64(len(xs))
	if len(xs) > 1 {
		for _, x := range xs {
			m.Std += (x - m.Mean) * (x - m.Mean)
		}
		m.Std = math.Sqrt(m.Std / float64(len(xs)-1))
	}
	return m
}

// CrossValidate runs exp on each of k stratified folds (DataConfig.Folds, with the experiment's split
// seed): fold i is the test split, and the other folds, split again stratified 80/20, train and
// validate (early stopping and the decision threshold use that validation part, never the test fold).
// Each fold is a run directory out/fold<i> when out is set, and out/cv.json holds the summary.
func CrossValidate(ctx context.Context, exp Experiment, k int, out string) (*CVResult, error) {
	if k < 2 {
		return nil, fmt.Errorf("cross-validation: %d folds, want at least 2", k)
	}
	res := &CVResult{Folds: k, Summary: map[string]MeanStd{}}
	cols := map[string][]float64{}
	for i := 1; i <= k; i++ {
		fx := exp
		fx.Data.Folds, fx.Data.Fold = k, i
		dir := ""
		if out != "" {
			dir = filepath.Join(out, fmt.Sprintf("fold%d", i))
		}
		r, _, err := Start(ctx, fx, dir, false)
		if err != nil {
			return nil, fmt.Errorf("fold %d of %d: %w", i, k, err)
		}
		res.Results = append(res.Results, r)
		t := r.Tasks[0].Test
		cols["roc_auc"] = append(cols["roc_auc"], t.ROCAUC)
		cols["pr_auc"] = append(cols["pr_auc"], t.PRAUC)
		cols["log_loss"] = append(cols["log_loss"], t.LogLoss)
		cols["brier"] = append(cols["brier"], t.Brier)
		cols["f1"] = append(cols["f1"], t.F1)
	}
	for name, xs := range cols {
		res.Summary[name] = NewMeanStd(xs)
	}
	if out != "" {
		if err := writeJSON(filepath.Join(out, "cv.json"), res); err != nil {
			return nil, err
		}
	}
	return res, nil
}
