package layers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lstmOp is one LSTM layer over a whole padded sequence, as one Gorgonia op with a hand-written
// backward (lstmGradOp): x (B, T, D), mask (B, T), W (D, 4H), U (H, 4H), b (4H) → every state h_t
// (B, T, H), or with last set only h_T (B, H). Forward, with the gates i, f, g, o along the 4H axis:
//
//	Z = X·W + b                                 one (B·T, D)·(D, 4H) product for all steps
//	z_t = Z_t + h_{t−1}·U                       one (B, H)·(H, 4H) product per step
//	i, f, o = σ(z_t[i, f, o]), g = tanh(z_t[g]) fused float32 or float64 kernels (internal/vmath)
//	c̃ = f ⊙ c_{t−1} + i ⊙ g, h̃ = o ⊙ tanh(c̃)
//	c_t = m_t ⊙ c̃ + (1 − m_t) ⊙ c_{t−1}, h_t = m_t ⊙ h̃ + (1 − m_t) ⊙ h_{t−1}
//
// from h_0 = c_0 = 0, with m_t the mask column (at m_t = 0 the state is copied, exactly; at 1 the new
// state is taken as it is). The op keeps what the backward pass needs — the gates, c_t, tanh(c̃) and
// h_t — in buffers it owns and reuses from run to run, and returns a copy in its own output buffer.
type lstmOp struct {
	cpuOp
	last bool
	s    any // *lstmState[float32] or *lstmState[float64]
	out  *tensor.Dense
}

// lstmState holds one dtype's buffers of an lstmOp and its backward op. Every backward op of one
// forward op would share the backward buffers (and the gradients grad hands out), so a graph is
// differentiated once (one gorgonia.Grad, as graph.Compile does).
type lstmState[F float32 | float64] struct {
	b, t, d, h int
	z          []F // (B, T, 4H) gate activations i, f, g, o
	cs, hs, tc []F // (B, T, H) c_t, h_t, tanh(c̃_t)

	// backward
	dz         []F // (B, T, 4H) ∂L/∂z_t
	hprev      []F // (B, T, H) h_{t−1}
	dh, dc     []F // (B, H) ∂L/∂h_t, ∂L/∂c_t carried back through the steps
	dw, du, db *tensor.Dense
}

// lstmLayer applies lstmOp to x (B, T, D), mask (B, T) and the layer's parameters.
func lstmLayer(x, mask, w, u, b *gorgonia.Node, last bool) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&lstmOp{last: last}, x, mask, w, u, b)
}

func (op *lstmOp) Arity() int { return 5 }
func (op *lstmOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := func(d int) hm.Type { return &gorgonia.TensorType{Dims: d, Of: a} }
	out := 3
	if op.last {
		out = 2
	}
	return hm.NewFnType(t(3), t(2), t(2), t(2), t(1), t(out))
}
func (op *lstmOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	xs, ok1 := in[0].(tensor.Shape)
	us, ok2 := in[3].(tensor.Shape)
	if !ok1 || !ok2 || len(xs) != 3 || len(us) != 2 {
		return nil, fmt.Errorf("%v: input shapes %v and %v, want (B, T, D) and (H, 4H)", op, in[0], in[3])
	}
	if op.last {
		return tensor.Shape{xs[0], us[0]}, nil
	}
	return tensor.Shape{xs[0], xs[1], us[0]}, nil
}

func (op *lstmOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 5 {
		return nil, fmt.Errorf("%v: %d inputs, want 5", op, len(vals))
	}
	h := stateSize(vals[3])
	in, err := recurrentInputs(op, vals, func(d int) []tensor.Shape {
		return []tensor.Shape{{d, 4 * h}, {h, 4 * h}, {4 * h}}
	})
	if err != nil {
		return nil, err
	}
	op.out = recurrentOutput(op.out, in[0], h, op.last)
	switch in[0].Dtype() {
	case tensor.Float64:
		lstmForward(op, kernels64, in, op.out.Data().([]float64), h)
	case tensor.Float32:
		lstmForward(op, kernels32, in, op.out.Data().([]float32), h)
	default:
		return nil, checkFloat(op, in[0].Dtype())
	}
	return op.out, nil
}

