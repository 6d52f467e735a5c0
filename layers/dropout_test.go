package layers

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph"
)

func TestDropoutTrainAndEval(t *testing.T) {
	const n = 20000
	s := newStore64(1)
	d, err := NewDropout("drop", 0.3)
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	run := func(train bool, seed uint64) []float64 {
		b := graph.NewBuilder(s, graph.BuilderConfig{Train: train, Seed: seed})
		x, _ := b.Input("x", 1, n)
		y, err := d.Forward(b, x)
		if err != nil {
			t.Fatal(err)
		}
		if !train && y != x {
			t.Fatal("evaluation dropout is not the identity node")
		}
		y2 := gorgonia.Must(gorgonia.Tanh(y)) // a node after dropout, so the program has an op
		p, _ := graph.Compile(b, nil, y)
		_ = y2
		defer p.Close()
		p.Set("x", ones)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), p.Output(0)...)
	}
	y := run(true, 7)
	var dropped int
	var mean float64
	for _, v := range y {
		switch {
		case v == 0:
			dropped++
		case math.Abs(v-1/0.7) > 1e-12:
			t.Fatalf("kept unit scaled to %g, want 1/0.7", v)
		}
		mean += v / n
	}
	// Binomial(20000, 0.3): sd ≈ 65 units; allow 5 sd.
	if math.Abs(float64(dropped)-0.3*n) > 5*math.Sqrt(n*0.3*0.7) {
		t.Errorf("dropped %d of %d, want about %d", dropped, n, int(0.3*n))
	}
	if math.Abs(mean-1) > 0.03 {
		t.Errorf("mean after inverted dropout %g, want ≈ 1", mean)
	}
	if again := run(true, 7); !equalSlices(y, again) {
		t.Error("same seed gives different masks")
	}
	if other := run(true, 8); equalSlices(y, other) {
		t.Error("different seeds give the same mask")
	}
	run(false, 7)
	if _, err := NewDropout("bad", 1); err == nil {
		t.Error("rate 1 accepted")
	}
}
