package layers

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// reuseModel declares a small sequence model on s — embedding → LSTM (all states) → Transformer block →
// mean pool → dense — and returns a function that builds and compiles one program of it with its loss:
// the layers whose graphs use the most Gorgonia machinery (slices, reshapes, custom ops, broadcasts).
// Each call builds a new graph on the same store, so the programs share the weights.
func reuseModel(t *testing.T, s *graph.Store, bs, steps int) func() *graph.Program {
	t.Helper()
	emb, err := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 12, Dim: 6})
	if err != nil {
		t.Fatal(err)
	}
	lstm, err := NewLSTM(s, "lstm", LSTMConfig{Input: 6, Hidden: 8, ReturnSequence: true})
	if err != nil {
		t.Fatal(err)
	}
	blk, err := NewTransformerBlock(s, "blk", TransformerConfig{Dim: 8, Heads: 2, FF: 16})
	if err != nil {
		t.Fatal(err)
	}
	head, err := NewDense(s, "head", DenseConfig{Input: 8, Output: 1, Activation: Sigmoid})
	if err != nil {
		t.Fatal(err)
	}
	must := mustNode(t)
	return func() *graph.Program {
		b := graph.NewBuilder(s, graph.BuilderConfig{})
		ids := must(b.IntInput("ids", bs, steps))
		mask := must(b.Input("mask", bs, steps))
		y := must(b.Input("y", bs, 1))
		x := must(emb.Forward(b, ids))                           // (B, T, 6)
		h := must(lstm.Forward(b, x, mask))                      // (B, T, 8)
		z := must(blk.Forward(b, h, mask))                       // (B, T, 8)
		pooled := must(MeanPool(b, z, mask))                     // (B, 8)
		p := must(head.Forward(b, pooled))                       // (B, 1)
		diff := must(gorgonia.Sub(p, y))                         // (B, 1)
		loss := must(gorgonia.Mean(must(gorgonia.Square(diff)))) // ()
		prog, err := graph.Compile(b, loss, p)
		if err != nil {
			t.Fatal(err)
		}
		return prog
	}
}

func reuseFeed(t *testing.T, p *graph.Program, bs, steps int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	ids := make([]int, bs*steps)
	mask := make([]float64, bs*steps)
	y := make([]float64, bs)
	for i := 0; i < bs; i++ {
		n := 1 + rng.IntN(steps)
		for j := 0; j < n; j++ {
			ids[i*steps+j] = 1 + rng.IntN(11)
			mask[i*steps+j] = 1
		}
		y[i] = float64(rng.IntN(2))
	}
	if err := p.SetInts("ids", ids); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("mask", mask); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("y", y); err != nil {
		t.Fatal(err)
	}
}

// TestProgramReuseAcrossLayers runs one compiled program of the sequence layers 100 times: the heap does
// not grow (Gorgonia's issues report leaks around TapeMachine.Reset), no run changes a parameter, every
// run gives the same loss, prediction and gradients, and they equal those of a fresh program built on
// the same store (so no register aliasing carries state from one run to the next).
func TestProgramReuseAcrossLayers(t *testing.T) {
	const bs, steps = 4, 6
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(3, 4)))
	build := reuseModel(t, s, bs, steps)
	p := build()
	defer p.Close()
	reuseFeed(t, p, bs, steps)
	weights := map[string][]float64{}
	for _, prm := range s.Params() {
		weights[prm.Name] = graph.Float64s(prm.Value)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var first []float64
	var firstLoss float64
	var before uint64
	for i := 0; i < 100; i++ {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = append([]float64(nil), p.Output(0)...)
			firstLoss = p.Loss()
		} else if !equalSlices(first, p.Output(0)) || p.Loss() != firstLoss {
			t.Fatalf("run %d: output %v loss %g, first run %v loss %g", i, p.Output(0), p.Loss(), first, firstLoss)
		}
		if i == 9 {
			before = heap()
		}
	}
	after := heap()
	// 90 runs; the program's own per-run garbage is collected, so a real leak shows as steady growth.
	// One leaked copy of the smallest gradient per run would already add 90 × 32 B; allow 256 KiB of noise.
	if after > before+256<<10 {
		t.Errorf("heap grew from %d to %d bytes over 90 runs", before, after)
	}
	for _, prm := range s.Params() {
		if !equalSlices(weights[prm.Name], graph.Float64s(prm.Value)) {
			t.Errorf("running the program changed parameter %q", prm.Name)
		}
	}
	grads := map[string][]float64{}
	for _, prm := range s.Params() {
		grads[prm.Name] = gradValues(t, p, prm.Name)
	}
	fresh := build()
	defer fresh.Close()
	reuseFeed(t, fresh, bs, steps)
	if err := fresh.Run(); err != nil {
		t.Fatal(err)
	}
	if !equalSlices(first, fresh.Output(0)) || fresh.Loss() != firstLoss {
		t.Errorf("fresh program: output %v loss %g, reused program %v loss %g", fresh.Output(0), fresh.Loss(), first, firstLoss)
	}
	for name, g := range grads {
		requireIdentical(t, "gradient of "+name, gradValues(t, fresh, name), g)
	}
}
