package layers

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph"
)

// TestSoftmaxLargeLogits: rows with large logits stay finite and equal the definition computed in float64
// with the maximum subtracted (an independent computation here).
func TestSoftmaxLargeLogits(t *testing.T) {
	rows := [][]float64{{100, 0, 0}, {0, 0, 100}, {-1000, 0, 1000}, {1e4, 1e4, -1e4}, {88, 89, 90}}
	s := newStore64(1)
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", len(rows), 3)
	y, err := Softmax(x)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := graph.Compile(b, nil, y)
	defer p.Close()
	var in []float64
	for _, r := range rows {
		in = append(in, r...)
	}
	p.Set("x", in)
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		m := math.Max(r[0], math.Max(r[1], r[2]))
		var z float64
		for _, v := range r {
			z += math.Exp(v - m)
		}
		for j, v := range r {
			got := p.Output(0)[i*3+j]
			want := math.Exp(v-m) / z
			if math.IsNaN(got) || math.IsInf(got, 0) || math.Abs(got-want) > 1e-15 {
				t.Errorf("softmax(%v)[%d] = %g, want %g", r, j, got, want)
			}
		}
	}
}

func TestSoftmaxGradients(t *testing.T) {
	s := newStore64(2)
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x := paramInput(t, s, b, "x", fixedValues(2*3*4, 0.5, 3), 2, 3, 4)
	y, err := Softmax(x)
	if err != nil {
		t.Fatal(err)
	}
	checkGrads(t, b, weightedLoss(t, y), nil)
}

// TestGorgoniaSoftMaxBug documents why intentlab has its own softmax: Gorgonia's SoftMax (tensor v0.9.24)
// is not finite on [100, 0, 0]. If this starts to fail, the upstream bug is fixed and the note in
// softmax.go should change.
func TestGorgoniaSoftMaxBug(t *testing.T) {
	s := newStore64(3)
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 1, 3)
	y, err := gorgonia.SoftMax(x)
	if err != nil {
		t.Skipf("gorgonia.SoftMax: %v", err)
	}
	p, _ := graph.Compile(b, nil, y)
	defer p.Close()
	p.Set("x", []float64{100, 0, 0})
	if err := p.Run(); err != nil {
		t.Skipf("gorgonia.SoftMax run: %v", err)
	}
	finite := true
	for _, v := range p.Output(0) {
		finite = finite && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	if finite {
		t.Logf("gorgonia.SoftMax is finite on [100,0,0] here: %v", p.Output(0))
	} else {
		t.Logf("gorgonia.SoftMax gives %v on [100,0,0]; layers.Softmax is used instead", p.Output(0))
	}
}
