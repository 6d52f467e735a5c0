package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// AttentionPoolConfig configures attention pooling.
type AttentionPoolConfig struct {
	Dim    int // features D of the pooled sequence; required
	Hidden int // size H of the scoring layer; default Dim
}

// maskPenalty is subtracted from the scores of padded positions before the softmax. It is large enough
// that exp(s − penalty − max) is exactly 0 in float32 and float64, and small enough that s − penalty stays
// finite in float32 (an infinity would turn 0·∞ into NaN in the backward pass).
const maskPenalty = 1e9

// AttentionPool pools a padded sequence by learned attention weights (Bahdanau et al., 2015; the
// "attention pooling" of Yang et al., 2016, without the context projection):
//
//	s_bt = vᵀ tanh(x_bt·W + b)                                       scores          (B, T)
//	α_b  = softmax_t(s_bt − P·(1 − m_bt)) ⊙ m_b,  P = 1e9             weights         (B, T)
//	y_b  = Σ_t α_bt x_bt                                             pooled vector   (B, D)
//
// with W (D, H) Glorot-uniform, b (H) zero and v (H, 1) Glorot-uniform, stored as name.w, name.b, name.v.
// Padded positions get weight exactly 0 (their exponentials underflow to 0), the weights of a sequence sum
// to 1 over its real positions, and a row with no real position gets all-zero weights and y = 0. As for
// every pooling, padding values must be finite.
type AttentionPool struct {
	Name string
	Cfg  AttentionPoolConfig
}

// NewAttentionPool declares name.w, name.b and name.v in the store.
func NewAttentionPool(store *graph.Store, name string, cfg AttentionPoolConfig) (*AttentionPool, error) {
	if cfg.Hidden == 0 {
		cfg.Hidden = cfg.Dim
	}
	if cfg.Dim <= 0 || cfg.Hidden <= 0 {
		return nil, fmt.Errorf("attention pool %q: dimension %d and hidden size %d must be positive", name, cfg.Dim, cfg.Hidden)
	}
	for _, p := range []struct {
		name  string
		shape tensor.Shape
		init  graph.Initializer
	}{
		{"w", tensor.Shape{cfg.Dim, cfg.Hidden}, graph.GlorotUniform()},
		{"b", tensor.Shape{cfg.Hidden}, graph.Zeros()},
		{"v", tensor.Shape{cfg.Hidden, 1}, graph.GlorotUniform()},
	} {
		if _, err := store.Add(graph.Join(name, p.name), p.shape, p.init); err != nil {
			return nil, fmt.Errorf("attention pool %q: %w", name, err)
		}
	}
	return &AttentionPool{Name: name, Cfg: cfg}, nil
}

// Forward pools x (B, T, Dim) with mask (B, T): pooled (B, Dim), and the attention weights (B, T) for
// inspection (copy them out of the program before its next run).
func (a *AttentionPool) Forward(b *graph.Builder, x, mask *gorgonia.Node) (pooled, weights *gorgonia.Node, err error) {
	layer := fmt.Sprintf("attention pool %q", a.Name)
	if err := checkShape(layer, "input", x, -1, -1, a.Cfg.Dim); err != nil {
		return nil, nil, err
	}
	if err := checkMask(layer, x, mask); err != nil {
		return nil, nil, err
	}
	if weights, err = a.weights(b, x, mask); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", layer, err)
	}
	if pooled, err = weightedSum(x, weights); err != nil { // (B, D)
		return nil, nil, fmt.Errorf("%s: %w", layer, err)
	}
	return pooled, weights, nil
}

// weights computes α (B, T).
func (a *AttentionPool) weights(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	ps, err := layerParams(b, a.Name, "w", "b", "v")
	if err != nil {
		return nil, err
	}
	w, bias, v := ps[0], ps[1], ps[2]
	bs, steps := x.Shape()[0], x.Shape()[1]
	rows, err := graph.Reshape(x, bs*steps, a.Cfg.Dim) // (B·T, D)
	if err != nil {
		return nil, err
	}
	h, err := gorgonia.Mul(rows, w) // (B·T, H)
	if err != nil {
		return nil, err
	}
	if h, err = gorgonia.BroadcastAdd(h, bias, nil, []byte{0}); err != nil { // (B·T, H)
		return nil, err
	}
	if h, err = gorgonia.Tanh(h); err != nil { // (B·T, H)
		return nil, err
	}
	s, err := gorgonia.Mul(h, v) // (B·T, 1)
	if err != nil {
		return nil, err
	}
	if s, err = graph.Reshape(s, bs, steps); err != nil { // (B, T)
		return nil, err
	}
	pad, err := gorgonia.Sub(mask, scalar(b.G, 1, b.Dtype())) // (B, T): 0 at real positions, −1 at padding
	if err != nil {
		return nil, err
	}
	if s, err = gorgonia.Add(s, mulScalar(pad, maskPenalty, b.Dtype())); err != nil { // (B, T)
		return nil, err
	}
	alpha, err := Softmax(s) // (B, T)
	if err != nil {
		return nil, err
	}
	return gorgonia.HadamardProd(alpha, mask) // (B, T): zero for a row with no real position
}
