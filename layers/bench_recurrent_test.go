package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Benchmarks of one training step (forward + backward) of the classic recurrent encoder: 2 layers of
// 128 then 64 units over batches of 256 sequences of 50 events with 32 features, in float32. The graph
// is built and compiled once and run once untimed; each iteration is one Program.Run. Reported besides
// ns/op: seq/s (sequences per second) and compile-s (seconds spent in graph.Compile for the T = 50 graph).
//
//	go test -run '^$' -bench 'LSTM|GRU' -benchtime 3x ./layers/

func BenchmarkLSTM(b *testing.B) { benchRecurrent(b, lstmKind) }
func BenchmarkGRU(b *testing.B)  { benchRecurrent(b, gruKind) }

// BenchmarkLSTMCompile and BenchmarkGRUCompile time building and compiling the same training graph
// (forward, loss and gradients) at T = 50 and 100: one iteration is one graph.Compile.
func BenchmarkLSTMCompile(b *testing.B) { benchRecurrentCompile(b, lstmKind) }
func BenchmarkGRUCompile(b *testing.B)  { benchRecurrentCompile(b, gruKind) }

const benchBatch, benchFeatures = 256, 32

// recurrentTrainGraph builds the benchmark's training graph over T steps and compiles it, returning
// the program and the time graph.Compile took.
func recurrentTrainGraph(b *testing.B, kind recurrentKind, steps int) (*graph.Program, time.Duration) {
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	layer, err := kind.build(s, "enc", RecurrentConfig{Input: benchFeatures, Hiddens: []int{128, 64}})
	if err != nil {
		b.Fatal(err)
	}
	bld := graph.NewBuilder(s, graph.BuilderConfig{Train: true, Seed: 1})
	x, _ := bld.Input("x", benchBatch, steps, benchFeatures)
	mask, _ := bld.Input("mask", benchBatch, steps)
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
	return p, time.Since(start)
}

func benchRecurrentCompile(b *testing.B, kind recurrentKind) {
	for _, steps := range []int{50, 100} {
		b.Run(fmt.Sprintf("T=%d", steps), func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				p, took := recurrentTrainGraph(b, kind, steps)
				total += took
				p.Close()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "compile-s")
		})
	}
}

func benchRecurrent(b *testing.B, kind recurrentKind) {
	const batch, steps, d = benchBatch, 50, benchFeatures
	p, compile := recurrentTrainGraph(b, kind, steps)
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
	runBenchmark(b, p, batch) // after one untimed run
	b.ReportMetric(compile.Seconds(), "compile-s")
}
