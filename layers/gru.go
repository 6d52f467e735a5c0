package layers

import (
	"fmt"

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
// biases are needed because b_hn sits inside the reset product). The step equations are on gruStep.
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
	in := cfg.Input
	for l, h := range hs {
		p := layerName(name, l)
		for _, d := range []struct {
			name  string
			shape tensor.Shape
			init  graph.Initializer
		}{
			{"w", tensor.Shape{in, 3 * h}, graph.GlorotUniform()},
			{"u", tensor.Shape{h, 3 * h}, graph.Orthogonal()},
			{"bi", tensor.Shape{3 * h}, graph.Zeros()},
			{"bh", tensor.Shape{3 * h}, graph.Zeros()},
		} {
			if _, err := store.Add(graph.Join(p, d.name), d.shape, d.init); err != nil {
				return nil, fmt.Errorf("gru %q: %w", name, err)
			}
		}
		in = h
	}
	return &GRU{Name: name, Cfg: cfg, hs: hs}, nil
}

// Hiddens is the state size of each layer, bottom first.
func (g *GRU) Hiddens() []int { return append([]int(nil), g.hs...) }

// Forward adds the stack to b's graph: x (B, T, D), mask (B, T) → (B, H) or, with ReturnSequence,
// (B, T, H), where H is the top layer's size.
func (g *GRU) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	cells := make([]cell, len(g.hs))
	for i := range cells {
		cells[i] = g.layer(i)
	}
	return runStack(b, "gru", g.Name, RecurrentConfig(g.Cfg), g.hs, cells, x, mask)
}

// layer returns the recurrence of layer i: per-step inputs → per-step states h_t.
func (g *GRU) layer(i int) cell {
	return func(b *graph.Builder, xs []*gorgonia.Node, m *stepMasks) ([]*gorgonia.Node, error) {
		var p gruParams
		var err error
		for _, q := range []struct {
			dst  **gorgonia.Node
			name string
		}{{&p.w, "w"}, {&p.u, "u"}, {&p.bi, "bi"}, {&p.bh, "bh"}} {
			if *q.dst, err = b.Param(graph.Join(layerName(g.Name, i), q.name)); err != nil {
				return nil, err
			}
		}
		p.h = g.hs[i]
		h := zeroState(b, xs[0].Shape()[0], p.h) // (B, H)
		out := make([]*gorgonia.Node, len(xs))
		for t, x := range xs {
			hNew, err := gruStep(p, x, h) // (B, H)
			if err != nil {
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

// gruParams are one layer's parameter nodes and state size.
type gruParams struct {
	w, u, bi, bh *gorgonia.Node
	h            int
}

// gruStep is one GRU step before masking, with σ the logistic function:
//
//	r = σ(x·W_r + b_ir + h·U_r + b_hr)         reset gate
//	z = σ(x·W_z + b_iz + h·U_z + b_hz)         update gate
//	n = tanh(x·W_n + b_in + r ⊙ (h·U_n + b_hn)) candidate
//	h' = (1 − z) ⊙ n + z ⊙ h
//
// computed from a = x·W + b_i and u = h·U + b_h (B, 3H), with h' as n + z ⊙ (h − n), the same
// expression with one product fewer (and the one PyTorch evaluates).
func gruStep(p gruParams, x, h *gorgonia.Node) (*gorgonia.Node, error) {
	a, err := project(x, p.w, p.bi) // (B, 3H)
	if err != nil {
		return nil, err
	}
	u, err := project(h, p.u, p.bh) // (B, 3H)
	if err != nil {
		return nil, err
	}
	aRZ, err := gorgonia.Slice(a, nil, gorgonia.S(0, 2*p.h)) // (B, 2H)
	if err != nil {
		return nil, err
	}
	uRZ, err := gorgonia.Slice(u, nil, gorgonia.S(0, 2*p.h)) // (B, 2H)
	if err != nil {
		return nil, err
	}
	rzPre, err := gorgonia.Add(aRZ, uRZ) // (B, 2H)
	if err != nil {
		return nil, err
	}
	rz, err := gorgonia.Sigmoid(rzPre) // (B, 2H)
	if err != nil {
		return nil, err
	}
	r, err := gateBlock(rz, 0, p.h) // (B, H)
	if err != nil {
		return nil, err
	}
	z, err := gateBlock(rz, 1, p.h) // (B, H)
	if err != nil {
		return nil, err
	}
	aN, err := gateBlock(a, 2, p.h) // (B, H)
	if err != nil {
		return nil, err
	}
	uN, err := gateBlock(u, 2, p.h) // (B, H)
	if err != nil {
		return nil, err
	}
	ru, err := gorgonia.HadamardProd(r, uN) // (B, H)
	if err != nil {
		return nil, err
	}
	nPre, err := gorgonia.Add(aN, ru) // (B, H)
	if err != nil {
		return nil, err
	}
	n, err := gorgonia.Tanh(nPre) // (B, H)
	if err != nil {
		return nil, err
	}
	hn, err := gorgonia.Sub(h, n) // (B, H)
	if err != nil {
		return nil, err
	}
	zhn, err := gorgonia.HadamardProd(z, hn) // (B, H)
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(n, zhn) // (B, H)
}
