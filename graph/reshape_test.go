package graph

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// meanCentre builds c = y − mean(y, axis 1) with y = reshape(x) using the given reshape, on a float64
// store whose parameter x is (2, 3, 5). Returns the program (loss Σ r⊙c) and the store.
func meanCentre(t *testing.T, reshape func(*gorgonia.Node) (*gorgonia.Node, error)) (*Program, *Store) {
	t.Helper()
	s := newTestStore(tensor.Float64)
	vals := make([]float64, 30)
	for i := range vals {
		vals[i] = float64(i%7) - 2.5 + 0.1*float64(i)
	}
	if _, err := s.Add("x", tensor.Shape{2, 3, 5}, Values(vals)); err != nil {
		t.Fatal(err)
	}
	b := NewBuilder(s, BuilderConfig{})
	x, _ := b.Param("x")
	y, err := reshape(x) // (6, 5)
	if err != nil {
		t.Fatal(err)
	}
	mu := gorgonia.Must(gorgonia.Mean(y, 1))                         // (6)
	c := gorgonia.Must(gorgonia.BroadcastSub(y, mu, nil, []byte{1})) // (6, 5)
	w := make([]float64, 30)
	for i := range w {
		w[i] = math.Sin(0.37*float64(i) + 0.2) // fixed loss weights of order 1, so |L| stays small
	}
	r := tensor.New(tensor.WithShape(6, 5), tensor.WithBacking(w))
	loss := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(c, gorgonia.NewConstant(r)))))
	p, err := Compile(b, loss)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// TestGorgoniaReshapeCorruptsItsInput documents the TapeMachine aliasing that graph.Reshape avoids: with
// gorgonia.Reshape, running the program writes into the parameter. If this test fails, the upstream bug
// is fixed.
func TestGorgoniaReshapeCorruptsItsInput(t *testing.T) {
	p, _ := meanCentre(t, func(x *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Reshape(x, tensor.Shape{6, 5}) })
	defer p.Close()
	_, err := CheckGradients(p, GradCheck{})
	if err == nil || !strings.Contains(err.Error(), "changed parameter") {
		t.Errorf("expected the in-place corruption to be detected, got %v", err)
	}
}

func TestReshapeIsSafeAndDifferentiable(t *testing.T) {
	p, s := meanCentre(t, func(x *gorgonia.Node) (*gorgonia.Node, error) { return Reshape(x, 6, 5) })
	defer p.Close()
	if _, err := CheckGradients(p, GradCheck{}); err != nil {
		t.Fatal(err)
	}
	prm, _ := s.Get("x")
	if !prm.Value.Shape().Eq(tensor.Shape{2, 3, 5}) {
		t.Errorf("parameter reshaped in place to %v", prm.Value.Shape())
	}
	b := NewBuilder(newTestStore(tensor.Float64), BuilderConfig{})
	x, _ := b.Input("x", 2, 3)
	if _, err := Reshape(x, 4, 2); err == nil {
		t.Error("reshape to another size: no error")
	}
	// (6) → (6, 1) changes the rank although tensor.Shape.Eq calls the two equal.
	v, _ := b.Input("v", 6)
	col, err := Reshape(v, 6, 1)
	if err != nil || col.Dims() != 2 {
		t.Errorf("reshape (6) → (6, 1) gave %v, %v", col.Shape(), err)
	}
}
