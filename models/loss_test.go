package models

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// TestLossGradientAtZeroLogit: a ReLU network with a zero output bias gives a logit of exactly 0 to
// every row whose hidden units are all inactive, which is common at initialisation. There the loss
// softplus(z) − y z is smooth with slope σ(0) − y = ½ − y; written as max(z, 0) + log(1 + e^{−|z|}) − y z,
// its two kinks at 0 do not cancel under autodiff (Gorgonia takes max′(0) = 1 and |·|′(0) = 0, giving
// 1 − y), and the output bias's gradient was off by (rows with z = 0)/B. The test makes sure such
// rows exist and checks every gradient with central differences.
func TestLossGradientAtZeroLogit(t *testing.T) {
	d := tabularData(t, 60)
	bl := build(t, "mlp", &MLPConfig{Hidden: []int{2}, Activation: "relu"}, d, tensor.Float64, 32, 0, false)
	b, ok := bl.model.Store().Get("mlp.out.b")
	if !ok {
		t.Fatal("no mlp.out.b")
	}
	if v := graph.Float64s(b.Value); v[0] != 0 {
		t.Fatalf("output bias starts at %v, want 0 for this test", v[0])
	}
	bl.feedFirst(t, d)
	if err := bl.prog.Run(); err != nil {
		t.Fatal(err)
	}
	zero := 0
	for _, p := range bl.prog.Output(0) {
		if p == 0.5 {
			zero++
		}
	}
	if zero == 0 {
		t.Fatal("no row has a logit of exactly 0: the test checks nothing")
	}
	report, err := graph.CheckGradients(bl.prog, graph.GradCheck{Tol: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for _, r := range report {
		worst = math.Max(worst, r.RelError)
	}
	t.Logf("%d of 32 rows at z = 0; worst relative error %.2g over %d parameters", zero, worst, len(report))
}

// TestLossValue compares the loss of a logit head with the binary cross-entropy computed directly
// from the program's probabilities: mean over rows of −y log p − (1 − y) log(1 − p).
func TestLossValue(t *testing.T) {
	d := tabularData(t, 40)
	bl := build(t, "logreg", nil, d, tensor.Float64, 16, 0, false)
	bl.feedFirst(t, d)
	if err := bl.prog.Run(); err != nil {
		t.Fatal(err)
	}
	p := bl.prog.Output(0)
	want := 0.0
	for i := 0; i < 16; i++ {
		y := d.Sessions[i].Labels[0]
		want -= y*math.Log(p[i]) + (1-y)*math.Log(1-p[i])
	}
	want /= 16
	if got := bl.prog.Loss(); math.Abs(got-want) > 1e-12 {
		t.Errorf("loss %.15g, direct cross-entropy %.15g", got, want)
	}
}
