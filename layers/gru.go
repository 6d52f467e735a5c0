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
// biases are needed because b_hn sits inside the reset product). With σ the logistic function, a step
// from h with input x is
//
//	r = σ(x·W_r + b_ir + h·U_r + b_hr), z = σ(x·W_z + b_iz + h·U_z + b_hz),
//	n = tanh(x·W_n + b_in + r ⊙ (h·U_n + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h
//
// from h = 0, unrolled over T, with the layers stacked as in LSTM.
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
	return runStack(b, "gru", g.Name, RecurrentConfig(g.Cfg), g.hs, func(b *graph.Builder, l int, x, mask *gorgonia.Node, last bool) (*gorgonia.Node, error) {
		return unrolled(b, g.layer(l), g.hs[l], x, mask, last)
	}, x, mask)
}

// layer returns the recurrence of layer i: per-step inputs → per-step states h_t.
func (g *GRU) layer(i int) cell {
	return func(b *graph.Builder, xs []*gorgonia.Node, m *stepMasks) ([]*gorgonia.Node, error) {
		p, err := newGRUParams(b, layerName(g.Name, i), g.hs[i], xs[0].Shape()[0])
		if err != nil {
			return nil, err
		}
		h := zeroState(b, xs[0].Shape()[0], g.hs[i]) // (B, H)
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

// gruParams are one layer's parameters split by gate (r, z, n): W_k (D, H), U_k (H, H), and the biases
// repeated over the batch (B, H) — b_ir + b_hr and b_iz + b_hz summed, b_in and b_hn apart. Splitting
// once per graph keeps slices out of the time loop (see lstmParams).
type gruParams struct {
	w, u             [3]*gorgonia.Node
	br, bz, bin, bhn *gorgonia.Node // b_ir + b_hr, b_iz + b_hz, b_in, b_hn
}

// newGRUParams fetches layer name's parameters from b and splits them by gate.
func newGRUParams(b *graph.Builder, name string, h, batch int) (p gruParams, err error) {
	var w, u, bi, bh *gorgonia.Node
	for _, q := range []struct {
		dst  **gorgonia.Node
		name string
	}{{&w, "w"}, {&u, "u"}, {&bi, "bi"}, {&bh, "bh"}} {
		if *q.dst, err = b.Param(graph.Join(name, q.name)); err != nil {
			return p, err
		}
	}
	for k := range 3 {
		if p.w[k], err = gateBlock(w, k, h); err != nil { // (D, H)
			return p, err
		}
		if p.u[k], err = gateBlock(u, k, h); err != nil { // (H, H)
			return p, err
		}
	}
	bir, err := batchRows(bi, batch) // (B, 3H)
	if err != nil {
		return p, err
	}
	bhr, err := batchRows(bh, batch) // (B, 3H)
	if err != nil {
		return p, err
	}
	sum, err := gorgonia.Add(bir, bhr) // (B, 3H)
	if err != nil {
		return p, err
	}
	for _, q := range []struct {
		dst  **gorgonia.Node
		from *gorgonia.Node
		k    int
	}{{&p.br, sum, 0}, {&p.bz, sum, 1}, {&p.bin, bir, 2}, {&p.bhn, bhr, 2}} {
		if *q.dst, err = gateBlock(q.from, q.k, h); err != nil { // (B, H)
			return p, err
		}
	}
	return p, nil
}

// gruStep is one GRU step before masking, with σ the logistic function:
//
//	r = σ(x·W_r + b_ir + h·U_r + b_hr)         reset gate
//	z = σ(x·W_z + b_iz + h·U_z + b_hz)         update gate
//	n = tanh(x·W_n + b_in + r ⊙ (h·U_n + b_hn)) candidate
//	h' = (1 − z) ⊙ n + z ⊙ h
//
// with h' computed as n + z ⊙ (h − n), the same expression with one product fewer (and the one
// PyTorch evaluates).
func gruStep(p gruParams, x, h *gorgonia.Node) (*gorgonia.Node, error) {
	var gate [2]*gorgonia.Node // r, z, each (B, H)
	for k, bias := range []*gorgonia.Node{p.br, p.bz} {
		xw, err := gorgonia.Mul(x, p.w[k]) // (B, H)
		if err != nil {
			return nil, err
		}
		hu, err := gorgonia.Mul(h, p.u[k]) // (B, H)
		if err != nil {
			return nil, err
		}
		pre, err := gorgonia.Add(xw, hu) // (B, H)
		if err != nil {
			return nil, err
		}
		if pre, err = gorgonia.Add(pre, bias); err != nil { // (B, H)
			return nil, err
		}
		if gate[k], err = gorgonia.Sigmoid(pre); err != nil { // (B, H)
			return nil, err
		}
	}
	r, z := gate[0], gate[1]
	xw, err := gorgonia.Mul(x, p.w[2]) // (B, H)
	if err != nil {
		return nil, err
	}
	if xw, err = gorgonia.Add(xw, p.bin); err != nil { // (B, H)
		return nil, err
	}
	hu, err := gorgonia.Mul(h, p.u[2]) // (B, H)
	if err != nil {
		return nil, err
	}
	if hu, err = gorgonia.Add(hu, p.bhn); err != nil { // (B, H)
		return nil, err
	}
	ru, err := gorgonia.HadamardProd(r, hu) // (B, H)
	if err != nil {
		return nil, err
	}
	nPre, err := gorgonia.Add(xw, ru) // (B, H)
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
