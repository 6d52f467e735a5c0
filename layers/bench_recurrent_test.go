package layers

import (
	"math/rand/v2"
	"testing"
	"time"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Benchmarks of one training step (forward + backward) of the classic recurrent encoder: 2 layers of
// 128 then 64 units over batches of 256 sequences of 50 events with 32 features, in float32. The graph
// is built and compiled once; each iteration is one Program.Run. Reported besides ns/op: seq/s
// (sequences per second) and compile-s (seconds spent in graph.Compile for the unrolled T = 50 graph).
//
//	go test -run '^$' -bench 'LSTM|GRU' -benchtime 3x ./layers/

func BenchmarkLSTM(b *testing.B) { benchRecurrent(b, lstmKind) }
func BenchmarkGRU(b *testing.B)  { benchRecurrent(b, gruKind) }

func benchRecurrent(b *testing.B, kind recurrentKind) {
	const batch, steps, d = 256, 50, 32
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	layer, err := kind.build(s, "enc", RecurrentConfig{Input: d, Hiddens: []int{128, 64}})
	if err != nil {
		b.Fatal(err)
	}
	bld := graph.NewBuilder(s, graph.BuilderConfig{Train: true, Seed: 1})
	x, _ := bld.Input("x", batch, steps, d)
	mask, _ := bld.Input("mask", batch, steps)
	y, err := layer.Forward(bld, x, mask) // (B, 64)
	if err != nil {
		b.Fatal(err)
	}
	loss, err := gorgonia.Sum(y)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	p, err := graph.Compile(bld, loss)
	if err != nil {
		b.Fatal(err)
	}
	compile := time.Since(start)
	defer p.Close()

	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, batch*steps*d)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	lengths := make([]int, batch)
	for i := range lengths {
		lengths[i] = 1 + rng.IntN(steps)
	}
	if err := p.Set("x", xs); err != nil {
		b.Fatal(err)
	}
	if err := p.Set("mask", prefixMask(lengths, steps)); err != nil {
		b.Fatal(err)
	}
	runBenchmark(b, p, batch)
	b.ReportMetric(compile.Seconds(), "compile-s")
}
