package metrics

// The expected values in the tests named *Sklearn* come from testdata/sklearn.json, written by
// testdata/sklearn_fixtures.py with Debian's python3 (scikit-learn 1.2.1, numpy 1.24.2, scipy
// 1.10.1); the DeLong values there come from that script's own naive O(n_pos·n_neg)
// structural-components implementation, not from this package. Regenerate with
//
//	cd train/metrics/testdata && /usr/bin/python3 sklearn_fixtures.py

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// tol is the agreement required with the fixtures: |got − want| ≤ tol·max(1, |want|), i.e. absolute
// for values of magnitude up to 1 (AUCs, rates, probabilities) and relative above (log loss).
const tol = 1e-9

type curveFixture struct {
	FPR        []float64 `json:"fpr"`
	TPR        []float64 `json:"tpr"`
	Precision  []float64 `json:"precision"`
	Recall     []float64 `json:"recall"`
	Thresholds []float64 `json:"thresholds"`
}

type atHalfFixture struct {
	TP, FP, TN, FN                  int
	Accuracy, Precision, Recall, F1 float64
}

type calibrationFixture struct {
	FracPos      []float64 `json:"frac_pos"`
	MeanPred     []float64 `json:"mean_pred"`
	Edges        []float64 `json:"edges"`
	Counts       []int     `json:"counts"`
	NonemptyBins []int     `json:"nonempty_bins"`
	ECE          float64   `json:"ece"`
}

type caseFixture struct {
	Name             string                          `json:"name"`
	Scores           []float64                       `json:"scores"`
	Labels           []float64                       `json:"labels"`
	ROCAUC           float64                         `json:"roc_auc"`
	AveragePrecision float64                         `json:"average_precision"`
	ROC              curveFixture                    `json:"roc_curve"`
	PR               curveFixture                    `json:"pr_curve"`
	BestF1           struct{ Threshold, F1 float64 } `json:"best_f1"`
	// Present only for cases whose scores are probabilities.
	LogLoss     *float64            `json:"log_loss"`
	Brier       *float64            `json:"brier"`
	AtHalf      *atHalfFixture      `json:"at_half"`
	Calibration *calibrationFixture `json:"calibration"`
}

type sklearnOutcome struct {
	Value      *float64 `json:"value"`
	ValueError string   `json:"value_error"`
	Warnings   []string `json:"warnings"`
}

type singleClassFixture struct {
	Name              string         `json:"name"`
	Scores            []float64      `json:"scores"`
	Labels            []float64      `json:"labels"`
	SklearnROCAUC     sklearnOutcome `json:"sklearn_roc_auc"`
	SklearnAP         sklearnOutcome `json:"sklearn_average_precision"`
	SklearnLogLoss    sklearnOutcome `json:"sklearn_log_loss"`
	LogLossWithLabels float64        `json:"log_loss_with_labels"`
	Brier             float64        `json:"brier"`
}

type delongFixture struct {
	Name    string    `json:"name"`
	ScoresA []float64 `json:"scores_a"`
	ScoresB []float64 `json:"scores_b"`
	Labels  []float64 `json:"labels"`
	AUCA    float64   `json:"auc_a"`
	AUCB    float64   `json:"auc_b"`
	Diff    float64   `json:"diff"`
	SE      float64   `json:"se"`
	Z       float64   `json:"z"`
	P       float64   `json:"p"`
	VarA    float64   `json:"var_a"`
	VarB    float64   `json:"var_b"`
}

type fixtures struct {
	Versions        map[string]string    `json:"versions"`
	CalibrationBins int                  `json:"calibration_bins"`
	Cases           []caseFixture        `json:"cases"`
	SingleClass     []singleClassFixture `json:"single_class"`
	DeLong          []delongFixture      `json:"delong"`
}

func loadFixtures(t testing.TB) fixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.Versions["sklearn"] != "1.2.1" || len(f.Cases) == 0 || len(f.DeLong) == 0 {
		t.Fatalf("unexpected fixture file: versions %v, %d cases, %d DeLong cases", f.Versions, len(f.Cases), len(f.DeLong))
	}
	return f
}

func (f fixtures) find(t testing.TB, name string) caseFixture {
	t.Helper()
	for _, c := range f.Cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no fixture case %q", name)
	return caseFixture{}
}

func near(got, want float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %.17g, want %.17g (diff %.3g)", what, got, want, got-want)
	}
}

func checkSlice(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !near(got[i], want[i]) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
			return
		}
	}
}
