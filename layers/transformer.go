package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph"
)

// TransformerConfig configures one Transformer encoder block.
type TransformerConfig struct {
	Dim        int        // model width D; required; a multiple of Heads
	Heads      int        // attention heads; default 1
	FF         int        // hidden width of the feed-forward network; default 4·Dim
	Dropout    float64    // dropout rate, training graphs only; default 0
	PreNorm    bool       // layer norm before each sub-layer (GPT-2) instead of after the residual sum (the original)
	Activation Activation // of the feed-forward network; default (empty) ReLU, as the original and PyTorch; "linear" for none
}

// TransformerBlock is one encoder block of the Transformer (Vaswani et al., 2017): self-attention and a
// position-wise feed-forward network FF(u) = act(u·W1 + b1)·W2 + b2, each with a residual connection and
// layer normalisation. On x (B, T, D) with mask (B, T):
//
//	post-norm (default, the original paper):  y = LN1(x + Drop(MHA(x)));   z = LN2(y + Drop(FF(y)))
//	pre-norm  (PreNorm, GPT-2):               y = x + Drop(MHA(LN1(x)));   z = y + Drop(FF(LN2(y)))
//
// Dropout sits where PyTorch's nn.TransformerEncoderLayer puts it: besides the two Drop above, on the
// attention weights and on FF's hidden activations. With Dropout 0 the block computes what
// TransformerEncoderLayer(dropout=0, batch_first=True, norm_first=PreNorm) computes (tested to 1e-4 in
// float32 against fixtures from PyTorch 1.13). A pre-norm stack wants a final LayerNorm after its last
// block, as GPT-2 has; that belongs to the model. Parameters: name.attn.* (MultiHeadAttention),
// name.ln1.*, name.ln2.* (LayerNorm), name.ff1.* (D→FF), name.ff2.* (FF→D). Outputs at padded
// positions are finite but meaningless.
type TransformerBlock struct {
	Name     string
	Cfg      TransformerConfig
	attn     *MultiHeadAttention
	ln1, ln2 *LayerNorm
	ff1, ff2 *Dense
	drop     *Dropout
}

var _ SeqLayer = (*TransformerBlock)(nil)

// NewTransformerBlock declares the block's parameters in the store.
func NewTransformerBlock(store *graph.Store, name string, cfg TransformerConfig) (*TransformerBlock, error) {
	if cfg.FF == 0 {
		cfg.FF = 4 * cfg.Dim
	}
	if cfg.Activation == "" {
		cfg.Activation = ReLU
	}
	if cfg.FF < 0 {
		return nil, fmt.Errorf("transformer %q: feed-forward width %d must be positive", name, cfg.FF)
	}
	if err := cfg.Activation.Validate(); err != nil {
		return nil, fmt.Errorf("transformer %q: %w", name, err)
	}
	wrap := func(err error) error { return fmt.Errorf("transformer %q: %w", name, err) }
	attn, err := NewMultiHeadAttention(store, graph.Join(name, "attn"), AttentionConfig{Dim: cfg.Dim, Heads: cfg.Heads, Dropout: cfg.Dropout})
	if err != nil {
		return nil, wrap(err)
	}
	cfg.Heads = attn.Cfg.Heads
	blk := &TransformerBlock{Name: name, Cfg: cfg, attn: attn}
	if blk.ln1, err = NewLayerNorm(store, graph.Join(name, "ln1"), LayerNormConfig{Size: cfg.Dim}); err != nil {
		return nil, wrap(err)
	}
	if blk.ln2, err = NewLayerNorm(store, graph.Join(name, "ln2"), LayerNormConfig{Size: cfg.Dim}); err != nil {
		return nil, wrap(err)
	}
	if blk.ff1, err = NewDense(store, graph.Join(name, "ff1"), DenseConfig{Input: cfg.Dim, Output: cfg.FF, Activation: cfg.Activation}); err != nil {
		return nil, wrap(err)
	}
	if blk.ff2, err = NewDense(store, graph.Join(name, "ff2"), DenseConfig{Input: cfg.FF, Output: cfg.Dim}); err != nil {
		return nil, wrap(err)
	}
	if blk.drop, err = NewDropout(graph.Join(name, "drop"), cfg.Dropout); err != nil {
		return nil, wrap(err)
	}
	return blk, nil
}

// Forward adds the block to b's graph: x (B, T, D), mask (B, T) → z (B, T, D).
func (blk *TransformerBlock) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	z, _, err := blk.ForwardWeights(b, x, mask)
	return z, err
}

// ForwardWeights is Forward that also returns the block's attention weights (B·H, T, T), laid out as
// MultiHeadAttention.Forward documents, for attention heatmaps.
func (blk *TransformerBlock) ForwardWeights(b *graph.Builder, x, mask *gorgonia.Node) (z, weights *gorgonia.Node, err error) {
	name := fmt.Sprintf("transformer %q", blk.Name)
	if err := checkSequence(name, b, x, mask, blk.Cfg.Dim); err != nil {
		return nil, nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("%s: %w", name, err) }
	// Every sub-layer but attention treats positions independently; all of them read (B, T, D) as the
	// (B, T, D) rows, without a reshape.
	y, err := blk.sub(b, x, blk.ln1, func(u *gorgonia.Node) (*gorgonia.Node, error) {
		out, w, err := blk.attn.forwardFlat(b, u, mask) // (B, T, D), (B·H, T, T)
		weights = w
		return out, err
	})
	if err != nil {
		return nil, nil, wrap(err)
	}
	z, err = blk.sub(b, y, blk.ln2, func(u *gorgonia.Node) (*gorgonia.Node, error) {
		hid, err := blk.ff1.Forward(b, u) // (B, T, FF)
		if err != nil {
			return nil, err
		}
		if hid, err = blk.drop.Forward(b, hid); err != nil { // (B, T, FF)
			return nil, err
		}
		return blk.ff2.Forward(b, hid) // (B, T, D)
	})
	if err != nil {
		return nil, nil, wrap(err)
	}
	return z, weights, nil
}

// sub adds one residual sub-layer f on u (B, T, D): u + Drop(f(LN(u))) with PreNorm, else
// LN(u + Drop(f(u))).
func (blk *TransformerBlock) sub(b *graph.Builder, u *gorgonia.Node, norm *LayerNorm, f func(*gorgonia.Node) (*gorgonia.Node, error)) (*gorgonia.Node, error) {
	in := u
	if blk.Cfg.PreNorm {
		var err error
		if in, err = norm.Forward(b, u); err != nil { // (B, T, D)
			return nil, err
		}
	}
	fu, err := f(in) // (B, T, D)
	if err != nil {
		return nil, err
	}
	if fu, err = blk.drop.Forward(b, fu); err != nil { // (B, T, D)
		return nil, err
	}
	if blk.Cfg.PreNorm {
		return gorgonia.Add(u, fu) // (B, T, D)
	}
	return norm.forwardResidual(b, u, fu) // (B, T, D): LN(u + fu), the sum fused into the norm
}
