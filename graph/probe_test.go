package graph

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// TestProbeGradIsTheInputGradient adds a probe to the input of loss = Σ c ⊙ σ(x·W + b) and checks its
// gradient against the derivative written out by hand, ∂L/∂x_ik = Σ_j c_ij σ'(z_ij) W_kj, on two runs
// (gradients must not accumulate across runs).
func TestProbeGradIsTheInputGradient(t *testing.T) {
	const batch = 4
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b, _, loss := affineGraph(t, s, batch, true)
	p, err := Compile(b, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	xv, cv := affineInputs(batch)
	if err := p.Set("x", xv); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("c", cv); err != nil {
		t.Fatal(err)
	}
	y := expectedAffine(s, xv, batch) // σ(z), by hand
	wp, _ := s.Get("w")
	wv := Float64s(wp.Value)
	for run := range 2 {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		got, err := p.ProbeGrad("probe.x")
		if err != nil {
			t.Fatal(err)
		}
		for i := range batch {
			for k := range 3 {
				want := 0.0
				for j := range 2 {
					want += cv[i*2+j] * y[i*2+j] * (1 - y[i*2+j]) * wv[k*2+j]
				}
				if g := got[i*3+k]; math.Abs(g-want) > 1e-12 {
					t.Errorf("run %d: ∂L/∂x[%d][%d] = %g, want %g", run, i, k, g, want)
				}
			}
		}
	}
	if _, err := p.ProbeGrad("nope"); err == nil {
		t.Error("ProbeGrad of an unknown probe: no error")
	}
	if strays := b.Strays(); len(strays) != 0 {
		t.Errorf("a probe counts as a stray variable: %v", strays)
	}
}
