package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// RecurrentConfig configures a stack of recurrent layers (LSTMConfig and GRUConfig are this type).
type RecurrentConfig struct {
	Input  int // features D of the input sequence; required
	Hidden int // state size H of every layer, at least 2; required unless Hiddens is set
	Layers int // number of stacked layers; default 1

	// Hiddens, if set, lists the state size of each layer (e.g. {128, 64}); then Hidden and Layers may be
	// left zero, and if set they must agree with it (Hiddens[0] and len(Hiddens)).
	//
	// Sizes of 1 are refused, and Forward refuses a batch of one sequence with one feature: the unrolled
	// graphs of earlier versions could not use them (Gorgonia turns a one-element slice into a scalar),
	// and the rule is kept so that a configuration valid once stays valid.
	Hiddens []int

	Dropout        float64 // dropout rate on the states passed from one layer to the next, training only; default 0
	ReturnSequence bool    // Forward returns every state (B, T, H) instead of the last valid one (B, H)
}

// sizes returns the state size of each layer, or an error naming the layer kind and name.
func (c RecurrentConfig) sizes(kind, name string) ([]int, error) {
	if c.Input <= 0 {
		return nil, fmt.Errorf("%s %q: input size %d must be positive", kind, name, c.Input)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		return nil, fmt.Errorf("%s %q: dropout %g must be in [0, 1)", kind, name, c.Dropout)
	}
	hs := c.Hiddens
	switch {
	case len(hs) > 0:
		if c.Hidden != 0 && c.Hidden != hs[0] {
			return nil, fmt.Errorf("%s %q: hidden %d disagrees with hiddens %v", kind, name, c.Hidden, hs)
		}
		if c.Layers != 0 && c.Layers != len(hs) {
			return nil, fmt.Errorf("%s %q: layers %d disagrees with hiddens %v", kind, name, c.Layers, hs)
		}
	case c.Layers < 0:
		return nil, fmt.Errorf("%s %q: layers %d must be positive", kind, name, c.Layers)
	default:
		hs = make([]int, max(c.Layers, 1))
		for i := range hs {
			hs[i] = c.Hidden
		}
	}
	for l, h := range hs {
		if h < 2 {
			return nil, fmt.Errorf("%s %q: hidden size %d of layer %d must be at least 2", kind, name, h, l)
		}
	}
	return append([]int(nil), hs...), nil
}

// layerName is the store prefix of layer l of a stack: "enc.lstm" → "enc.lstm.l0".
func layerName(name string, l int) string { return graph.Join(name, fmt.Sprintf("l%d", l)) }

// stackLayer adds layer l of a stack to b's graph: x (B, T, D_l), mask (B, T) → every state (B, T, H_l),
// or with last set only the state at step T (B, H_l).
type stackLayer func(b *graph.Builder, l int, x, mask *gorgonia.Node, last bool) (*gorgonia.Node, error)

// recurrentParam is one parameter of a recurrent layer, declared under the layer's prefix.
type recurrentParam struct {
	name  string
	shape tensor.Shape
	init  graph.Initializer
}

// declareStack adds every layer's parameters to the store: layer l gets params(in, h) under
// layerName(name, l), where h is its state size and in is the input size for layer 0 and the state
// size of layer l−1 above it.
func declareStack(store *graph.Store, kind, name string, input int, hs []int, params func(in, h int) []recurrentParam) error {
	in := input
	for l, h := range hs {
		for _, p := range params(in, h) {
			if _, err := store.Add(graph.Join(layerName(name, l), p.name), p.shape, p.init); err != nil {
				return fmt.Errorf("%s %q: %w", kind, name, err)
			}
		}
		in = h
	}
	return nil
}

// runStack checks x (B, T, D) and mask (B, T), runs the layers one above the other — every state of one
// layer is the input of the next, through dropout in training — and returns all states (B, T, H) or the
// last state (B, H) of the top layer.
func runStack(b *graph.Builder, kind, name string, cfg RecurrentConfig, hs []int, layerOf stackLayer,
	x, mask *gorgonia.Node) (y *gorgonia.Node, err error) {
	layer := fmt.Sprintf("%s %q", kind, name)
	defer func() { // Gorgonia panics on some shape errors instead of returning them
		if r := recover(); r != nil {
			y, err = nil, fmt.Errorf("%s: %v", layer, r)
		}
	}()
	if err := checkShape(layer, "input", x, -1, -1, cfg.Input); err != nil {
		return nil, err
	}
	if err := checkMask(layer, x, mask); err != nil {
		return nil, err
	}
	if xs := x.Shape(); xs[0]*xs[2] == 1 {
		return nil, fmt.Errorf("%s: input has shape %v: a batch of one sequence needs at least 2 features", layer, xs)
	}
	if x.Dtype() != b.Dtype() || mask.Dtype() != b.Dtype() {
		return nil, fmt.Errorf("%s: input %v and mask %v must have the graph's dtype %v", layer, x.Dtype(), mask.Dtype(), b.Dtype())
	}
	y = x // (B, T, D)
	for l := range hs {
		if l > 0 && cfg.Dropout > 0 && b.Train {
			drop, err := NewDropout(graph.Join(layerName(name, l), "dropout"), cfg.Dropout)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", layer, err)
			}
			if y, err = drop.Forward(b, y); err != nil { // (B, T, H)
				return nil, fmt.Errorf("%s: layer %d: %w", layer, l, err)
			}
		}
		last := !cfg.ReturnSequence && l == len(hs)-1
		if y, err = layerOf(b, l, y, mask, last); err != nil { // (B, T, H), or (B, H) at the top
			return nil, fmt.Errorf("%s: layer %d: %w", layer, l, err)
		}
	}
	return y, nil
}
