package layers

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Benchmarks of one forward+backward run, float32, at a training shape: B = 64 sequences of T = 50
// events, 64 features. The graph and program are built once; the loop times Program.Run.

const benchB, benchT, benchD = 64, 50, 64

func benchRun(b *testing.B, gb *graph.Builder, y *gorgonia.Node, feed func(p *graph.Program)) {
	sum, err := gorgonia.Sum(y)
	if err != nil {
		b.Fatal(err)
	}
	p, err := graph.Compile(gb, sum)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	feed(p)
	runBenchmark(b, p, benchB)
}

func benchSeqInput(b *testing.B, s *graph.Store) (*graph.Builder, *gorgonia.Node, *gorgonia.Node, func(p *graph.Program)) {
	gb := graph.NewBuilder(s, graph.BuilderConfig{Train: true})
	x, _ := gb.Input("x", benchB, benchT, benchD)
	mask, _ := gb.Input("mask", benchB, benchT)
	lengths := make([]int, benchB)
	for i := range lengths {
		lengths[i] = 1 + (i*7)%benchT
	}
	return gb, x, mask, func(p *graph.Program) {
		p.Set("x", fixedValues(benchB*benchT*benchD, 0.3, 1))
		p.Set("mask", prefixMask(lengths, benchT))
	}
}

func BenchmarkConv1D(b *testing.B) {
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 1)))
	c, _ := NewConv1D(s, "conv", Conv1DConfig{In: benchD, Out: benchD, Kernel: 3, Activation: ReLU})
	gb, x, mask, feed := benchSeqInput(b, s)
	y, err := c.Forward(gb, x, mask)
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, gb, y, feed)
}

func BenchmarkAttentionPool(b *testing.B) {
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 1)))
	a, _ := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: benchD})
	gb, x, mask, feed := benchSeqInput(b, s)
	y, _, err := a.Forward(gb, x, mask)
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, gb, y, feed)
}

// BenchmarkEmbedding looks up B·T ids in a 10,000 × 64 table. Gorgonia's ByIndices gradient is a dense
// table-sized tensor, so the cost grows with the vocabulary, not only with B·T.
func BenchmarkEmbedding(b *testing.B) {
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 1)))
	e, _ := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 10000, Dim: benchD})
	gb := graph.NewBuilder(s, graph.BuilderConfig{Train: true})
	ids, _ := gb.IntInput("ids", benchB, benchT)
	y, err := e.Forward(gb, ids)
	if err != nil {
		b.Fatal(err)
	}
	vals := make([]int, benchB*benchT)
	for i := range vals {
		vals[i] = (i * 7919) % 10000
	}
	benchRun(b, gb, y, func(p *graph.Program) { p.SetInts("ids", vals) })
}
