package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// tinyData is a small preprocessed synthetic dataset with small vocabularies (10 items, 3 categories),
// so that a float64 gradient check over every parameter element stays quick.
func tinyData(t testing.TB, sessions, window int) *datasets.Dataset {
	t.Helper()
	d, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: sessions, Window: window, Seed: 11, NumItems: 10, NumCategories: 3})
	if err != nil {
		t.Fatal(err)
	}
	return preprocessed(t, d)
}

// tabularData is a small dataset with static features only (the synthetic data without its events).
func tabularData(t testing.TB, sessions int) *datasets.Dataset {
	t.Helper()
	d := tinyData(t, sessions, 6)
	d.Schema.HasSequence = false
	d.Schema.EventTypes, d.Schema.NumItems, d.Schema.NumCategories = nil, 0, 0
	for i := range d.Sessions {
		d.Sessions[i].Events = nil
	}
	return d
}

func preprocessed(t testing.TB, d *datasets.Dataset) *datasets.Dataset {
	t.Helper()
	p, err := datasets.Fit(d, datasets.PreprocessConfig{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Apply(d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// built is one model compiled with its loss on a batch shape.
type built struct {
	model Model
	in    *Inputs
	out   *Outputs
	b     *graph.Builder
	prog  *graph.Program
}

// build constructs the named model (cfg nil: defaults) on a fresh store of dtype, and compiles a graph
// of batch rows with the loss and every output probability.
func build(t testing.TB, name string, cfg any, d *datasets.Dataset, dtype tensor.Dtype, batch, maxLen int, train bool) *built {
	t.Helper()
	store := graph.NewStore(dtype, rand.New(rand.NewPCG(3, 4)))
	m, err := New(name, store, &d.Schema, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := graph.NewBuilder(store, graph.BuilderConfig{Train: train, Seed: 5})
	in, err := NewInputs(b, &d.Schema, m.Needs(), batch, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Forward(b, in)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := Loss(in, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.Compile(b, loss, out.Probs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &built{model: m, in: in, out: out, b: b, prog: p}
}

// feedFirst fills the program's inputs with the first batch of d (in dataset order).
func (bl *built) feedFirst(t testing.TB, d *datasets.Dataset) {
	t.Helper()
	if err := bl.in.Feed(bl.prog, firstBatch(t, d, bl.in.Batch, bl.in.MaxLen)); err != nil {
		t.Fatal(err)
	}
}

// firstBatch is the first batch of d, in dataset order.
func firstBatch(t testing.TB, d *datasets.Dataset, batch, maxLen int) *datasets.Batch {
	t.Helper()
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: batch, MaxLen: maxLen})
	if err != nil {
		t.Fatal(err)
	}
	bat, _ := bt.Next()
	return bat
}

// runFirstBatch compiles a forward-only program of nodes on b, runs it on the first batch of d, and
// returns the program (closed when the test ends) and the batch.
func runFirstBatch(t testing.TB, b *graph.Builder, in *Inputs, d *datasets.Dataset, nodes ...*gorgonia.Node) (*graph.Program, *datasets.Batch) {
	t.Helper()
	p, err := graph.Compile(b, nil, nodes...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	bat := firstBatch(t, d, in.Batch, in.MaxLen)
	if err := in.Feed(p, bat); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return p, bat
}

// checkModelGrads runs the float64 central-difference check (relative error ≤ 1e-6, graph.GradCheck's
// defaults, or the settings given) on every parameter of the named model, with its loss, on the first
// batch of d.
func checkModelGrads(t *testing.T, name string, cfg any, d *datasets.Dataset, batch, maxLen int, check ...graph.GradCheck) {
	t.Helper()
	bl := build(t, name, cfg, d, tensor.Float64, batch, maxLen, false)
	bl.feedFirst(t, d)
	gc := graph.GradCheck{Tol: 1e-6}
	if len(check) > 0 {
		gc = check[0]
	}
	report, err := graph.CheckGradients(bl.prog, gc)
	if err != nil {
		t.Fatal(err)
	}
	if len(report) != bl.model.Store().Len() {
		t.Errorf("checked %d parameters, the store has %d", len(report), bl.model.Store().Len())
	}
	worst := 0.0
	for _, r := range report {
		worst = math.Max(worst, r.RelError)
	}
	t.Logf("%s: %d parameters, worst relative error %.2g", name, len(report), worst)
}

// checkAllLearnablesInStore fails when a graph variable is neither a declared input nor a store parameter.
func checkAllLearnablesInStore(t *testing.T, b *graph.Builder) {
	t.Helper()
	if err := b.CheckLearnables(); err != nil {
		t.Error(err)
	}
}

// lossFalls trains the named model with plain Adam (lr, β = 0.9/0.999) for the given epochs over d in
// float32, and returns the mean training loss of the first and of the last epoch.
func lossFalls(t *testing.T, name string, cfg any, d *datasets.Dataset, batch, maxLen, epochs int, lr float64) (first, last float64) {
	t.Helper()
	bl := build(t, name, cfg, d, tensor.Float32, batch, maxLen, true)
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: batch, MaxLen: maxLen, Shuffle: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	params := bl.model.Store().Params()
	m1 := make([][]float64, len(params))
	m2 := make([][]float64, len(params))
	step := 0
	for e := 0; e < epochs; e++ {
		sum, n := 0.0, 0
		for batch, ok := bt.Next(); ok; batch, ok = bt.Next() {
			if err := bl.in.Feed(bl.prog, batch); err != nil {
				t.Fatal(err)
			}
			if err := bl.prog.Run(); err != nil {
				t.Fatal(err)
			}
			sum += bl.prog.Loss()
			n++
			step++
			for i, p := range params {
				g, err := bl.prog.Grad(p.Name)
				if err != nil {
					continue // a parameter this graph does not use
				}
				gv := graph.Float64s(g)
				w := graph.Float64s(p.Value)
				if m1[i] == nil {
					m1[i], m2[i] = make([]float64, len(w)), make([]float64, len(w))
				}
				c1 := 1 - math.Pow(0.9, float64(step))
				c2 := 1 - math.Pow(0.999, float64(step))
				for j := range w {
					m1[i][j] = 0.9*m1[i][j] + 0.1*gv[j]
					m2[i][j] = 0.999*m2[i][j] + 0.001*gv[j]*gv[j]
					w[j] -= lr * (m1[i][j] / c1) / (math.Sqrt(m2[i][j]/c2) + 1e-8)
				}
				if err := graph.CopyFrom(p.Value, w); err != nil {
					t.Fatal(err)
				}
			}
		}
		if e == 0 {
			first = sum / float64(n)
		}
		last = sum / float64(n)
	}
	t.Logf("%s: mean training loss %.4f in epoch 1, %.4f in epoch %d", name, first, last, epochs)
	return first, last
}
