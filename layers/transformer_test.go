package layers

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// TestTransformerGradients checks autodiff against central differences (float64, relative error ≤ 1e-6;
// the key bias as attnCheckGrads explains) for every parameter and the input of the post-norm and
// pre-norm blocks, with a mask that pads two of three sequences; one case uses GELU, one runs a training
// graph with dropout (the masks drawn once and held fixed by the check).
func TestTransformerGradients(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfg   TransformerConfig
		train bool
	}{
		{"post-norm", TransformerConfig{Dim: 4, Heads: 2, FF: 6}, false},
		{"pre-norm", TransformerConfig{Dim: 4, Heads: 2, FF: 6, PreNorm: true}, false},
		{"pre-norm-gelu", TransformerConfig{Dim: 4, Heads: 1, FF: 5, PreNorm: true, Activation: GELU}, false},
		{"post-norm-dropout", TransformerConfig{Dim: 4, Heads: 2, FF: 6, Dropout: 0.3}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStore64(11)
			blk, err := NewTransformerBlock(s, "enc", c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			attnFill(t, s, 0.8)
			b := graph.NewBuilder(s, graph.BuilderConfig{Train: c.train, Seed: 5})
			x := paramInput(t, s, b, "x", fixedValues(3*4*4, 0.3, 1.5), 3, 4, 4)
			mask, _ := b.Input("mask", 3, 4)
			z, err := blk.Forward(b, x, mask)
			if err != nil {
				t.Fatal(err)
			}
			checkAllLearnablesInStore(t, b)
			if got, want := len(b.Params()), 1+8+4+4; got != want {
				t.Errorf("graph uses %d parameters, want %d (x, attention 8, two norms 4, feed-forward 4)", got, want)
			}
			attnCheckGrads(t, b, weightedLoss(t, z), func(p *graph.Program) { p.Set("mask", prefixMask([]int{4, 2, 1}, 4)) })
		})
	}
}

// maskedRun builds layer kind ("mha", "post", "pre") on a fresh store of dtype dt with fixed weights, feeds
// one sequence of the given real events (3 × D) padded with garbage to steps, and returns the outputs
// at the real positions, the attention weights, and the gradients of L = Σ r ⊙ y (r zero at padding) with
// respect to every parameter and to x at the real positions.
func maskedRun(t *testing.T, dt tensor.Dtype, kind string, real []float64, steps int) (y, w []float64, grads map[string][]float64) {
	t.Helper()
	const d, n = 4, 3
	s := graph.NewStore(dt, rand.New(rand.NewPCG(12, 1)))
	var forward func(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error)
	switch kind {
	case "mha":
		a, err := NewMultiHeadAttention(s, "l", AttentionConfig{Dim: d, Heads: 2})
		if err != nil {
			t.Fatal(err)
		}
		forward = a.Forward
	default:
		blk, err := NewTransformerBlock(s, "l", TransformerConfig{Dim: d, Heads: 2, FF: 8, PreNorm: kind == "pre"})
		if err != nil {
			t.Fatal(err)
		}
		forward = blk.ForwardWeights
	}
	attnFill(t, s, 0.9)
	xv := append([]float64(nil), real...)
	xv = append(xv, fixedValues((steps-n)*d, 5.5, 3)...) // garbage at padded positions
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x := paramInput(t, s, b, "x", xv, 1, steps, d)
	mask, _ := b.Input("mask", 1, steps)
	yn, wn, err := forward(b, x, mask)
	if err != nil {
		t.Fatal(err)
	}
	r := append(fixedValues(n*d, 0.8, 1), make([]float64, (steps-n)*d)...)
	p, err := graph.Compile(b, attnLoss(t, yn, r), yn, wn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Set("mask", prefixMask([]int{n}, steps))
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	grads = map[string][]float64{}
	for _, prm := range b.Params() {
		g, err := p.Grad(prm.Name())
		if err != nil {
			t.Fatal(err)
		}
		grads[prm.Name()] = graph.Float64s(g)
	}
	grads["x"] = grads["x"][:n*d]
	return p.Output(0)[:n*d], append([]float64(nil), p.Output(1)...), grads
}

// TestAttentionMaskingIsExact: a sequence of 3 events padded (with garbage) to 5 gives bit-for-bit the
// same outputs at its real positions, the same parameter gradients and the same input gradient as the 3
// events alone — for attention and both blocks, in float64 and float32. The padded keys' exp(−1e9 − max)
// is exactly 0, so they add exact zeros to every sum. The padded run's weights are exactly 0 at the
// padded keys.
func TestAttentionMaskingIsExact(t *testing.T) {
	real := fixedValues(3*4, 0.15, 1.2)
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, kind := range []string{"mha", "post", "pre"} {
			y3, _, g3 := maskedRun(t, dt, kind, real, 3)
			y5, w5, g5 := maskedRun(t, dt, kind, real, 5)
			requireIdentical(t, dt.String()+" "+kind+" output", y3, y5)
			for name, g := range g3 {
				requireIdentical(t, dt.String()+" "+kind+" gradient of "+name, g, g5[name])
			}
			if len(g3) != len(g5) {
				t.Errorf("%v %s: %d vs %d gradients", dt, kind, len(g3), len(g5))
			}
			for i, v := range w5 {
				if key := i % 5; key >= 3 && v != 0 {
					t.Errorf("%v %s: weight %d at padded key %d is %g, want exactly 0", dt, kind, i, key, v)
				}
			}
		}
	}
}

func TestTransformerBadInput(t *testing.T) {
	s := newStore64(13)
	for _, cfg := range []TransformerConfig{
		{Dim: 0}, {Dim: 6, Heads: 4}, {Dim: 4, FF: -1}, {Dim: 4, Dropout: -0.1}, {Dim: 4, Activation: "swish"},
	} {
		if _, err := NewTransformerBlock(s, "bad", cfg); err == nil || !strings.Contains(err.Error(), `"bad"`) {
			t.Errorf("config %+v: error %v, want one naming the block", cfg, err)
		}
	}
	blk, err := NewTransformerBlock(s, "enc", TransformerConfig{Dim: 4, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if blk.Cfg.FF != 16 || blk.Cfg.Activation != ReLU || blk.Cfg.Heads != 2 {
		t.Errorf("defaults: FF %d, activation %q; want 16, relu", blk.Cfg.FF, blk.Cfg.Activation)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 2, 3, 4)
	mask, _ := b.Input("mask", 2, 3)
	wrongD, _ := b.Input("wrongD", 2, 3, 5)
	wrongMask, _ := b.Input("wrongMask", 3, 3)
	for _, c := range []struct {
		what    string
		x, mask *gorgonia.Node
	}{{"nil input", nil, mask}, {"nil mask", x, nil}, {"wrong width", wrongD, mask}, {"mask shape", x, wrongMask}} {
		if _, err := blk.Forward(b, c.x, c.mask); err == nil || !strings.Contains(err.Error(), `"enc"`) {
			t.Errorf("%s: error %v, want one naming the block", c.what, err)
		}
	}
}
