package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/graph"
)

// TestLSTMTraceMatchesForward checks the plain-Go trace against the layer's own graph op: the top
// layer's hidden states of a two-layer stack, on two sequences of different lengths in one padded
// batch, must be the states Forward returns with ReturnSequence (float64, to 1e-12 relative).
func TestLSTMTraceMatchesForward(t *testing.T) {
	const d, steps = 3, 5
	lengths := []int{5, 3}
	cfg := LSTMConfig{Input: d, Hiddens: []int{4, 3}, ReturnSequence: true}
	s := newStore64(7)
	l, err := NewLSTM(s, "enc", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"enc.l0.b", "enc.l1.b"} { // biases away from their init, so every gate matters
		p, _ := s.Get(name)
		if err := s.SetValues(name, fixedValues(p.Value.Shape().TotalSize(), 0.3, 0.8)); err != nil {
			t.Fatal(err)
		}
	}
	x := fixedValues(len(lengths)*steps*d, 1.1, 1.5)
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	xn, err := b.Input("x", len(lengths), steps, d)
	if err != nil {
		t.Fatal(err)
	}
	mn, err := b.Input("mask", len(lengths), steps)
	if err != nil {
		t.Fatal(err)
	}
	y, err := l.Forward(b, xn, mn) // (B, T, H)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.Compile(b, nil, y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Set("x", x); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("mask", prefixMask(lengths, steps)); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	out := p.Output(0)
	const h = 3
	for i, n := range lengths {
		seq := make([][]float64, n)
		for st := range seq {
			seq[st] = x[(i*steps+st)*d : (i*steps+st+1)*d]
		}
		tr, err := l.Trace(s, seq)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Layers) != 2 || len(tr.Layers[1].H) != n {
			t.Fatalf("sequence %d: trace has %d layers, %d steps; want 2, %d", i, len(tr.Layers), len(tr.Layers[1].H), n)
		}
		for st := range n {
			for j := range h {
				got, want := tr.Layers[1].H[st][j], out[(i*steps+st)*h+j]
				if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) || want == 0 {
					t.Fatalf("sequence %d, step %d, unit %d: trace h = %.17g, Forward %.17g", i, st, j, got, want)
				}
			}
		}
		l0 := tr.Layers[0]
		for st := range n { // the gates are in range and the state follows its update rule
			for j := range 4 {
				cPrev := 0.0
				if st > 0 {
					cPrev = l0.C[st-1][j]
				}
				if c := l0.F[st][j]*cPrev + l0.I[st][j]*l0.G[st][j]; math.Abs(c-l0.C[st][j]) > 1e-15 {
					t.Fatalf("step %d unit %d: c = %g, want f·c + i·g = %g", st, j, l0.C[st][j], c)
				}
				for _, g := range []float64{l0.I[st][j], l0.F[st][j], l0.O[st][j]} {
					if !(g > 0 && g < 1) {
						t.Fatalf("step %d unit %d: gate %g outside (0, 1)", st, j, g)
					}
				}
			}
		}
	}
}

// TestLSTMTraceBadInput checks that an empty sequence, a wrong input size and a store without the
// layer's weights are errors naming the layer.
func TestLSTMTraceBadInput(t *testing.T) {
	s := newStore64(1)
	l, err := NewLSTM(s, "enc", LSTMConfig{Input: 2, Hidden: 3})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		store *graph.Store
		x     [][]float64
	}{
		"empty":       {s, nil},
		"input size":  {s, [][]float64{{1, 2}, {1, 2, 3}}},
		"other store": {newStore64(2), [][]float64{{1, 2}}},
	} {
		if _, err := l.Trace(c.store, c.x); err == nil || !strings.Contains(err.Error(), `"enc"`) {
			t.Errorf("%s: error %v, want one naming the layer", name, err)
		}
	}
}
