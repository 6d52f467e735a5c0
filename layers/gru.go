package layers

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// GRUConfig configures a GRU stack; see RecurrentConfig for the fields and their defaults.
type GRUConfig RecurrentConfig

// GRU is a stack of gated recurrent unit layers (Cho et al., 2014) in PyTorch's formulation, over a
// padded batch of sequences x (B, T, D) with mask (B, T). Layer l has
//
//	name.l<l>.w  (D_l, 3H)  input weights, Glorot-uniform
//	name.l<l>.u  (H, 3H)    recurrent weights, one orthogonal (H, H) block per gate
//	name.l<l>.bi (3H)       input bias b_i, zero
//	name.l<l>.bh (3H)       recurrent bias b_h, zero
//
// with the gates in PyTorch's order r, z, n along the 3H axis (b_i, b_h are PyTorch's b_ih, b_hh: two
// biases are needed because b_hn sits inside the reset product). With σ the logistic function, a step
// from h with input x is
//
//	r = σ(x·W_r + b_ir + h·U_r + b_hr), z = σ(x·W_z + b_iz + h·U_z + b_hz),
//	n = tanh(x·W_n + b_in + r ⊙ (h·U_n + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h
//
// from h = 0, with h' computed as n + z ⊙ (h − n) (the same expression with one product fewer, and the
// one PyTorch evaluates). Each layer is one op over the whole sequence with a hand-written backward
// (gruOp, gru_ops.go), and the layers are stacked as in LSTM.
//
// Padding is handled as in LSTM: the state is carried unchanged through padded steps, so the state at
// step T — what Forward returns unless ReturnSequence is set — is each sequence's last valid state.
type GRU struct {
	Name string
	Cfg  GRUConfig
	hs   []int
}

var _ SeqLayer = (*GRU)(nil)

// NewGRU declares the parameters of every layer of the stack in the store.
func NewGRU(store *graph.Store, name string, cfg GRUConfig) (*GRU, error) {
	hs, err := RecurrentConfig(cfg).sizes("gru", name)
	if err != nil {
		return nil, err
	}
	err = declareStack(store, "gru", name, cfg.Input, hs, func(in, h int) []recurrentParam {
		return []recurrentParam{
			{"w", tensor.Shape{in, 3 * h}, graph.GlorotUniform()},
			{"u", tensor.Shape{h, 3 * h}, graph.Orthogonal()},
			{"bi", tensor.Shape{3 * h}, graph.Zeros()},
			{"bh", tensor.Shape{3 * h}, graph.Zeros()},
		}
	})
	if err != nil {
		return nil, err
	}
	return &GRU{Name: name, Cfg: cfg, hs: hs}, nil
}

// Hiddens is the state size of each layer, bottom first.
func (g *GRU) Hiddens() []int { return append([]int(nil), g.hs...) }

// Forward adds the stack to b's graph: x (B, T, D), mask (B, T) → (B, H) or, with ReturnSequence,
// (B, T, H), where H is the top layer's size.
func (g *GRU) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	return runStack(b, "gru", g.Name, RecurrentConfig(g.Cfg), g.hs, g.layer, x, mask)
}

// layer adds layer i of the stack as one gruOp (gru_ops.go): x (B, T, D_i), mask (B, T) → every state
// (B, T, H_i), or with last only h_T (B, H_i).
func (g *GRU) layer(b *graph.Builder, i int, x, mask *gorgonia.Node, last bool) (*gorgonia.Node, error) {
	name := layerName(g.Name, i)
	var p [4]*gorgonia.Node // w (D, 3H), u (H, 3H), bi (3H), bh (3H)
	for k, n := range []string{"w", "u", "bi", "bh"} {
		var err error
		if p[k], err = b.Param(graph.Join(name, n)); err != nil {
			return nil, err
		}
	}
	return gruLayer(x, mask, p[0], p[1], p[2], p[3], last) // (B, T, H) or (B, H)
}
