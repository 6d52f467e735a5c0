package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph"
)

// AttentionConfig configures multi-head self-attention.
type AttentionConfig struct {
	Dim     int     // model width D; required; must be a multiple of Heads
	Heads   int     // number of heads H; default 1
	Dropout float64 // dropout on the attention weights, training graphs only; default 0
	Causal  bool    // also hide later keys from each query (j > i); default false
}

// MultiHeadAttention is scaled dot-product self-attention with H heads (Vaswani et al., 2017, "Attention
// is all you need"), with a key-padding mask. For x (B, T, D), d = D/H and each head h:
//
//	Q = x·Wq + bq,  K = x·Wk + bk,  V = x·Wv + bv               (B, T, D), split into H heads of width d
//	S_h = Q_h·K_hᵀ/√d + (1 − mask_key)·(−1e9)                   (B, H, T, T)
//	A_h = softmax(S_h) over the keys;  C_h = Drop(A_h)·V_h       (B, H, T, d)
//	y = concat_h(C_h)·Wo + bo                                    (B, T, D)
//
// With Causal, keys j > i get the −1e9 too. Between the projections, two fused ops with hand-written
// gradients (attention_fused.go) compute A from Q and K, and C from A and V, reading the heads where the
// projections put them. Padded keys get exactly zero weight: exp(−1e9 − row max) underflows
// to 0 in float32 and float64, so a padded sequence computes bit for bit what the unpadded one does.
// Queries at padded positions attend to the real keys as any query does; their outputs are finite but
// meaningless, and downstream pooling masks them. A sequence with no real event at all gets finite,
// meaningless outputs too. The parameters are name.q.w, name.q.b, name.k.*, name.v.*, name.o.*
// (weights (D, D) in the (in, out) layout, Glorot-uniform; biases zero).
type MultiHeadAttention struct {
	Name       string
	Cfg        AttentionConfig
	q, k, v, o *Dense
	drop       *Dropout
}

// NewMultiHeadAttention declares the four projections in the store.
func NewMultiHeadAttention(store *graph.Store, name string, cfg AttentionConfig) (*MultiHeadAttention, error) {
	if cfg.Heads == 0 {
		cfg.Heads = 1
	}
	if cfg.Dim <= 0 || cfg.Heads < 0 || cfg.Dim%cfg.Heads != 0 {
		return nil, fmt.Errorf("attention %q: dim %d must be a positive multiple of heads %d", name, cfg.Dim, cfg.Heads)
	}
	drop, err := NewDropout(graph.Join(name, "drop"), cfg.Dropout)
	if err != nil {
		return nil, fmt.Errorf("attention %q: %w", name, err)
	}
	a := &MultiHeadAttention{Name: name, Cfg: cfg, drop: drop}
	for _, p := range []struct {
		d    **Dense
		part string
	}{{&a.q, "q"}, {&a.k, "k"}, {&a.v, "v"}, {&a.o, "o"}} {
		if *p.d, err = NewDense(store, graph.Join(name, p.part), DenseConfig{Input: cfg.Dim, Output: cfg.Dim}); err != nil {
			return nil, fmt.Errorf("attention %q: %w", name, err)
		}
	}
	return a, nil
}

// Forward adds self-attention over x (B, T, D) with mask (B, T) (1 real, 0 padding) to b's graph. It
// returns y (B, T, D) and the attention weights A (B·H, T, T) before dropout: A[b·H+h, i, j] is the
// weight that query i of sequence b puts on key j in head h (the memory layout of (B, H, T, T)). Each
// row sums to 1 and is exactly 0 at padded keys. Copy the weights (keep them as a program output) before
// the next run.
func (a *MultiHeadAttention) Forward(b *graph.Builder, x, mask *gorgonia.Node) (y, weights *gorgonia.Node, err error) {
	name := fmt.Sprintf("attention %q", a.Name)
	if err := checkSequence(name, b, x, mask, a.Cfg.Dim); err != nil {
		return nil, nil, err
	}
	return a.forwardFlat(b, x, mask) // (B, T, D), (B·H, T, T)
}

// forwardFlat is Forward on flat, the sequence x (B, T, D) already checked, or the same flattened to
// (B·T, D); y has flat's shape. Every op on the way reads either layout, so no reshape copies.
func (a *MultiHeadAttention) forwardFlat(b *graph.Builder, flat, mask *gorgonia.Node) (y, weights *gorgonia.Node, err error) {
	wrap := func(err error) error { return fmt.Errorf("attention %q: %w", a.Name, err) }
	var proj [3]*gorgonia.Node
	for i, p := range []*Dense{a.q, a.k, a.v} {
		if proj[i], err = p.Forward(b, flat); err != nil { // (B·T, D) or (B, T, D)
			return nil, nil, wrap(err)
		}
	}
	if weights, err = attnProbs(proj[0], proj[1], mask, a.Cfg.Heads, a.Cfg.Causal); err != nil { // (B·H, T, T)
		return nil, nil, wrap(err)
	}
	drop, err := a.drop.Mask(b, weights.Shape()) // (B·H, T, T), or nil: no dropout
	if err != nil {
		return nil, nil, wrap(err)
	}
	merged, err := attnContext(weights, proj[2], mask, drop, a.Cfg.Heads) // flat's shape
	if err != nil {
		return nil, nil, wrap(err)
	}
	if y, err = a.o.Forward(b, merged); err != nil { // flat's shape
		return nil, nil, wrap(err)
	}
	return y, weights, nil
}

// checkSequence checks that x is (B, T, d), mask (B, T), both of the store's dtype.
func checkSequence(name string, b *graph.Builder, x, mask *gorgonia.Node, d int) error {
	if err := checkShape(name, "input", x, -1, -1, d); err != nil {
		return err
	}
	if err := checkMask(name, x, mask); err != nil {
		return err
	}
	if x.Dtype() != b.Dtype() || mask.Dtype() != b.Dtype() {
		return fmt.Errorf("%s: input %v and mask %v must have the store's dtype %v", name, x.Dtype(), mask.Dtype(), b.Dtype())
	}
	return nil
}
