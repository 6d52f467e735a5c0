package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// LSTMConfig configures an LSTM stack; see RecurrentConfig for the fields and their defaults.
type LSTMConfig RecurrentConfig

// LSTM is a stack of long short-term memory layers (Hochreiter & Schmidhuber, 1997, with the forget gate
// of Gers et al., 2000) over a padded batch of sequences x (B, T, D) with mask (B, T). Layer l has
//
//	name.l<l>.w (D_l, 4H)  input weights, Glorot-uniform
//	name.l<l>.u (H, 4H)    recurrent weights, one orthogonal (H, H) block per gate
//	name.l<l>.b (4H)       bias, 1 for the forget gate and 0 elsewhere (Jozefowicz et al., 2015)
//
// with the gates in PyTorch's order i, f, g, o along the 4H axis; PyTorch's two biases map to
// b = b_ih + b_hh. The step equations are on lstmStep. The graph is unrolled over T.
//
// Padding: at a padded step the state (h, c) is carried unchanged, so the state at step T is the state
// at each sequence's last valid step; that is what Forward returns (B, H) unless ReturnSequence is set,
// in which case it returns every state (B, T, H) — at padded steps, the last valid state repeated.
// Padded inputs must be finite (they are multiplied by 0); their values do not change any output or
// parameter gradient.
type LSTM struct {
	Name string
	Cfg  LSTMConfig
	hs   []int
}

var _ SeqLayer = (*LSTM)(nil)

// NewLSTM declares the parameters of every layer of the stack in the store.
func NewLSTM(store *graph.Store, name string, cfg LSTMConfig) (*LSTM, error) {
	hs, err := RecurrentConfig(cfg).sizes("lstm", name)
	if err != nil {
		return nil, err
	}
	in := cfg.Input
	for l, h := range hs {
		p := layerName(name, l)
		for _, d := range []struct {
			name  string
			shape tensor.Shape
			init  graph.Initializer
		}{
			{"w", tensor.Shape{in, 4 * h}, graph.GlorotUniform()},
			{"u", tensor.Shape{h, 4 * h}, graph.Orthogonal()},
			{"b", tensor.Shape{4 * h}, graph.BlockConstant(4, 1, 1)},
		} {
			if _, err := store.Add(graph.Join(p, d.name), d.shape, d.init); err != nil {
				return nil, fmt.Errorf("lstm %q: %w", name, err)
			}
		}
		in = h
	}
	return &LSTM{Name: name, Cfg: cfg, hs: hs}, nil
}

// Hiddens is the state size of each layer, bottom first.
func (l *LSTM) Hiddens() []int { return append([]int(nil), l.hs...) }

// Forward adds the stack to b's graph: x (B, T, D), mask (B, T) → (B, H) or, with ReturnSequence,
// (B, T, H), where H is the top layer's size.
func (l *LSTM) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	cells := make([]cell, len(l.hs))
	for i := range cells {
		cells[i] = l.layer(i)
	}
	return runStack(b, "lstm", l.Name, RecurrentConfig(l.Cfg), l.hs, cells, x, mask)
}

// layer returns the recurrence of layer i: per-step inputs → per-step states h_t.
func (l *LSTM) layer(i int) cell {
	return func(b *graph.Builder, xs []*gorgonia.Node, m *stepMasks) ([]*gorgonia.Node, error) {
		var p lstmParams
		var err error
		for _, q := range []struct {
			dst  **gorgonia.Node
			name string
		}{{&p.w, "w"}, {&p.u, "u"}, {&p.b, "b"}} {
			if *q.dst, err = b.Param(graph.Join(layerName(l.Name, i), q.name)); err != nil {
				return nil, err
			}
		}
		p.h = l.hs[i]
		h := zeroState(b, xs[0].Shape()[0], p.h) // (B, H)
		c := h                                   // (B, H)
		out := make([]*gorgonia.Node, len(xs))
		for t, x := range xs {
			hNew, cNew, err := lstmStep(p, x, h, c) // (B, H), (B, H)
			if err != nil {
				return nil, fmt.Errorf("step %d: %w", t, err)
			}
			if c, err = m.carry(t, cNew, c); err != nil { // (B, H)
				return nil, fmt.Errorf("step %d: %w", t, err)
			}
			if h, err = m.carry(t, hNew, h); err != nil { // (B, H)
				return nil, fmt.Errorf("step %d: %w", t, err)
			}
			out[t] = h
		}
		return out, nil
	}
}

// lstmParams are one layer's parameter nodes and state size.
type lstmParams struct {
	w, u, b *gorgonia.Node
	h       int
}

// lstmStep is one LSTM step before masking, with σ the logistic function:
//
//	i = σ(x·W_i + h·U_i + b_i)    input gate
//	f = σ(x·W_f + h·U_f + b_f)    forget gate
//	g = tanh(x·W_g + h·U_g + b_g) candidate cell
//	o = σ(x·W_o + h·U_o + b_o)    output gate
//	c' = f ⊙ c + i ⊙ g
//	h' = o ⊙ tanh(c')
//
// computed as one product z = x·W + h·U + b (B, 4H) sliced into the four gates.
func lstmStep(p lstmParams, x, h, c *gorgonia.Node) (hNew, cNew *gorgonia.Node, err error) {
	xw, err := project(x, p.w, p.b) // (B, 4H)
	if err != nil {
		return nil, nil, err
	}
	hu, err := gorgonia.Mul(h, p.u) // (B, 4H)
	if err != nil {
		return nil, nil, err
	}
	z, err := gorgonia.Add(xw, hu) // (B, 4H)
	if err != nil {
		return nil, nil, err
	}
	var gate [4]*gorgonia.Node // i, f, g, o, each (B, H)
	for k := range gate {
		if gate[k], err = gateBlock(z, k, p.h); err != nil { // (B, H)
			return nil, nil, err
		}
		if k == 2 {
			gate[k], err = gorgonia.Tanh(gate[k]) // (B, H)
		} else {
			gate[k], err = gorgonia.Sigmoid(gate[k]) // (B, H)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	fc, err := gorgonia.HadamardProd(gate[1], c) // (B, H)
	if err != nil {
		return nil, nil, err
	}
	ig, err := gorgonia.HadamardProd(gate[0], gate[2]) // (B, H)
	if err != nil {
		return nil, nil, err
	}
	if cNew, err = gorgonia.Add(fc, ig); err != nil { // (B, H)
		return nil, nil, err
	}
	tc, err := gorgonia.Tanh(cNew) // (B, H)
	if err != nil {
		return nil, nil, err
	}
	if hNew, err = gorgonia.HadamardProd(gate[3], tc); err != nil { // (B, H)
		return nil, nil, err
	}
	return hNew, cNew, nil
}
