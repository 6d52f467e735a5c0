package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/graph"
)

func TestDenseGradients(t *testing.T) {
	for _, act := range []Activation{Linear, Tanh, Sigmoid, GELU, ReLU} {
		t.Run(string(act), func(t *testing.T) {
			s := newStore64(1)
			d, err := NewDense(s, "head", DenseConfig{Input: 4, Output: 3, Activation: act})
			if err != nil {
				t.Fatal(err)
			}
			// Give the bias non-zero values so ReLU's kink is away from the sampled points.
			s.SetValues("head.b", []float64{0.3, -0.2, 0.1})
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			x := paramInput(t, s, b, "x", fixedValues(2*5*4, 0.1, 1), 2, 5, 4)
			y, err := d.Forward(b, x)
			if err != nil {
				t.Fatal(err)
			}
			if got := y.Shape(); got[0] != 2 || got[1] != 5 || got[2] != 3 {
				t.Fatalf("output shape %v, want (2, 5, 3)", got)
			}
			checkAllLearnablesInStore(t, b)
			checkGrads(t, b, weightedLoss(t, y), nil)
		})
	}
}

func TestDenseMatchesHandComputation(t *testing.T) {
	s := newStore64(2)
	d, _ := NewDense(s, "d", DenseConfig{Input: 2, Output: 2, Activation: Tanh})
	s.SetValues("d.w", []float64{1, 2, 3, 4})
	s.SetValues("d.b", []float64{0.5, -0.5})
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 1, 2)
	y, _ := d.Forward(b, x)
	p, _ := graph.Compile(b, nil, y)
	defer p.Close()
	p.Set("x", []float64{0.1, -0.2})
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	// y = tanh([0.1·1 − 0.2·3 + 0.5, 0.1·2 − 0.2·4 − 0.5]) = tanh([0, −1.1])
	want := []float64{math.Tanh(0), math.Tanh(-1.1)}
	for i, v := range p.Output(0) {
		if math.Abs(v-want[i]) > 1e-15 {
			t.Errorf("y[%d] = %g, want %g", i, v, want[i])
		}
	}
}

func TestDenseBadInput(t *testing.T) {
	s := newStore64(3)
	if _, err := NewDense(s, "bad", DenseConfig{Input: 0, Output: 2}); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("zero input size: %v", err)
	}
	if _, err := NewDense(s, "bad2", DenseConfig{Input: 2, Output: 2, Activation: "swish"}); err == nil || !strings.Contains(err.Error(), "swish") {
		t.Errorf("unknown activation: %v", err)
	}
	d, _ := NewDense(s, "ok", DenseConfig{Input: 3, Output: 2})
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 4, 5)
	if _, err := d.Forward(b, x); err == nil || !strings.Contains(err.Error(), `"ok"`) || !strings.Contains(err.Error(), "(4, 5)") {
		t.Errorf("wrong feature size: %v", err)
	}
	if _, err := d.Forward(b, nil); err == nil {
		t.Error("nil input: no error")
	}
}
