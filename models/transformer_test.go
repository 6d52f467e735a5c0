package models

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// tinyTransformer is a two-block encoder of width 4 small enough for a float64 gradient check; its 9
// positions cover the padding test's longer batches.
func tinyTransformer() *TransformerConfig {
	return &TransformerConfig{
		TransformerEncoderConfig: tinyTransformerEncoder(),
		Static:                   seqTinyStatic,
		Head:                     HeadConfig{Hidden: 3},
	}
}

func tinyTransformerEncoder() TransformerEncoderConfig {
	return TransformerEncoderConfig{Dim: 4, Heads: 2, Blocks: 2, FF: 4, MaxLen: 9, Items: true}
}

func TestTransformerGradients(t *testing.T) {
	checkModelGrads(t, "transformer", tinyTransformer(), tinyData(t, 40, 6), 8, 6)
}

// Pre-norm blocks with the final layer norm, and attention pooling, on the events alone.
//
// The step is 1e-6, not the default 1e-5: one learned position's central difference carries a large
// truncation error here (a steep third derivative through two softmaxes). Measured on this batch, the
// relative error of position.p[7] falls as ε² — 2.3e-2, 2.3e-4, 2.3e-6, 1.9e-8 at ε = 1e-3…1e-6 — which
// is the difference formula's error, not autodiff's; the tolerance stays 1e-6.
func TestTransformerGradientsPreNormAttentionPool(t *testing.T) {
	cfg := tinyTransformer()
	cfg.Blocks, cfg.PreNorm, cfg.Pool, cfg.SequenceOnly = 1, true, PoolAttention, true
	checkModelGrads(t, "transformer", cfg, tinyData(t, 40, 6), 8, 6, graph.GradCheck{Eps: 1e-6, Tol: 1e-6})
}

func TestTransformerLearnablesInStore(t *testing.T) {
	d := tinyData(t, 40, 6)
	cfg := tinyTransformer()
	cfg.Dropout, cfg.PreNorm, cfg.Pool = 0.5, true, PoolAttention
	bl := build(t, "transformer", cfg, d, tensor.Float32, 8, 6, true)
	checkAllLearnablesInStore(t, bl.b)
}

func TestTransformerLossFalls(t *testing.T) {
	seqLossFalls(t, "transformer", &TransformerConfig{
		TransformerEncoderConfig: TransformerEncoderConfig{Dim: 16, Heads: 2, Blocks: 1, FF: 32, MaxLen: 10},
		Head:                     HeadConfig{Hidden: 16},
	})
}

// Padded keys get exactly zero attention and pooling weight, and right padding leaves every real
// event at its position, so the learned positions do not move: the probabilities are bit-for-bit equal
// at 6 and at 9 positions, for every pooling and both norm placements.
func TestTransformerPaddingExact(t *testing.T) {
	for _, pool := range []string{PoolMean, PoolAttention, PoolLast} {
		for _, pre := range []bool{false, true} {
			cfg := tinyTransformer()
			cfg.Pool, cfg.PreNorm = pool, pre
			seqPaddingExact(t, "transformer", cfg)
		}
	}
}

// The attention weights of every block reach Internals: each query's weights over the keys sum to 1,
// and padded keys get exactly 0.
func TestTransformerAttentionInternals(t *testing.T) {
	d := tinyData(t, 40, 6)
	const batch, maxLen, heads = 8, 9, 2
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(3, 4)))
	m, err := New("transformer", store, &d.Schema, tinyTransformer())
	if err != nil {
		t.Fatal(err)
	}
	b := graph.NewBuilder(store, graph.BuilderConfig{})
	in, err := NewInputs(b, &d.Schema, m.Needs(), batch, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Forward(b, in)
	if err != nil {
		t.Fatal(err)
	}
	w0, w1 := out.Internals["attention.block0"], out.Internals["attention.block1"]
	if w0 == nil || w1 == nil || len(out.Internals) != 2 {
		t.Fatalf("internals %v, want attention.block0 and attention.block1", out.Internals)
	}
	if want := (tensor.Shape{batch * heads, maxLen, maxLen}); !w1.Shape().Eq(want) {
		t.Fatalf("attention weights have shape %v, want %v", w1.Shape(), want)
	}
	p, bat := runFirstBatch(t, b, in, d, w0, w1)
	for blk := range 2 {
		w := p.Output(blk)
		for r := range batch * heads {
			row := r / heads
			for i := range maxLen {
				sum := 0.0
				for j := range maxLen {
					a := w[(r*maxLen+i)*maxLen+j]
					if bat.Mask[row*maxLen+j] == 0 && a != 0 {
						t.Fatalf("block %d: sequence %d query %d puts weight %g on padded key %d", blk, row, i, a, j)
					}
					sum += a
				}
				if math.Abs(sum-1) > 1e-12 {
					t.Fatalf("block %d: sequence %d query %d: weights sum to %.15f", blk, row, i, sum)
				}
			}
		}
	}
}

// A batch longer than the learned positions is an error naming max_len, not a panic at run time.
func TestTransformerTooLong(t *testing.T) {
	d := tinyData(t, 10, 6)
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(3, 4)))
	m, err := New("transformer", store, &d.Schema, tinyTransformer())
	if err != nil {
		t.Fatal(err)
	}
	b := graph.NewBuilder(store, graph.BuilderConfig{})
	in, err := NewInputs(b, &d.Schema, m.Needs(), 4, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Forward(b, in); err == nil || !strings.Contains(err.Error(), "max_len 9") {
		t.Errorf("10 positions with max_len 9: error %v, want one naming max_len", err)
	}
}

func TestTransformerConfigJSON(t *testing.T) {
	seqConfigJSON(t, "transformer")
}

func TestTransformerBadConfig(t *testing.T) {
	bad := func(f func(c *TransformerConfig)) *TransformerConfig {
		c := tinyTransformer()
		f(c)
		return c
	}
	seqBadConfigs(t, "transformer", map[string]any{
		"dim 6 is not a multiple of heads 4": bad(func(c *TransformerConfig) { c.Dim, c.Heads = 6, 4 }),
		`pool "max"`:                         bad(func(c *TransformerConfig) { c.Pool = "max" }),
		"blocks -1":                          bad(func(c *TransformerConfig) { c.Blocks = -1 }),
		"ff -4":                              bad(func(c *TransformerConfig) { c.FF = -4 }),
		"dropout 1.5":                        bad(func(c *TransformerConfig) { c.Dropout = 1.5 }),
	})
}
