package train

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// BenchmarkTrainStep measures one training step of each architecture with its registered defaults —
// forward, backward and an Adam update — on a fixed batch of 256 synthetic sessions, float32, at
// T = 20 (the default synthetic window) and T = 50:
//
//	go test -run '^$' -bench TrainStep -benchtime 5x ./train
//
// It reports sequences per second and the allocations of a step; graph compilation is outside the
// timing.
func BenchmarkTrainStep(b *testing.B) {
	for _, T := range []int{20, 50} {
		d, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: 512, Window: T, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		pre, err := datasets.Fit(d, datasets.PreprocessConfig{})
		if err != nil {
			b.Fatal(err)
		}
		if d, err = pre.Apply(d); err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"logreg", "mlp", "cnn", "lstm", "gru", "transformer", "fusion"} {
			b.Run(fmt.Sprintf("%s/T=%d", name, T), func(b *testing.B) { benchmarkStep(b, name, d, 256, T) })
		}
	}
}

func benchmarkStep(b *testing.B, name string, d *datasets.Dataset, batch, maxLen int) {
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	m, err := models.New(name, store, &d.Schema, nil)
	if err != nil {
		b.Fatal(err)
	}
	bld := graph.NewBuilder(store, graph.BuilderConfig{Train: true, Seed: 3})
	in, err := models.NewInputs(bld, &d.Schema, m.Needs(), batch, maxLen)
	if err != nil {
		b.Fatal(err)
	}
	out, err := m.Forward(bld, in)
	if err != nil {
		b.Fatal(err)
	}
	loss, err := models.Loss(in, out, nil)
	if err != nil {
		b.Fatal(err)
	}
	prog, err := graph.Compile(bld, loss)
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: batch, MaxLen: maxLen})
	if err != nil {
		b.Fatal(err)
	}
	first, _ := bt.Next()
	if err := in.Feed(prog, first); err != nil {
		b.Fatal(err)
	}
	opt, err := NewOptimizer(OptimizerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	params := store.Params()
	grads := make([]tensor.Tensor, len(params))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := prog.Run(); err != nil {
			b.Fatal(err)
		}
		for j, p := range params {
			grads[j] = nil
			if g, err := prog.Grad(p.Name); err == nil {
				grads[j] = g
			}
		}
		if err := opt.Step(params, grads, 1e-3); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "seq/s")
	b.ReportMetric(float64(store.Size()), "params")
}

// BenchmarkPredict measures scoring with a model's evaluation graph (registered defaults, float32,
// T = 20): one session at a time (the real-time case: latency per session) and batches of 512
// (throughput):
//
//	go test -run '^$' -bench Predict -benchtime 20x ./train
func BenchmarkPredict(b *testing.B) {
	d, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: 512, Window: 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	pre, err := datasets.Fit(d, datasets.PreprocessConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if d, err = pre.Apply(d); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"logreg", "cnn", "lstm", "gru", "transformer", "fusion"} {
		for _, batch := range []int{1, 512} {
			b.Run(fmt.Sprintf("%s/batch=%d", name, batch), func(b *testing.B) {
				store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
				m, err := models.New(name, store, &d.Schema, nil)
				if err != nil {
					b.Fatal(err)
				}
				p, err := NewPredictor(m, &d.Schema, batch, 20)
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				one := d.Subset([]int{0})
				if batch > 1 {
					one = d
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := p.Predict(one); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(len(one.Sessions)*b.N)/b.Elapsed().Seconds(), "sessions/s")
			})
		}
	}
}
