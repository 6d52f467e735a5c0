package train

import (
	"fmt"
	"testing"

	"github.com/intentlab/intentlab/datasets"
)

// BenchmarkTrainStep measures one training step of each architecture with its registered defaults —
// forward, backward and an Adam update — on a fixed batch of 256 synthetic sessions, float32, at
// T = 20 (the default synthetic window) and T = 50:
//
//	go test -run '^$' -bench TrainStep -benchtime 5x ./train
//
// It reports sequences per second and the allocations of a step; graph compilation and one first step
// are outside the timing.
func BenchmarkTrainStep(b *testing.B) {
	for _, T := range []int{20, 50} {
		d, err := BenchData(512, T, 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"logreg", "mlp", "cnn", "lstm", "gru", "transformer", "fusion"} {
			b.Run(fmt.Sprintf("%s/T=%d", name, T), func(b *testing.B) { benchmarkStep(b, name, d, 256, T) })
		}
	}
}

func benchmarkStep(b *testing.B, name string, d *datasets.Dataset, batch, maxLen int) {
	m, err := NewBenchModel(name, &d.Schema, nil)
	if err != nil {
		b.Fatal(err)
	}
	st, err := NewStepper(m, d, batch, maxLen)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// One untimed step first: the ops allocate their buffers on the first run and reuse them after, so
	// the allocations reported are those of every later step.
	if err := st.Step(1e-3); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := st.Step(1e-3); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "seq/s")
	b.ReportMetric(float64(m.Store().Size()), "params")
}

// BenchmarkPredict measures scoring with a model's evaluation graph (registered defaults, float32,
// T = 20): one session at a time (the real-time case: latency per session) and batches of 512
// (throughput):
//
//	go test -run '^$' -bench Predict -benchtime 20x ./train
func BenchmarkPredict(b *testing.B) {
	d, err := BenchData(512, 20, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"logreg", "cnn", "lstm", "gru", "transformer", "fusion"} {
		for _, batch := range []int{1, 512} {
			b.Run(fmt.Sprintf("%s/batch=%d", name, batch), func(b *testing.B) {
				m, err := NewBenchModel(name, &d.Schema, nil)
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
