package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// LayerNormConfig configures layer normalisation.
type LayerNormConfig struct {
	Size int     // features D; required
	Eps  float64 // added to the variance; default 1e-5 (PyTorch's)
}

// LayerNorm normalises each feature vector over its D features (Ba, Kiros & Hinton, 2016):
//
//	μ = mean(x),  σ² = mean((x − μ)²)  (biased, as PyTorch)
//	y = γ ⊙ (x − μ) / √(σ² + ε) + β
//
// x is (B, D) or (B, T, D); γ (D) starts at 1 and β (D) at 0.
type LayerNorm struct {
	Name string
	Cfg  LayerNormConfig
}

var _ Layer = (*LayerNorm)(nil)

// NewLayerNorm declares name.gamma and name.beta in the store.
func NewLayerNorm(store *graph.Store, name string, cfg LayerNormConfig) (*LayerNorm, error) {
	if cfg.Size <= 0 {
		return nil, fmt.Errorf("layernorm %q: size %d must be positive", name, cfg.Size)
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-5
	}
	if cfg.Eps < 0 {
		return nil, fmt.Errorf("layernorm %q: eps %g must be positive", name, cfg.Eps)
	}
	if _, err := store.Add(graph.Join(name, "gamma"), tensor.Shape{cfg.Size}, graph.Constant(1)); err != nil {
		return nil, fmt.Errorf("layernorm %q: %w", name, err)
	}
	if _, err := store.Add(graph.Join(name, "beta"), tensor.Shape{cfg.Size}, graph.Zeros()); err != nil {
		return nil, fmt.Errorf("layernorm %q: %w", name, err)
	}
	return &LayerNorm{Name: name, Cfg: cfg}, nil
}

// Forward adds the normalisation to b's graph. It is one fused op (layernorm_ops.go) with a
// hand-written gradient, which computes what the equations above compute.
func (l *LayerNorm) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.forward(b, x, nil)
}

// forwardResidual adds LN(x + res), the residual sum of a post-norm block fused into the norm.
func (l *LayerNorm) forwardResidual(b *graph.Builder, x, res *gorgonia.Node) (*gorgonia.Node, error) {
	if res == nil || x == nil || !res.Shape().Eq(x.Shape()) || res.Dtype() != x.Dtype() {
		return nil, fmt.Errorf("layernorm %q: residual does not match the input", l.Name)
	}
	return l.forward(b, x, res)
}

func (l *LayerNorm) forward(b *graph.Builder, x, res *gorgonia.Node) (*gorgonia.Node, error) {
	d := l.Cfg.Size
	if x == nil || (x.Dims() != 2 && x.Dims() != 3) || x.Shape()[x.Dims()-1] != d {
		var s tensor.Shape
		if x != nil {
			s = x.Shape()
		}
		return nil, fmt.Errorf("layernorm %q: input has shape %v, want (B, %d) or (B, T, %d)", l.Name, s, d, d)
	}
	wrap := func(err error) error { return fmt.Errorf("layernorm %q: %w", l.Name, err) }
	gamma, err := b.Param(graph.Join(l.Name, "gamma"))
	if err != nil {
		return nil, wrap(err)
	}
	beta, err := b.Param(graph.Join(l.Name, "beta"))
	if err != nil {
		return nil, wrap(err)
	}
	y, err := layerNorm(x, res, gamma, beta, l.Cfg.Eps) // same shape as x
	if err != nil {
		return nil, wrap(err)
	}
	return y, nil
}