// lstmStateOf returns op's buffers for dtype F sized for (B, T, D, H), reusing the last run's.
func lstmStateOf[F float32 | float64](op *lstmOp, b, t, d, h int) *lstmState[F] {
	s, ok := op.s.(*lstmState[F])
	if !ok {
		s = &lstmState[F]{}
		op.s = s
	}
	s.b, s.t, s.d, s.h = b, t, d, h
	s.z = grow(s.z, b*t*4*h)
	s.cs, s.hs, s.tc = grow(s.cs, b*t*h), grow(s.hs, b*t*h), grow(s.tc, b*t*h)
	return s
}

func lstmForward[F float32 | float64](op *lstmOp, k kernels[F], in []*tensor.Dense, out []F, h int) {
	x, mask, w, u, bias := in[0].Data().([]F), in[1].Data().([]F), in[2].Data().([]F), in[3].Data().([]F), in[4].Data().([]F)
	xs := in[0].Shape()
	nb, nt, d := xs[0], xs[1], xs[2]
	s := lstmStateOf[F](op, nb, nt, d, h)
	g4 := 4 * h
	for r := 0; r < nb*nt; r++ { // Z = b + X·W
		copy(s.z[r*g4:(r+1)*g4], bias)
	}
	k.gemm(false, false, nb*nt, g4, d, x, d, w, g4, 1, s.z, g4)
	for t := 0; t < nt; t++ {
		if t > 0 { // z_t += h_{t−1}·U, rows b·T + t of Z
			k.gemm(false, false, nb, g4, h, s.hs[(t-1)*h:], nt*h, u, g4, 1, s.z[t*g4:], nt*g4)
		}
		forRows(nb, g4, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				r := b*nt + t
				z := s.z[r*g4 : (r+1)*g4]
				k.sigmoid(z[:2*h], z[:2*h])
				k.tanh(z[2*h:3*h], z[2*h:3*h])
				k.sigmoid(z[3*h:], z[3*h:])
				gi, gf, gg, gO := z[:h], z[h:2*h], z[2*h:3*h], z[3*h:]
				c, hh, tc := s.cs[r*h:(r+1)*h], s.hs[r*h:(r+1)*h], s.tc[r*h:(r+1)*h]
				if t == 0 {
					for j := range tc {
						tc[j] = gi[j] * gg[j] // c̃ (c_0 = 0)
					}
				} else {
					cp := s.cs[(r-1)*h : r*h]
					for j := range tc {
						tc[j] = gf[j]*cp[j] + gi[j]*gg[j] // c̃
					}
				}
				copy(c, tc)
				k.tanh(tc, tc)
				for j := range hh {
					hh[j] = gO[j] * tc[j] // h̃
				}
				if m := mask[r]; m != 1 {
					var cp, hp []F
					if t > 0 {
						cp, hp = s.cs[(r-1)*h:r*h], s.hs[(r-1)*h:r*h]
					}
					carry(m, c, cp)
					carry(m, hh, hp)
				}
			}
		})
	}
	copyOutput(out, s.hs, nb, nt, h, op.last)
}

// carry sets s = m ⊙ s + (1 − m) ⊙ prev for m ≠ 1: prev (nil for the zero state) itself at m = 0.
func carry[F float32 | float64](m F, s, prev []F) {
	switch {
	case m == 0 && prev == nil:
		clear(s)
	case m == 0:
		copy(s, prev)
	case prev == nil:
		for j := range s {
			s[j] *= m
		}
	default:
		for j := range s {
			s[j] = m*s[j] + (1-m)*prev[j]
		}
	}
}

func (op *lstmOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.lstm last=%v", op.last)
}
func (op *lstmOp) Hashcode() uint32 { return hashOf(op) }
func (op *lstmOp) String() string   { return fmt.Sprintf("LSTM(last=%v)", op.last) }

func (op *lstmOp) DiffWRT(int) []bool { return []bool{true, false, true, true, true} }

