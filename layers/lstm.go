package layers

import (
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
// from h = c = 0. Each layer is one op over the whole sequence with a hand-written backward (lstmOp,
// lstm_ops.go): one input product X·W for all steps, then the recurrence, so the graph has a few nodes
// per layer whatever T. The layers are stacked: every state of one layer is the next layer's input at
// that step.
//
// Padding: at a padded step the state (h, c) is carried unchanged, so the state at step T is the state
// at each sequence's last valid step; that is what Forward returns (B, H) unless ReturnSequence is set,
// in which case it returns every state (B, T, H) — at padded steps, the last valid state repeated.
// Padded inputs must be finite (the input-weight gradient Xᵀ·∂Z multiplies them by their steps' zero
// gradient, and Inf·0 is NaN); their values do not change any output or parameter gradient.
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

// layer adds layer i of the stack as one lstmOp (lstm_ops.go): x (B, T, D_i), mask (B, T) → every state
// (B, T, H_i), or with last only h_T (B, H_i).
func (l *LSTM) layer(b *graph.Builder, i int, x, mask *gorgonia.Node, last bool) (*gorgonia.Node, error) {
	name := layerName(l.Name, i)
	var p [3]*gorgonia.Node // w (D, 4H), u (H, 4H), b (4H)
	for k, n := range []string{"w", "u", "b"} {
		var err error
		if p[k], err = b.Param(graph.Join(name, n)); err != nil {
			return nil, err
		}
	}
	return lstmLayer(x, mask, p[0], p[1], p[2], last) // (B, T, H) or (B, H)
}
