package plots

import (
	"math"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/train/metrics"
)

// Each case is invalid input that must come back as an error mentioning want, not a panic or a
// figure. (gonum/plot itself panics on some of these, e.g. NaN coordinates or empty data.)
func TestInvalidInput(t *testing.T) {
	nan := math.NaN()
	okROC := ROCCurve{Label: "a", FPR: []float64{0, 1}, TPR: []float64{0, 1}, AUC: 0.5}
	okPR := PRCurve{Label: "a", Recall: []float64{0, 1}, Precision: []float64{1, 0.2}, AP: 0.5}
	okBins := []metrics.CalibrationBin{{Lo: 0, Hi: 0.5, MeanPred: 0.2, FracPos: 0.1, Count: 4}}
	w, q, k := fixAttention()
	cases := []struct {
		name string
		run  func() (*Figure, error)
		want string
	}{
		{"ROC no curves", func() (*Figure, error) { return ROC(nil) }, "no curves"},
		{"ROC lengths", func() (*Figure, error) {
			return ROC([]ROCCurve{{Label: "a", FPR: []float64{0, 0.5, 1}, TPR: []float64{0, 1}, AUC: 0.5}})
		}, "want equal lengths"},
		{"ROC empty curve", func() (*Figure, error) { return ROC([]ROCCurve{{Label: "a", AUC: 0.5}}) }, "no points"},
		{"ROC NaN", func() (*Figure, error) {
			return ROC([]ROCCurve{okROC, {Label: "b", FPR: []float64{0, nan}, TPR: []float64{0, 1}, AUC: 0.5}})
		}, "FPR[1] is NaN"},
		{"ROC out of range", func() (*Figure, error) {
			return ROC([]ROCCurve{{Label: "a", FPR: []float64{0, 1}, TPR: []float64{0, 1.5}, AUC: 0.5}})
		}, "TPR[1] = 1.5"},
		{"ROC NaN AUC", func() (*Figure, error) {
			c := okROC
			c.AUC = nan
			return ROC([]ROCCurve{c})
		}, "AUC = NaN"},
		{"ROC no label", func() (*Figure, error) {
			c := okROC
			c.Label = ""
			return ROC([]ROCCurve{c})
		}, "empty label"},
		{"PR no curves", func() (*Figure, error) { return PR(nil, 0.15) }, "no curves"},
		{"PR base rate", func() (*Figure, error) { return PR([]PRCurve{okPR}, 0) }, "base rate 0"},
		{"PR NaN base rate", func() (*Figure, error) { return PR([]PRCurve{okPR}, nan) }, "base rate NaN"},
		{"PR lengths", func() (*Figure, error) {
			return PR([]PRCurve{{Label: "a", Recall: []float64{0}, Precision: []float64{1, 1}, AP: 0.5}}, 0.15)
		}, "want equal lengths"},
		{"calibration no curves", func() (*Figure, error) { return Calibration(nil) }, "no curves"},
		{"calibration empty bins", func() (*Figure, error) {
			return Calibration([]CalibrationCurve{{Label: "a", Bins: []metrics.CalibrationBin{{Hi: 1}}, ECE: 0}})
		}, "none with examples"},
		{"calibration NaN bin", func() (*Figure, error) {
			return Calibration([]CalibrationCurve{{Label: "a", Bins: []metrics.CalibrationBin{{MeanPred: nan, Count: 2}}}})
		}, "bin 0"},
		{"calibration ECE", func() (*Figure, error) {
			return Calibration([]CalibrationCurve{{Label: "a", Bins: okBins, ECE: -1}})
		}, "ECE = -1"},
		{"confusion empty", func() (*Figure, error) { return Confusion("", metrics.Confusion{}, 0.5) }, "empty matrix"},
		{"confusion negative", func() (*Figure, error) { return Confusion("", metrics.Confusion{TP: -1, TN: 3}, 0.5) }, "negative count"},
		{"confusion NaN threshold", func() (*Figure, error) { return Confusion("", metrics.Confusion{TP: 1}, nan) }, "threshold is NaN"},
		{"attention empty", func() (*Figure, error) { return Attention("", nil, nil, nil) }, "empty weight matrix"},
		{"attention empty row", func() (*Figure, error) { return Attention("", [][]float64{{}}, []string{"q"}, nil) }, "empty weight matrix"},
		{"attention ragged", func() (*Figure, error) {
			return Attention("", [][]float64{{0.5, 0.5}, {1}}, []string{"a", "b"}, []string{"a", "b"})
		}, "row 1 has 1 weights, want 2"},
		{"attention query labels", func() (*Figure, error) { return Attention("", w, q[:5], k) }, "5 query labels for 6 rows"},
		{"attention key labels", func() (*Figure, error) { return Attention("", w, q, k[:2]) }, "2 key labels for 6 columns"},
		{"attention NaN", func() (*Figure, error) {
			return Attention("", [][]float64{{nan}}, []string{"q"}, []string{"k"})
		}, "weight[0][0] = NaN"},
		{"attention above one", func() (*Figure, error) {
			return Attention("", [][]float64{{1.2}}, []string{"q"}, []string{"k"})
		}, "weight[0][0] = 1.2"},
		{"loss no panels", func() (*Figure, error) { return Loss(nil) }, "no panels"},
		{"loss lengths", func() (*Figure, error) {
			return Loss([]LossPanel{{Epochs: []float64{1, 2}, Train: []float64{1}}})
		}, "2 Epochs values but 1 Train values"},
		{"loss val lengths", func() (*Figure, error) {
			return Loss([]LossPanel{{Epochs: []float64{1, 2}, Train: []float64{1, 0.5}, Val: []float64{1}}})
		}, "1 Val values"},
		{"loss NaN", func() (*Figure, error) {
			return Loss([]LossPanel{{Epochs: []float64{1, 2}, Train: []float64{1, nan}}})
		}, "Train[1] is NaN"},
		{"loss best epoch", func() (*Figure, error) {
			return Loss([]LossPanel{{Epochs: []float64{1, 2}, Train: []float64{1, 0.5}, BestEpoch: 5}})
		}, "BestEpoch 5 outside"},
		{"metric no runs", func() (*Figure, error) { return MetricByEpoch("auc", nil) }, "no runs"},
		{"metric no name", func() (*Figure, error) { return MetricByEpoch("", fixMetricRuns()) }, "empty metric name"},
		{"metric lengths", func() (*Figure, error) {
			return MetricByEpoch("auc", []Series{{Label: "a", X: []float64{1, 2}, Y: []float64{1}}})
		}, "want equal lengths"},
		{"metric Inf", func() (*Figure, error) {
			return MetricByEpoch("auc", []Series{{Label: "a", X: []float64{1}, Y: []float64{math.Inf(1)}}})
		}, "Y[0] is +Inf"},
		{"history no trials", func() (*Figure, error) { return SearchHistory(nil, "auc") }, "no trials"},
		{"history state", func() (*Figure, error) {
			return SearchHistory([]Trial{{Number: 4, State: "done", Score: 1}}, "auc")
		}, `trial 4 has state "done"`},
		{"history NaN complete", func() (*Figure, error) {
			return SearchHistory([]Trial{{Number: 2, State: StateComplete, Score: nan}}, "auc")
		}, "complete trial 2 has a NaN score"},
		{"history nothing to show", func() (*Figure, error) {
			return SearchHistory([]Trial{{State: StateFailed, Score: nan}, {State: StatePruned, Score: nan}}, "auc")
		}, "none complete or pruned with a score"},
		{"intermediate NaN", func() (*Figure, error) {
			return Intermediate([]Trial{{Number: 1, State: StatePruned, Score: 0.5, Intermediate: []float64{0.5, nan}}}, "auc")
		}, "Intermediate[1] is NaN"},
		{"intermediate nothing to show", func() (*Figure, error) {
			return Intermediate([]Trial{{State: StateComplete, Score: 0.5}}, "auc")
		}, "none complete or pruned with intermediate values"},
		{"params no panels", func() (*Figure, error) { return ParamScores(nil, "auc") }, "no panels"},
		{"params lengths", func() (*Figure, error) {
			return ParamScores([]ParamPanel{{Name: "lr", Values: []any{0.1, 0.2}, Scores: []float64{0.5}}}, "auc")
		}, "2 Values values but 1 Scores values"},
		{"params pruned lengths", func() (*Figure, error) {
			return ParamScores([]ParamPanel{{Name: "lr", Values: []any{0.1}, Scores: []float64{0.5}, Pruned: []bool{true, false}}}, "auc")
		}, "2 Pruned flags for 1 values"},
		{"params log of zero", func() (*Figure, error) {
			return ParamScores([]ParamPanel{{Name: "lr", Log: true, Values: []any{0.0, 0.1}, Scores: []float64{0.5, 0.6}}}, "auc")
		}, "want values > 0"},
		{"params NaN value", func() (*Figure, error) {
			return ParamScores([]ParamPanel{{Name: "lr", Values: []any{nan}, Scores: []float64{0.5}}}, "auc")
		}, "Values[0] is NaN"},
		{"params no values", func() (*Figure, error) {
			return ParamScores([]ParamPanel{{Name: "lr"}}, "auc")
		}, "no values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := c.run()
			if err == nil || f != nil {
				t.Fatalf("got figure %v and error %v, want an error containing %q", f, err, c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "plots: ") {
				t.Errorf("error %q, want it to start with \"plots: \" and contain %q", err, c.want)
			}
		})
	}
}
