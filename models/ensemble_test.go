package models

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func newEnsemble(t *testing.T, members int, mode string) *Ensemble {
	t.Helper()
	e, err := NewEnsemble(members, EnsembleConfig{Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The average of two members is their mean, exactly: (a + b)/2 in float64 is what Predict computes.
func TestEnsembleAverage(t *testing.T) {
	a, b := []float64{0.1, 0.5, 0.93, 0}, []float64{0.3, 0.2, 0.91, 1}
	e := newEnsemble(t, 2, "")
	if e.Mode != "average" {
		t.Errorf("default mode %q, want average", e.Mode)
	}
	if err := e.Fit([][]float64{a, b}, []float64{0, 1, 1, 0}); err != nil || e.Weights != nil {
		t.Errorf("Fit of an average: error %v, weights %v; want a no-op", err, e.Weights)
	}
	got, err := e.Predict([][]float64{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if want := (a[i] + b[i]) / 2; got[i] != want {
			t.Errorf("example %d: %v, want %v", i, got[i], want)
		}
	}
}

// stackData draws n examples of M = len(w) members whose logits are independent N(0, scale_m²) and
// labels y ~ Bernoulli(σ(b + Σ_m w_m ℓ_m)), from a fixed seed.
func stackData(n int, w, scale []float64, bias float64) (probs [][]float64, logits *mat.Dense, y []float64) {
	rng := rand.New(rand.NewPCG(17, 29))
	probs = make([][]float64, len(w))
	for m := range probs {
		probs[m] = make([]float64, n)
	}
	logits = mat.NewDense(n, len(w)+1, nil)
	y = make([]float64, n)
	for i := 0; i < n; i++ {
		z := bias
		for m := range w {
			l := scale[m] * rng.NormFloat64()
			probs[m][i] = 1 / (1 + math.Exp(-l))
			logits.Set(i, m, clippedLogit(probs[m][i]))
			z += w[m] * logits.At(i, m)
		}
		logits.Set(i, len(w), 1)
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	return probs, logits, y
}

// Stacking recovers the coefficients of the logistic model that generated the labels. The tolerance is
// 4 standard errors of the maximum-likelihood estimate, √diag(I⁻¹) with the Fisher information
// I = Σ_i p_i(1 − p_i) x_i x_iᵀ at the true coefficients (about 0.02 here, n = 20000): a correct fit
// misses it with probability about 6e-5 per coefficient. The penalty's pull on the weights,
// I⁻¹λw with λ = 2, is below 1e-3, a twentieth of a standard error.
func TestEnsembleStackRecoversCoefficients(t *testing.T) {
	const n = 20000
	w, scale, bias := []float64{1.5, -0.5, 0.8}, []float64{1, 2, 0.7}, -1.0
	probs, x, y := stackData(n, w, scale, bias)
	e := newEnsemble(t, 3, "stack")
	if err := e.Fit(probs, y); err != nil {
		t.Fatal(err)
	}
	truth := append(append([]float64(nil), w...), bias)
	fisher := mat.NewSymDense(4, nil)
	for i := 0; i < n; i++ {
		z := mat.Dot(x.RowView(i), mat.NewVecDense(4, truth))
		p := 1 / (1 + math.Exp(-z))
		fisher.SymRankOne(fisher, p*(1-p), x.RowView(i))
	}
	var cov mat.Dense
	if err := cov.Inverse(fisher); err != nil {
		t.Fatal(err)
	}
	got := append(append([]float64(nil), e.Weights...), e.Bias)
	for j, want := range truth {
		se := math.Sqrt(cov.At(j, j))
		if d := math.Abs(got[j] - want); d > 4*se {
			t.Errorf("coefficient %d: fitted %.4f, true %.4f: off by %.4f > 4 standard errors (%.4f)", j, got[j], want, d, 4*se)
		}
		t.Logf("coefficient %d: fitted %.4f, true %.4f, standard error %.4f", j, got[j], want, se)
	}
}

// A member that predicts the labels perfectly outweighs a member of pure noise, and the stack then
// classifies every example correctly. (The labels are separable, so only the L2 penalty keeps the
// perfect member's weight finite.)
func TestEnsembleStackPrefersPerfectMember(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 400
	perfect, noise, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range y {
		if rng.Float64() < 0.3 {
			y[i] = 1
		}
		perfect[i], noise[i] = y[i], rng.Float64()
	}
	e := newEnsemble(t, 2, "stack")
	if err := e.Fit([][]float64{perfect, noise}, y); err != nil {
		t.Fatal(err)
	}
	t.Logf("weights %v, bias %v", e.Weights, e.Bias)
	if !(e.Weights[0] > 0 && e.Weights[0] > 10*math.Abs(e.Weights[1])) {
		t.Errorf("weights %v: want the perfect member's positive and 10 times the noise member's", e.Weights)
	}
	p, err := e.Predict([][]float64{perfect, noise})
	if err != nil {
		t.Fatal(err)
	}
	for i := range p {
		if (p[i] > 0.5) != (y[i] == 1) {
			t.Errorf("example %d: P = %.4f for label %g", i, p[i], y[i])
		}
	}
}

// TestEnsembleStackMatchesScikitLearn compares the stacking weights with scikit-learn's
// LogisticRegression fitted to the same clipped logits with the same penalty (C = 1/(1e-4·n)), from the
// fixture that testdata/sklearn_stack.py writes. Both solve the same strictly convex problem to far below
// 1e-6 (Newton's method here to 1e-10, newton-cg there to a gradient of 1e-12), so they agree to 1e-6.
func TestEnsembleStackMatchesScikitLearn(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "sklearn_stack.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fix struct {
		Source  string      `json:"source"`
		Probs   [][]float64 `json:"probs"`
		Labels  []float64   `json:"labels"`
		Weights []float64   `json:"weights"`
		Bias    float64     `json:"bias"`
	}
	if err := json.Unmarshal(raw, &fix); err != nil {
		t.Fatal(err)
	}
	e := newEnsemble(t, len(fix.Probs), "stack")
	if err := e.Fit(fix.Probs, fix.Labels); err != nil {
		t.Fatal(err)
	}
	got := append(append([]float64(nil), e.Weights...), e.Bias)
	want := append(append([]float64(nil), fix.Weights...), fix.Bias)
	for j := range want {
		if math.Abs(got[j]-want[j]) > 1e-6 {
			t.Errorf("coefficient %d: %.10f, %s gives %.10f", j, got[j], fix.Source, want[j])
		}
	}
}

// A fitted ensemble survives a JSON round trip and predicts the same numbers afterwards.
func TestEnsembleJSON(t *testing.T) {
	probs, _, y := stackData(500, []float64{1, -1}, []float64{1, 1}, 0.2)
	e := newEnsemble(t, 2, "stack")
	if err := e.Fit(probs, y); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Ensemble
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	a, _ := e.Predict(probs)
	b, err := back.Predict(probs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("example %d: %v before the round trip (%s), %v after", i, a[i], raw, b[i])
		}
	}
}

func TestEnsembleErrors(t *testing.T) {
	for _, c := range []struct {
		members int
		mode    string
		want    string
	}{{0, "average", "0 members"}, {2, "vote", `mode "vote"`}} {
		if _, err := NewEnsemble(c.members, EnsembleConfig{Mode: c.mode}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewEnsemble(%d, %q): error %v, want one containing %q", c.members, c.mode, err, c.want)
		}
	}
	stack := newEnsemble(t, 2, "stack")
	good := [][]float64{{0.2, 0.7, 0.4}, {0.6, 0.5, 0.1}}
	for _, c := range []struct {
		name   string
		probs  [][]float64
		labels []float64
		want   string
	}{
		{"one member", good[:1], []float64{0, 1, 0}, "predictions of 1 members, want 2"},
		{"ragged", [][]float64{{0.2, 0.7, 0.4}, {0.6, 0.5}}, []float64{0, 1, 0}, "member 1 has 2 predictions"},
		{"labels", good, []float64{0, 1}, "2 labels for 3 examples"},
		{"label 2", good, []float64{0, 2, 1}, "label 1 is 2"},
		{"one class", good, []float64{1, 1, 1}, "both classes"},
		{"probability", [][]float64{{0.2, 1.5, 0.4}, {0.6, 0.5, 0.1}}, []float64{0, 1, 0}, "probability 1.5"},
		{"NaN", [][]float64{{0.2, 0.7, math.NaN()}, {0.6, 0.5, 0.1}}, []float64{0, 1, 0}, "probability NaN"},
	} {
		if err := stack.Fit(c.probs, c.labels); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Fit error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := stack.Predict(good); err == nil || !strings.Contains(err.Error(), "Fit") {
		t.Errorf("Predict before Fit: error %v, want one saying to call Fit", err)
	}
	if _, err := newEnsemble(t, 2, "average").Predict(good[:1]); err == nil {
		t.Errorf("Predict with one member's predictions for two members: no error")
	}
	if _, err := (&Ensemble{Mode: "average"}).Predict(nil); err == nil || !strings.Contains(err.Error(), "0 members") {
		t.Errorf("Predict of an ensemble with no members: error %v", err)
	}
}
