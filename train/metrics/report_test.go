package metrics

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// TestEvaluateSklearn: every field of Evaluate at threshold 0.5 matches the fixture's scikit-learn
// values for the probability cases.
func TestEvaluateSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		if c.AtHalf == nil {
			continue
		}
		r, err := Evaluate(c.Scores, c.Labels, 0.5)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		pos := 0
		for _, y := range c.Labels {
			pos += int(y)
		}
		w := c.AtHalf
		if r.N != len(c.Scores) || r.Positives != pos || r.Threshold != 0.5 {
			t.Errorf("%s: N %d, Positives %d, Threshold %v", c.Name, r.N, r.Positives, r.Threshold)
		}
		if want := (Confusion{TP: w.TP, FP: w.FP, TN: w.TN, FN: w.FN}); r.Confusion != want {
			t.Errorf("%s: confusion %+v, want %+v", c.Name, r.Confusion, want)
		}
		for _, f := range []struct {
			name      string
			got, want float64
		}{
			{"ROCAUC", r.ROCAUC, c.ROCAUC}, {"PRAUC", r.PRAUC, c.AveragePrecision},
			{"LogLoss", r.LogLoss, *c.LogLoss}, {"Brier", r.Brier, *c.Brier},
			{"Accuracy", r.Accuracy, w.Accuracy}, {"Precision", r.Precision, w.Precision},
			{"Recall", r.Recall, w.Recall}, {"F1", r.F1, w.F1}, {"ECE", r.ECE, c.Calibration.ECE},
		} {
			checkNear(t, c.Name+": "+f.name, f.got, f.want)
		}
	}
}

// TestReportJSON: the JSON keys are snake_case.
func TestReportJSON(t *testing.T) {
	r, err := Evaluate([]float64{0.2, 0.7, 0.6, 0.1}, []float64{0, 1, 0, 1}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"accuracy", "brier", "confusion", "ece", "f1", "log_loss", "n", "positives", "pr_auc", "precision", "recall", "roc_auc", "threshold"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys %v, want %v", keys, want)
	}
	if conf := m["confusion"].(map[string]any); conf["tp"] != 1.0 || conf["fp"] != 1.0 || conf["tn"] != 1.0 || conf["fn"] != 1.0 {
		t.Errorf("confusion JSON %v, want tp, fp, tn, fn all 1", conf)
	}
}

func TestEvaluateErrors(t *testing.T) {
	if _, err := Evaluate([]float64{0.2, 0.7}, []float64{1, 1}, 0.5); !errors.Is(err, ErrSingleClass) {
		t.Errorf("single class: %v", err)
	}
	if _, err := Evaluate([]float64{0.2, 1.7}, []float64{0, 1}, 0.5); err == nil {
		t.Error("probability 1.7: no error")
	}
	if _, err := Evaluate([]float64{0.2, 0.7}, []float64{0, 1}, nan); err == nil {
		t.Error("NaN threshold: no error")
	}
}
