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
// b = b_ih + b_hh. With σ the logistic function, a step from (h, c) with input x is
//
//	i = σ(x·W_i + h·U_i + b_i), f = σ(x·W_f + h·U_f + b_f), g = tanh(x·W_g + h·U_g + b_g),
//	o = σ(x·W_o + h·U_o + b_o), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c')
//
// from h = c = 0, and the graph is unrolled over T (its compile time grows with T). The layers are
// stacked: every state of one layer is the next layer's input at that step.
//
// Padding: at a padded step the state (h, c) is carried unchanged, so the state at step T is the state
// at each sequence's last valid step; that is what Forward returns (B, H) unless ReturnSequence is set,
// in which case it returns every state (B, T, H) — at padded steps, the last valid state repeated.
// Padded inputs must be finite (the step computed from them is multiplied by 0); their values do not
// change any output or parameter gradient.
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
	err = declareStack(store, "lstm", name, cfg.Input, hs, func(in, h int) []recurrentParam {
		return []recurrentParam{
			{"w", tensor.Shape{in, 4 * h}, graph.GlorotUniform()},
			{"u", tensor.Shape{h, 4 * h}, graph.Orthogonal()},
			{"b", tensor.Shape{4 * h}, graph.BlockConstant(4, 1, 1)},
		}
	})
	if err != nil {
		return nil, err
	}
	return &LSTM{Name: name, Cfg: cfg, hs: hs}, nil
}

// Hiddens is the state size of each layer, bottom first.
func (l *LSTM) Hiddens() []int { return append([]int(nil), l.hs...) }

// Forward adds the stack to b's graph: x (B, T, D), mask (B, T) → (B, H) or, with ReturnSequence,
// (B, T, H), where H is the top layer's size.
func (l *LSTM) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	return runStack(b, "lstm", l.Name, RecurrentConfig(l.Cfg), l.hs, l.layer, x, mask)
}

// layer returns the recurrence of layer i: per-step inputs → per-step states h_t.
func (l *LSTM) layer(i int) cell {
	return func(b *graph.Builder, xs []*gorgonia.Node, m *stepMasks) ([]*gorgonia.Node, error) {
		name := layerName(l.Name, i)
		p, err := newLSTMParams(b, name, l.hs[i], xs[0].Shape()[0])
		if err != nil {
			return nil, err
		}
		h := zeroState(b, xs[0].Shape()[0], l.hs[i]) // (B, H)
		c := h                                       // (B, H)
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

// lstmParams are one layer's parameters split by gate (i, f, g, o): W_k (D, H), U_k (H, H) and b_k
// repeated over the batch (B, H).
//
// Splitting once per graph keeps slices out of the time loop: in Gorgonia the gradient of every slice
// is a zero tensor the size of what was sliced, so slicing a (B, 4H) product into gates at every step
// (or one (B·T, D)·(D, 4H) input projection into steps) costs far more than the products themselves.
// Measured on the benchmark shape: one projection for all steps kept masking bit-exact but took 2.5×
// the memory (1.25 GB a step) and was slower than these per-step, per-gate products.
type lstmParams struct{ w, u, b [4]*gorgonia.Node }

// newLSTMParams fetches layer name's parameters from b and splits them by gate.
func newLSTMParams(b *graph.Builder, name string, h, batch int) (p lstmParams, err error) {
	w, err := b.Param(graph.Join(name, "w")) // (D, 4H)
	if err != nil {
		return p, err
	}
	u, err := b.Param(graph.Join(name, "u")) // (H, 4H)
	if err != nil {
		return p, err
	}
	bias, err := b.Param(graph.Join(name, "b")) // (4H)
	if err != nil {
		return p, err
	}
	rows, err := batchRows(bias, batch) // (B, 4H)
	if err != nil {
		return p, err
	}
	for k := range 4 {
		if p.w[k], err = gateBlock(w, k, h); err != nil { // (D, H)
			return p, err
		}
		if p.u[k], err = gateBlock(u, k, h); err != nil { // (H, H)
			return p, err
		}
		if p.b[k], err = gateBlock(rows, k, h); err != nil { // (B, H)
			return p, err
		}
	}
	return p, nil
}

// lstmStep is one LSTM step before masking, with σ the logistic function:
//
//	i = σ(x·W_i + h·U_i + b_i)    input gate
//	f = σ(x·W_f + h·U_f + b_f)    forget gate
//	g = tanh(x·W_g + h·U_g + b_g) candidate cell
//	o = σ(x·W_o + h·U_o + b_o)    output gate
//	c' = f ⊙ c + i ⊙ g
//	h' = o ⊙ tanh(c')
func lstmStep(p lstmParams, x, h, c *gorgonia.Node) (hNew, cNew *gorgonia.Node, err error) {
	var gate [4]*gorgonia.Node // i, f, g, o, each (B, H)
	for k := range gate {
		xw, err := gorgonia.Mul(x, p.w[k]) // (B, H)
		if err != nil {
			return nil, nil, err
		}
		hu, err := gorgonia.Mul(h, p.u[k]) // (B, H)
		if err != nil {
			return nil, nil, err
		}
		z, err := gorgonia.Add(xw, hu) // (B, H)
		if err != nil {
			return nil, nil, err
		}
		if z, err = gorgonia.Add(z, p.b[k]); err != nil { // (B, H)
			return nil, nil, err
		}
		if k == 2 {
			gate[k], err = gorgonia.Tanh(z) // (B, H)
		} else {
			gate[k], err = gorgonia.Sigmoid(z) // (B, H)
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
