package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// DenseConfig configures a fully connected layer.
type DenseConfig struct {
	Input, Output int        // feature sizes; both required
	Activation    Activation // applied after the affine map; default Linear
	NoBias        bool       // drop the bias b
}

// Dense is a fully connected layer: y = act(x·W + b), with W (in, out) initialised Glorot-uniform
// (He-normal before a ReLU) and b zero. x is (B, in) or (B, T, in); y has the same leading dims and out
// features.
type Dense struct {
	Name string
	Cfg  DenseConfig
}

var _ Layer = (*Dense)(nil)

// NewDense declares name.w (and name.b) in the store.
func NewDense(store *graph.Store, name string, cfg DenseConfig) (*Dense, error) {
	if cfg.Input <= 0 || cfg.Output <= 0 {
		return nil, fmt.Errorf("dense %q: sizes %d→%d must be positive", name, cfg.Input, cfg.Output)
	}
	if err := cfg.Activation.Validate(); err != nil {
		return nil, fmt.Errorf("dense %q: %w", name, err)
	}
	init := graph.GlorotUniform()
	if cfg.Activation == ReLU {
		init = graph.HeNormal()
	}
	if _, err := store.Add(graph.Join(name, "w"), tensor.Shape{cfg.Input, cfg.Output}, init); err != nil {
		return nil, fmt.Errorf("dense %q: %w", name, err)
	}
	if !cfg.NoBias {
		if _, err := store.Add(graph.Join(name, "b"), tensor.Shape{cfg.Output}, graph.Zeros()); err != nil {
			return nil, fmt.Errorf("dense %q: %w", name, err)
		}
	}
	return &Dense{Name: name, Cfg: cfg}, nil
}

// Forward adds y = act(x·W + b) to b's graph.
func (d *Dense) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil || (x.Dims() != 2 && x.Dims() != 3) || x.Shape()[x.Dims()-1] != d.Cfg.Input {
		var s tensor.Shape
		if x != nil {
			s = x.Shape()
		}
		return nil, fmt.Errorf("dense %q: input has shape %v, want (B, %d) or (B, T, %d)", d.Name, s, d.Cfg.Input, d.Cfg.Input)
	}
	w, err := b.Param(graph.Join(d.Name, "w"))
	if err != nil {
		return nil, fmt.Errorf("dense %q: %w", d.Name, err)
	}
	y, err := rowsMatMul(x, w) // (N, out) or (B, T, out)
	if err != nil {
		return nil, fmt.Errorf("dense %q: %w", d.Name, err)
	}
	var bias *gorgonia.Node
	if !d.Cfg.NoBias {
		if bias, err = b.Param(graph.Join(d.Name, "b")); err != nil {
			return nil, fmt.Errorf("dense %q: %w", d.Name, err)
		}
	}
	if y, err = biasAct(y, bias, d.Cfg.Activation); err != nil { // same shape: act(x·W + b), one fused op
		return nil, fmt.Errorf("dense %q: %w", d.Name, err)
	}
	return y, nil
}
