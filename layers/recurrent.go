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
	// Sizes of 1 are refused: Gorgonia turns a one-element slice into a scalar, which the unrolled graph
	// cannot use (for the same reason Forward refuses a batch of one sequence with one feature).
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

// cell adds one layer's unrolled recurrence to the graph: per-step inputs (B, D) in, per-step states
// (B, H) out. unrolled turns it into a stackLayer.
type cell func(b *graph.Builder, xs []*gorgonia.Node, m *stepMasks) ([]*gorgonia.Node, error)

// unrolled runs a cell over the steps of x with the masks spread to the cell's state size h.
func unrolled(b *graph.Builder, c cell, h int, x, mask *gorgonia.Node, last bool) (*gorgonia.Node, error) {
	xs, err := timeSteps(x) // T × (B, D)
	if err != nil {
		return nil, err
	}
	m, err := newStepMasks(mask, h)
	if err != nil {
		return nil, fmt.Errorf("mask: %w", err)
	}
	if xs, err = c(b, xs, m); err != nil { // T × (B, H)
		return nil, err
	}
	if last {
		return xs[len(xs)-1], nil // (B, H): the state is carried through padding, so h_T is the last valid state
	}
	return stackSteps(xs) // (B, T, H)
}

// stepMasks holds, for each step t, the mask column m_t and 1 − m_t broadcast to (B, H), for carry.
type stepMasks struct{ keep, hold []*gorgonia.Node }

// newStepMasks expands the (B, T) mask to (B, T, H) once — an outer product with ones, which is exact —
// and slices it per step, so the time loop needs no reshapes or broadcasts.
func newStepMasks(mask *gorgonia.Node, h int) (*stepMasks, error) {
	keep, err := spreadMask(mask, h) // (B, T, H)
	if err != nil {
		return nil, err
	}
	hold, err := gorgonia.Sub(scalar(mask.Graph(), 1, mask.Dtype()), keep) // (B, T, H)
	if err != nil {
		return nil, err
	}
	m := &stepMasks{}
	if m.keep, err = timeSteps(keep); err != nil {
		return nil, err
	}
	if m.hold, err = timeSteps(hold); err != nil {
		return nil, err
	}
	return m, nil
}

// carry is the masked state update s_t = m_t ⊙ s̃_t + (1 − m_t) ⊙ s_{t−1}: at a padded step (m_t = 0) the
// state is carried unchanged, exactly (0·s̃ + 1·s = s in floating point, for finite s̃), and no gradient
// reaches s̃_t, so padding contributes exact zeros to every parameter gradient.
func (m *stepMasks) carry(t int, next, prev *gorgonia.Node) (*gorgonia.Node, error) {
	a, err := gorgonia.HadamardProd(m.keep[t], next) // (B, H)
	if err != nil {
		return nil, err
	}
	c, err := gorgonia.HadamardProd(m.hold[t], prev) // (B, H)
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(a, c) // (B, H)
}

// timeSteps slices x (B, T, F) into T tensors (B, F).
func timeSteps(x *gorgonia.Node) ([]*gorgonia.Node, error) {
	out := make([]*gorgonia.Node, x.Shape()[1])
	for t := range out {
		var err error
		if out[t], err = sliceAs(x, []tensor.Slice{nil, gorgonia.S(t)}, x.Shape()[0], x.Shape()[2]); err != nil { // (B, F)
			return nil, fmt.Errorf("step %d: %w", t, err)
		}
	}
	return out, nil
}

// stackSteps joins T states (B, H) into (B, T, H).
func stackSteps(hs []*gorgonia.Node) (*gorgonia.Node, error) {
	cols := make([]*gorgonia.Node, len(hs))
	for t, h := range hs {
		s := h.Shape()
		var err error
		if cols[t], err = graph.Reshape(h, s[0], 1, s[1]); err != nil { // (B, 1, H)
			return nil, fmt.Errorf("step %d: %w", t, err)
		}
	}
	if len(cols) == 1 {
		return cols[0], nil
	}
	return gorgonia.Concat(1, cols...) // (B, T, H)
}

// zeroState is the initial state h_0 = 0 (B, H).
func zeroState(b *graph.Builder, batch, h int) *gorgonia.Node {
	return gorgonia.NewConstant(tensor.New(tensor.Of(b.Dtype()), tensor.WithShape(batch, h)),
		gorgonia.WithName(fmt.Sprintf("zeros%dx%d", batch, h)))
}

// gateBlock slices column block k of width h out of a (R, G·H) matrix: gate k's weights or biases.
func gateBlock(z *gorgonia.Node, k, h int) (*gorgonia.Node, error) {
	return sliceAs(z, []tensor.Slice{nil, gorgonia.S(k*h, (k+1)*h)}, z.Shape()[0], h) // (R, H)
}

// sliceAs slices n and reshapes the result to shape: Gorgonia drops every dimension of size 1 that a
// slice leaves (a gate block of width 1, a batch of 1), which the following products would reject.
func sliceAs(n *gorgonia.Node, s []tensor.Slice, shape ...int) (*gorgonia.Node, error) {
	v, err := gorgonia.Slice(n, s...)
	if err != nil || v.Shape().Eq(tensor.Shape(shape)) {
		return v, err
	}
	return graph.Reshape(v, shape...)
}

// batchRows repeats a bias (G·H) over the batch, (B, G·H), once per graph, as 0 + bias broadcast
// over the rows (exact).
func batchRows(bias *gorgonia.Node, batch int) (*gorgonia.Node, error) {
	n := bias.Shape()[0]
	zeros := gorgonia.NewConstant(tensor.New(tensor.Of(bias.Dtype()), tensor.WithShape(batch, n)),
		gorgonia.In(bias.Graph()), gorgonia.WithName(fmt.Sprintf("zeros%dx%d", batch, n))) // named by shape: Gorgonia merges equal-looking constants
	return gorgonia.BroadcastAdd(zeros, bias, nil, []byte{0}) // (B, G·H)
}