// SymDiff returns the nodes of lstmGradOp, which runs backpropagation through time once for all the
// gradients: its node is ∂L/∂x, and gradPartOp nodes hand out ∂L/∂W, ∂L/∂U and ∂L/∂b. The mask is not
// differentiated.
func (op *lstmOp) SymDiff(in gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g := &lstmGradOp{fwd: op}
	dx, err := gorgonia.ApplyOp(g, in[0], in[1], in[2], in[3], output, grad)
	if err != nil {
		return nil, err
	}
	out := gorgonia.Nodes{dx, nil, nil, nil, nil}
	for k := 1; k <= 3; k++ {
		if out[k+1], err = gradPart(g, dx, k, in[k+1].Shape()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lstmGradOp is the backward pass of an lstmOp: inputs x, mask, W, U, the forward output (for order
// only) and ∂L/∂output; its value is ∂L/∂x (B, T, D), and grad(1..3) are ∂L/∂W, ∂L/∂U, ∂L/∂b. Going
// back from t = T with ∂h = ∂L/∂h_t (from the output and from step t+1) and ∂c = ∂L/∂c_t:
//
//	∂h̃ = m_t ∂h, ∂c̃ = m_t ∂c + ∂h̃ ⊙ o ⊙ (1 − tanh²c̃); the carried parts (1 − m_t)∂h, (1 − m_t)∂c
//	∂z_i = ∂c̃ ⊙ g ⊙ i(1 − i), ∂z_f = ∂c̃ ⊙ c_{t−1} ⊙ f(1 − f),
//	∂z_g = ∂c̃ ⊙ i ⊙ (1 − g²), ∂z_o = ∂h̃ ⊙ tanh c̃ ⊙ o(1 − o)
//	∂h_{t−1} = (1 − m_t)∂h + ∂z_t·Uᵀ, ∂c_{t−1} = (1 − m_t)∂c + ∂c̃ ⊙ f
//
// and then, over all steps at once: ∂X = ∂Z·Wᵀ, ∂W = Xᵀ·∂Z, ∂U = H_prevᵀ·∂Z, ∂b = Σ_rows ∂Z. At a padded
// step (m_t = 0) ∂z_t is exactly 0, so padding adds exact zeros to every gradient.
type lstmGradOp struct {
	cpuOp
	fwd *lstmOp
	out *tensor.Dense
}

func (op *lstmGradOp) Arity() int { return 6 }
func (op *lstmGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := func(d int) hm.Type { return &gorgonia.TensorType{Dims: d, Of: a} }
	out := 3
	if op.fwd.last {
		out = 2
	}
	return hm.NewFnType(t(3), t(2), t(2), t(2), t(out), t(out), t(3))
}
func (op *lstmGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	xs, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return xs.Clone(), nil
}

func (op *lstmGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 6 {
		return nil, fmt.Errorf("%v: %d inputs, want 6", op, len(vals))
	}
	h := stateSize(vals[3])
	in, err := recurrentInputs(op, vals[:4], func(d int) []tensor.Shape {
		return []tensor.Shape{{d, 4 * h}, {h, 4 * h}}
	})
	if err != nil {
		return nil, err
	}
	dy, err := outputGrad(op, vals[5], in[0].Dtype())
	if err != nil {
		return nil, err
	}
	op.out = ownBuffer(op.out, in[0])
	switch in[0].Dtype() {
	case tensor.Float64:
		err = lstmBackward(op, kernels64, in, dy)
	case tensor.Float32:
		err = lstmBackward(op, kernels32, in, dy)
	default:
		err = checkFloat(op, in[0].Dtype())
	}
	if err != nil {
		return nil, err
	}
	return op.out, nil
}

func lstmBackward[F float32 | float64](op *lstmGradOp, k kernels[F], in []*tensor.Dense, dyT *tensor.Dense) error {
	s, ok := op.fwd.s.(*lstmState[F])
	xs := in[0].Shape()
	if !ok || s.b != xs[0] || s.t != xs[1] || s.d != xs[2] {
		return fmt.Errorf("%v: the forward pass has not run on this input", op)
	}
	nb, nt, d, h := s.b, s.t, s.d, s.h
	if want := (tensor.Shape{nb, nt, h}); op.fwd.last && !dyT.Shape().Eq(tensor.Shape{nb, h}) || !op.fwd.last && !dyT.Shape().Eq(want) {
		return fmt.Errorf("%v: output gradient has shape %v", op, dyT.Shape())
	}
	x, mask, w, u, dy := in[0].Data().([]F), in[1].Data().([]F), in[2].Data().([]F), in[3].Data().([]F), dyT.Data().([]F)
	g4 := 4 * h
	s.dz, s.hprev = grow(s.dz, nb*nt*g4), grow(s.hprev, nb*nt*h)
	s.dh, s.dc = grow(s.dh, nb*h), grow(s.dc, nb*h)
	clear(s.dh)
	clear(s.dc)
	for t := nt - 1; t >= 0; t-- {
		forRows(nb, g4, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				r := b*nt + t
				dh, dc := s.dh[b*h:(b+1)*h], s.dc[b*h:(b+1)*h]
				switch {
				case !op.fwd.last:
					addTo(dh, dy[r*h:(r+1)*h])
				case t == nt-1:
					addTo(dh, dy[b*h:(b+1)*h])
				}
				dz := s.dz[r*g4 : (r+1)*g4]
				m := mask[r]
				if m == 0 { // padded: the state passed through unchanged, and so does its gradient
					clear(dz)
					continue
				}
				z, tc := s.z[r*g4:(r+1)*g4], s.tc[r*h:(r+1)*h]
				gi, gf, gg, gO := z[:h], z[h:2*h], z[2*h:3*h], z[3*h:]
				var cp []F
				if t > 0 {
					cp = s.cs[(r-1)*h : r*h]
				}
				for j := 0; j < h; j++ {
					var cprev F
					if cp != nil {
						cprev = cp[j]
					}
					dhn := m * dh[j]
					dcn := m*dc[j] + dhn*gO[j]*(1-tc[j]*tc[j])
					dz[j] = dcn * gg[j] * gi[j] * (1 - gi[j])
					dz[h+j] = dcn * cprev * gf[j] * (1 - gf[j])
					dz[2*h+j] = dcn * gi[j] * (1 - gg[j]*gg[j])
					dz[3*h+j] = dhn * tc[j] * gO[j] * (1 - gO[j])
					dh[j] *= 1 - m // exactly 0 at m = 1; ∂z_t·Uᵀ is added below
					dc[j] = (1-m)*dc[j] + dcn*gf[j]
				}
			}
		})
		if t > 0 { // ∂h_{t−1} += ∂z_t·Uᵀ
			k.gemm(false, true, nb, h, g4, s.dz[t*g4:], nt*g4, u, g4, 1, s.dh, h)
		}
	}
	previousStates(s.hprev, s.hs, nb, nt, h)
	dt := in[0].Dtype()
	s.dw = ownBuffer(s.dw, in[2])
	s.du = ownBuffer(s.du, in[3])
	if s.db == nil || s.db.Dtype() != dt || s.db.Shape()[0] != g4 {
		s.db = tensor.New(tensor.Of(dt), tensor.WithShape(g4))
	}
	k.gemm(false, true, nb*nt, d, g4, s.dz, g4, w, g4, 0, op.out.Data().([]F), d) // ∂X = ∂Z·Wᵀ
	k.gemm(true, false, d, g4, nb*nt, x, d, s.dz, g4, 0, s.dw.Data().([]F), g4)   // ∂W = Xᵀ·∂Z
	k.gemm(true, false, h, g4, nb*nt, s.hprev, h, s.dz, g4, 0, s.du.Data().([]F), g4)
	db := s.db.Data().([]F)
	clear(db)
	for r := 0; r < nb*nt; r++ {
		addTo(db, s.dz[r*g4:(r+1)*g4])
	}
	return nil
}

func addTo[F float32 | float64](dst, src []F) {
	for j, v := range src {
		dst[j] += v
	}
}

func (op *lstmGradOp) grad(k int) *tensor.Dense {
	switch s := op.fwd.s.(type) {
	case *lstmState[float32]:
		return [...]*tensor.Dense{nil, s.dw, s.du, s.db}[k]
	case *lstmState[float64]:
		return [...]*tensor.Dense{nil, s.dw, s.du, s.db}[k]
	}
	return nil
}

func (op *lstmGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.lstmgrad last=%v", op.fwd.last)
}
func (op *lstmGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *lstmGradOp) String() string   { return fmt.Sprintf("LSTMGrad(last=%v)", op.fwd.last) }
