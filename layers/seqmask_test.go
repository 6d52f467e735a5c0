package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Test helpers shared by the embedding, convolution, pooling and positional tests.

// gradValues returns the gradient of the named parameter from p's last run, as float64.
func gradValues(t *testing.T, p *graph.Program, name string) []float64 {
	t.Helper()
	g, err := p.Grad(name)
	if err != nil {
		t.Fatal(err)
	}
	return graph.Float64s(g)
}

// requireClose fails unless |got − want| ≤ tol element by element.
func requireClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// seqRun is a layer's output and the gradient of every store parameter (the layer's and the input "x")
// after one forward and backward run of weightedLoss.
type seqRun struct {
	out   []float64
	grads map[string][]float64
}

// runSeqLayer builds a layer on a fresh store of dtype dt (seeded, so two calls draw the same weights),
// feeds it one sequence x (1, steps, d) whose first `real` positions are real, and runs forward and
// backward of weightedLoss of its output.
func runSeqLayer(t *testing.T, dt tensor.Dtype, build func(*graph.Store) (SeqLayer, error), d, steps, real int, x []float64) seqRun {
	t.Helper()
	s := graph.NewStore(dt, rand.New(rand.NewPCG(5, 6)))
	layer, err := build(s)
	if err != nil {
		t.Fatal(err)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	xn := paramInput(t, s, b, "x", x, 1, steps, d)
	mask, _ := b.Input("mask", 1, steps)
	y, err := layer.Forward(b, xn, mask)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.Compile(b, weightedLoss(t, y), y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Set("mask", prefixMask([]int{real}, steps)); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	// A run must not write into its inputs (Gorgonia can, through views and in-place ops).
	if m, _ := b.Lookup("mask"); !equalSlices(graph.Float64s(m.Value().(tensor.Tensor)), prefixMask([]int{real}, steps)) {
		t.Fatalf("the run changed the mask input")
	}
	stored := append([]float64(nil), x...)
	for i, v := range stored {
		if dt == tensor.Float32 {
			stored[i] = float64(float32(v))
		}
	}
	if prm, _ := s.Get("x"); !equalSlices(graph.Float64s(prm.Value), stored) {
		t.Fatalf("the run changed the input x")
	}
	r := seqRun{out: append([]float64(nil), p.Output(0)...), grads: map[string][]float64{}}
	for _, prm := range b.Params() {
		r.grads[prm.Name()] = gradValues(t, p, prm.Name())
	}
	return r
}

// TestSeqLayersDegenerateShapes builds and runs (forward and backward) every layer of this group on
// sizes of 1, where Gorgonia tends to turn matrices into vectors, and checks the output shapes.
func TestSeqLayersDegenerateShapes(t *testing.T) {
	for _, sh := range [][3]int{{1, 1, 1}, {2, 1, 3}, {1, 4, 1}, {3, 2, 1}} {
		bs, steps, d := sh[0], sh[1], sh[2]
		builds := map[string]func(s *graph.Store) (SeqLayer, int, error){
			"conv same": func(s *graph.Store) (SeqLayer, int, error) {
				c, err := NewConv1D(s, "c", Conv1DConfig{In: d, Out: 1, Kernel: 3})
				return c, 3, err
			},
			"conv causal": func(s *graph.Store) (SeqLayer, int, error) {
				c, err := NewConv1D(s, "c", Conv1DConfig{In: d, Out: 2, Kernel: 2, Causal: true})
				return c, 3, err
			},
			"mean": func(*graph.Store) (SeqLayer, int, error) { return poolFunc(MeanPool), 2, nil },
			"last": func(*graph.Store) (SeqLayer, int, error) { return poolFunc(LastPool), 2, nil },
			"attention": func(s *graph.Store) (SeqLayer, int, error) {
				a, err := NewAttentionPool(s, "a", AttentionPoolConfig{Dim: d, Hidden: 1})
				return attnPoolOut{a}, 2, err
			},
			"attention weights": func(s *graph.Store) (SeqLayer, int, error) {
				a, err := NewAttentionPool(s, "a", AttentionPoolConfig{Dim: d})
				return attnPoolAlpha{a}, 2, err
			},
			"positional": func(s *graph.Store) (SeqLayer, int, error) {
				l, err := NewLearnedPositional(s, "p", PositionalConfig{MaxLen: 4, Dim: d})
				return poolFunc(func(b *graph.Builder, x, _ *gorgonia.Node) (*gorgonia.Node, error) { return l.Forward(b, x) }), 3, err
			},
		}
		for name, build := range builds {
			t.Run(fmt.Sprintf("%s/%v", name, sh), func(t *testing.T) {
				s := newStore64(1)
				layer, rank, err := build(s)
				if err != nil {
					t.Fatal(err)
				}
				b := graph.NewBuilder(s, graph.BuilderConfig{})
				x := paramInput(t, s, b, "x", fixedValues(bs*steps*d, 0.5, 1), bs, steps, d)
				mask, _ := b.Input("mask", bs, steps)
				y, err := layer.Forward(b, x, mask)
				if err != nil {
					t.Fatal(err)
				}
				if y.Dims() != rank || y.Shape()[0] != bs || (rank == 3 && y.Shape()[1] != steps) {
					t.Fatalf("output shape %v for input (%d, %d, %d)", y.Shape(), bs, steps, d)
				}
				p, err := graph.Compile(b, weightedLoss(t, y), y)
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				p.Set("mask", prefixMask(append(make([]int, bs-1), steps), steps)[:bs*steps])
				if err := p.Run(); err != nil {
					t.Fatal(err)
				}
				if math.IsNaN(p.Loss()) {
					t.Fatal("loss is NaN")
				}
			})
		}
	}
}
