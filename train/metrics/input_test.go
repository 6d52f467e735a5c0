package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var nan = math.NaN()

// metricFuncs runs each public function of (scores, labels) and returns its error.
var metricFuncs = map[string]func(s, y []float64) error{
	"ROCAUC":           func(s, y []float64) error { _, err := ROCAUC(s, y); return err },
	"ROCCurve":         func(s, y []float64) error { _, _, _, err := ROCCurve(s, y); return err },
	"AveragePrecision": func(s, y []float64) error { _, err := AveragePrecision(s, y); return err },
	"PRCurve":          func(s, y []float64) error { _, _, _, err := PRCurve(s, y); return err },
	"BestF1Threshold":  func(s, y []float64) error { _, _, err := BestF1Threshold(s, y); return err },
	"DeLong":           func(s, y []float64) error { _, err := DeLong(s, s, y); return err },
	"Evaluate":         func(s, y []float64) error { _, err := Evaluate(s, y, 0.5); return err },
	"LogLoss":          func(s, y []float64) error { _, err := LogLoss(s, y); return err },
	"Brier":            func(s, y []float64) error { _, err := Brier(s, y); return err },
	"ConfusionAt":      func(s, y []float64) error { _, err := ConfusionAt(s, y, 0.5); return err },
	"Calibration":      func(s, y []float64) error { _, _, err := Calibration(s, y, 10); return err },
}

// needsBothClasses lists the functions that refuse a single class.
var needsBothClasses = []string{"ROCAUC", "ROCCurve", "AveragePrecision", "PRCurve", "BestF1Threshold", "DeLong", "Evaluate"}

// probabilityInputs lists the functions whose scores must be probabilities.
var probabilityInputs = []string{"Evaluate", "LogLoss", "Brier", "Calibration"}

func TestInvalidInput(t *testing.T) {
	good := []float64{0.1, 0.4, 0.35, 0.8}
	y := []float64{0, 0, 1, 1}
	bad := map[string][2][]float64{
		"mismatched lengths": {good, y[:3]},
		"empty":              {nil, nil},
		"label 2":            {good, {0, 2, 1, 1}},
		"label 0.5":          {good, {0, 0.5, 1, 1}},
		"label NaN":          {good, {0, nan, 1, 1}},
		"NaN score":          {{0.1, nan, 0.35, 0.8}, y},
		"+Inf score":         {{0.1, math.Inf(1), 0.35, 0.8}, y},
		"-Inf score":         {{0.1, math.Inf(-1), 0.35, 0.8}, y},
	}
	for fname, f := range metricFuncs {
		if err := f(good, y); err != nil {
			t.Errorf("%s on valid input: %v", fname, err)
		}
		for what, in := range bad {
			err := f(in[0], in[1])
			if err == nil {
				t.Errorf("%s, %s: no error", fname, what)
			} else if !strings.HasPrefix(err.Error(), "metrics: ") {
				t.Errorf("%s, %s: error %q lacks the package prefix", fname, what, err)
			}
		}
	}
	for _, fname := range probabilityInputs {
		for _, p := range []float64{-0.1, 1.1} {
			if err := metricFuncs[fname]([]float64{0.1, p, 0.35, 0.8}, y); err == nil {
				t.Errorf("%s with probability %v: no error", fname, p)
			}
		}
	}
}

// TestSingleClass: the functions that need both classes return an error wrapping ErrSingleClass
// (scikit-learn raises ValueError for roc_auc_score and returns 1 or −0 with a warning for
// average_precision_score, as the fixture records); the others accept a single class.
func TestSingleClass(t *testing.T) {
	for _, c := range loadFixtures(t).SingleClass {
		if c.SklearnROCAUC.ValueError == "" {
			t.Errorf("%s: fixture should record scikit-learn's ROC-AUC ValueError", c.Name)
		}
		for fname, f := range metricFuncs {
			err := f(c.Scores, c.Labels)
			if !contains(needsBothClasses, fname) {
				if err != nil {
					t.Errorf("%s, %s: %v", fname, c.Name, err)
				}
				continue
			}
			if !errors.Is(err, ErrSingleClass) {
				t.Errorf("%s, %s: error %v, want ErrSingleClass", fname, c.Name, err)
			}
		}
	}
	_, err := ROCAUC([]float64{1, 2, 3, 4, 5}, []float64{1, 1, 1, 1, 1})
	if want := "metrics: ROC-AUC is undefined when every label is 1 (n=5): only one class present"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
