package layers

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// TestOpsSplitAcrossGoroutines runs one training program — LSTM (128 then 64 units, dropout between
// them) → Transformer block (dropout) → GRU and mean pool → GELU dense — at GOMAXPROCS 1 and 4 and
// requires the same output and parameter gradients, in float64 and float32. The other tests' shapes
// are too small for forRows to start goroutines (it needs 2·2¹⁴ elements of work for two); these are
// large enough that every fused op splits at GOMAXPROCS 4: at B = 128, T = 6 the first LSTM layer's rows
// are B·4H = 65536 elements (4 workers), the second's and the GRU's 32768 and 36864 (2), the attention
// pairs B·heads·T²·d = 512·576 (4), LayerNorm and the feed-forward rows B·T·D = 49152 and 98304 (3, 4),
// and the sgemm products split too. Each worker writes only its own rows, so the results must not
// depend on the split (exactly, with the default BLAS). A run on another input comes between the two, so
// that a row the split left out would show.
func TestOpsSplitAcrossGoroutines(t *testing.T) {
	if testing.Short() {
		t.Skip("a larger program than the other tests")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const bs, steps, d = 128, 6, 16
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		p, s := splitTestProgram(t, dt, bs, steps, d)
		lengths := make([]int, bs)
		for i := range lengths {
			lengths[i] = 1 + (i*5)%steps
		}
		noise, err := p.Builder().NoiseState()
		if err != nil {
			t.Fatal(err)
		}
		run := func(procs int, x []float64) []float64 {
			runtime.GOMAXPROCS(procs)
			if err := p.Builder().SetNoiseState(noise); err != nil { // the same dropout masks each run
				t.Fatal(err)
			}
			if err := p.Set("x", x); err != nil {
				t.Fatal(err)
			}
			if err := p.Set("mask", prefixMask(lengths, steps)); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			out := append([]float64(nil), p.Output(0)...)
			for _, prm := range s.Params() {
				g, err := p.Grad(prm.Name)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, graph.Float64s(g)...)
			}
			return out
		}
		xa, xb := fixedValues(bs*steps*d, 0.4, 1), fixedValues(bs*steps*d, 1.9, 1)
		serial := run(1, xa)
		run(1, xb) // every op's buffers now hold another input's values, which a row left out would keep
		requireIdentical(t, fmt.Sprintf("%v: 4 goroutines against 1", dt), run(4, xa), serial)
		p.Close()
	}
}

// splitTestProgram builds TestOpsSplitAcrossGoroutines's training program with its output and loss.
func splitTestProgram(t *testing.T, dt tensor.Dtype, bs, steps, d int) (*graph.Program, *graph.Store) {
	t.Helper()
	s := graph.NewStore(dt, rand.New(rand.NewPCG(5, 6)))
	lstm, err := NewLSTM(s, "lstm", LSTMConfig{Input: d, Hiddens: []int{128, 64}, Dropout: 0.2, ReturnSequence: true})
	if err != nil {
		t.Fatal(err)
	}
	blk, err := NewTransformerBlock(s, "blk", TransformerConfig{Dim: 64, Heads: 4, FF: 128, Dropout: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	gru, err := NewGRU(s, "gru", GRUConfig{Input: 64, Hidden: 96})
	if err != nil {
		t.Fatal(err)
	}
	head, err := NewDense(s, "head", DenseConfig{Input: 96 + 64, Output: 3, Activation: GELU})
	if err != nil {
		t.Fatal(err)
	}
	must := mustNode(t)
	b := graph.NewBuilder(s, graph.BuilderConfig{Train: true, Seed: 9})
	x := must(b.Input("x", bs, steps, d))
	mask := must(b.Input("mask", bs, steps))
	h := must(lstm.Forward(b, x, mask))                                // (B, T, 64)
	z := must(blk.Forward(b, h, mask))                                 // (B, T, 64)
	last := must(gru.Forward(b, z, mask))                              // (B, 96)
	pooled := must(MeanPool(b, z, mask))                               // (B, 64)
	y := must(head.Forward(b, must(gorgonia.Concat(1, last, pooled)))) // (B, 3)
	p, err := graph.Compile(b, weightedLoss(t, y), y)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}
