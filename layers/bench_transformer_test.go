package layers

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// BenchmarkTransformerBlock times one forward + backward pass (loss Σ r ⊙ z) of a post-norm
// TransformerBlock in float32 at batch 256, length 50, d_model 64, 4 heads, FF 256 (evaluation graph: no
// dropout), with a mask whose lengths vary from 1 to 50. The graph and program are built once and run
// once untimed; only the later runs are timed. It reports sequences per second.
//
//	go test -run '^$' -bench Transformer -benchtime 3x ./layers/
func BenchmarkTransformerBlock(b *testing.B) {
	const batch, steps, dim, heads, ff = 256, 50, 64, 4, 256
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 1)))
	blk, err := NewTransformerBlock(s, "enc", TransformerConfig{Dim: dim, Heads: heads, FF: ff})
	if err != nil {
		b.Fatal(err)
	}
	g := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := g.Input("x", batch, steps, dim)
	mask, _ := g.Input("mask", batch, steps)
	z, err := blk.Forward(g, x, mask)
	if err != nil {
		b.Fatal(err)
	}
	rn, _ := g.Input("r", batch, steps, dim) // loss weights: an input, as a constant Gorgonia would hash by printing it
	prod, err := gorgonia.HadamardProd(z, rn)
	if err != nil {
		b.Fatal(err)
	}
	loss, err := gorgonia.Sum(prod)
	if err != nil {
		b.Fatal(err)
	}
	p, err := graph.Compile(g, loss)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	rng := rand.New(rand.NewPCG(2, 2))
	xv := make([]float64, batch*steps*dim)
	for i := range xv {
		xv[i] = rng.NormFloat64()
	}
	lengths := make([]int, batch)
	for i := range lengths {
		lengths[i] = 1 + i%steps
	}
	r := make([]float64, batch*steps*dim)
	for i := range r {
		r[i] = float64(i%7) - 3
	}
	if err := p.Set("r", r); err != nil {
		b.Fatal(err)
	}
	if err := p.Set("x", xv); err != nil {
		b.Fatal(err)
	}
	if err := p.Set("mask", prefixMask(lengths, steps)); err != nil {
		b.Fatal(err)
	}
	runBenchmark(b, p, batch)
}
