package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// HeadConfig configures the classifier on top of an encoder.
type HeadConfig struct {
	Hidden  int     `json:"hidden,omitempty"`  // width of the hidden ReLU layer; default 64; −1 for a linear head
	Dropout float64 `json:"dropout,omitempty"` // dropout before the output layer, training only; default 0
}

// Head maps an encoding (B, D) to one logit per row:
//
//	z = W2·Drop(relu(W1·x + b1)) + b2   (B)
//
// or z = W·x + b when Hidden is −1. Parameters: name.hidden.{w,b}, name.out.{w,b}.
type Head struct {
	Name   string
	hidden *layers.Dense
	drop   *layers.Dropout
	out    *layers.Dense
}

// NewHead declares a head reading input features.
func NewHead(store *graph.Store, name string, input int, cfg HeadConfig) (*Head, error) {
	if cfg.Hidden < -1 {
		return nil, fmt.Errorf("head %q: hidden width %d (want > 0, 0 for the default 64, or −1 for none)", name, cfg.Hidden)
	}
	if cfg.Hidden == 0 {
		cfg.Hidden = 64
	}
	h := &Head{Name: name}
	var err error
	width := input
	if cfg.Hidden > 0 {
		if h.hidden, err = layers.NewDense(store, graph.Join(name, "hidden"), layers.DenseConfig{Input: input, Output: cfg.Hidden, Activation: layers.ReLU}); err != nil {
			return nil, err
		}
		width = cfg.Hidden
	}
	if h.drop, err = layers.NewDropout(graph.Join(name, "dropout"), cfg.Dropout); err != nil {
		return nil, err
	}
	if h.out, err = layers.NewDense(store, graph.Join(name, "out"), layers.DenseConfig{Input: width, Output: 1}); err != nil {
		return nil, err
	}
	return h, nil
}

// Forward returns the logit (B) of x (B, D).
func (h *Head) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	var err error
	if h.hidden != nil {
		if x, err = h.hidden.Forward(b, x); err != nil { // (B, Hidden)
			return nil, fmt.Errorf("head %q: %w", h.Name, err)
		}
	}
	if x, err = h.drop.Forward(b, x); err != nil { // (B, Hidden)
		return nil, fmt.Errorf("head %q: %w", h.Name, err)
	}
	z, err := h.out.Forward(b, x) // (B, 1)
	if err != nil {
		return nil, fmt.Errorf("head %q: %w", h.Name, err)
	}
	return headLogit(z) // (B)
}

// withStatic appends the static vector of in to an encoding (B, D), giving (B, D + static.Dim); a nil
// static returns x unchanged. Sequence models use it so that what only the static features carry (the
// visitor, whether the session went on) reaches their head.
func withStatic(b *graph.Builder, in *Inputs, static *Static, x *gorgonia.Node) (*gorgonia.Node, error) {
	if static == nil {
		return x, nil
	}
	s, err := static.Forward(b, in) // (B, S)
	if err != nil {
		return nil, err
	}
	return gorgonia.Concat(1, x, s) // (B, D + S)
}
