package layers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gruOp is one GRU layer over a whole padded sequence, as one Gorgonia op with a hand-written backward
// (gruGradOp): x (B, T, D), mask (B, T), W (D, 3H), U (H, 3H), b_i (3H), b_h (3H) → every state h_t
// (B, T, H), or with last set only h_T (B, H). Forward, with the gates r, z, n along the 3H axis:
//
//	A = X·W + b_i                               one (B·T, D)·(D, 3H) product for all steps
//	u_t = h_{t−1}·U + b_h                       one (B, H)·(H, 3H) product per step
//	r = σ(A_t[r] + u_t[r]), z = σ(A_t[z] + u_t[z]), n = tanh(A_t[n] + r ⊙ u_t[n])
//	h̃ = n + z ⊙ (h_{t−1} − n),  h_t = m_t ⊙ h̃ + (1 − m_t) ⊙ h_{t−1}
//
// from h_0 = 0, with m_t the mask column (at m_t = 0 the state is copied, exactly; at 1 the new state is
// taken as it is). The gates, u_t and h_t stay in buffers the op owns and reuses, for the backward pass.
type gruOp struct {
	cpuOp
	last bool
	s    any // *gruState[float32] or *gruState[float64]
	out  *tensor.Dense
}

// gruState holds one dtype's buffers of a gruOp and its backward op. Every backward op of one
// forward op would share the backward buffers (and the gradients grad hands out), so a graph is
// differentiated once (one gorgonia.Grad, as graph.Compile does).
type gruState[F float32 | float64] struct {
	b, t, d, h int
	a          []F // (B, T, 3H) gates r, z, n
	u          []F // (B, T, 3H) u_t = h_{t−1}·U + b_h
	hs         []F // (B, T, H) h_t

	// backward
	da, du   []F // (B, T, 3H) ∂L/∂A, ∂L/∂u
	hprev    []F // (B, T, H) h_{t−1}
	dh       []F // (B, H) ∂L/∂h_t carried back through the steps
	dw, dU   *tensor.Dense
	dbi, dbh *tensor.Dense
}

// gruLayer applies gruOp to x (B, T, D), mask (B, T) and the layer's parameters.
func gruLayer(x, mask, w, u, bi, bh *gorgonia.Node, last bool) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&gruOp{last: last}, x, mask, w, u, bi, bh)
}

func (op *gruOp) Arity() int { return 6 }
func (op *gruOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := func(d int) hm.Type { return &gorgonia.TensorType{Dims: d, Of: a} }
	out := 3
	if op.last {
		out = 2
	}
	return hm.NewFnType(t(3), t(2), t(2), t(2), t(1), t(1), t(out))
}
func (op *gruOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	xs, ok1 := in[0].(tensor.Shape)
	us, ok2 := in[3].(tensor.Shape)
	if !ok1 || !ok2 || len(xs) != 3 || len(us) != 2 {
		return nil, fmt.Errorf("%v: input shapes %v and %v, want (B, T, D) and (H, 3H)", op, in[0], in[3])
	}
	if op.last {
		return tensor.Shape{xs[0], us[0]}, nil
	}
	return tensor.Shape{xs[0], xs[1], us[0]}, nil
}

func (op *gruOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 6 {
		return nil, fmt.Errorf("%v: %d inputs, want 6", op, len(vals))
	}
	h := stateSize(vals[3])
	in, err := recurrentInputs(op, vals, func(d int) []tensor.Shape {
		return []tensor.Shape{{d, 3 * h}, {h, 3 * h}, {3 * h}, {3 * h}}
	})
	if err != nil {
		return nil, err
	}
	op.out = recurrentOutput(op.out, in[0], h, op.last)
	switch in[0].Dtype() {
	case tensor.Float64:
		gruForward(op, kernels64, in, op.out.Data().([]float64), h)
	case tensor.Float32:
		gruForward(op, kernels32, in, op.out.Data().([]float32), h)
	default:
		return nil, checkFloat(op, in[0].Dtype())
	}
	return op.out, nil
}

// gruStateOf returns op's buffers for dtype F sized for (B, T, D, H), reusing the last run's.
func gruStateOf[F float32 | float64](op *gruOp, b, t, d, h int) *gruState[F] {
	s, ok := op.s.(*gruState[F])
	if !ok {
		s = &gruState[F]{}
		op.s = s
	}
	s.b, s.t, s.d, s.h = b, t, d, h
	s.a, s.u, s.hs = grow(s.a, b*t*3*h), grow(s.u, b*t*3*h), grow(s.hs, b*t*h)
	return s
}

func gruForward[F float32 | float64](op *gruOp, k kernels[F], in []*tensor.Dense, out []F, h int) {
	x, mask, w, u := in[0].Data().([]F), in[1].Data().([]F), in[2].Data().([]F), in[3].Data().([]F)
	bi, bh := in[4].Data().([]F), in[5].Data().([]F)
	xs := in[0].Shape()
	nb, nt, d := xs[0], xs[1], xs[2]
	s := gruStateOf[F](op, nb, nt, d, h)
	g3 := 3 * h
	for r := 0; r < nb*nt; r++ { // A = b_i + X·W, and every u_t starts at b_h
		copy(s.a[r*g3:(r+1)*g3], bi)
		copy(s.u[r*g3:(r+1)*g3], bh)
	}
	k.gemm(false, false, nb*nt, g3, d, x, d, w, g3, 1, s.a, g3)
	for t := 0; t < nt; t++ {
		if t > 0 { // u_t += h_{t−1}·U, rows b·T + t
			k.gemm(false, false, nb, g3, h, s.hs[(t-1)*h:], nt*h, u, g3, 1, s.u[t*g3:], nt*g3)
		}
		forRows(nb, g3, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				r := b*nt + t
				a, ut := s.a[r*g3:(r+1)*g3], s.u[r*g3:(r+1)*g3]
				for j := 0; j < 2*h; j++ {
					a[j] += ut[j]
				}
				k.sigmoid(a[:2*h], a[:2*h])
				gr, gz, gn := a[:h], a[h:2*h], a[2*h:]
				for j := range gn {
					gn[j] += gr[j] * ut[2*h+j]
				}
				k.tanh(gn, gn)
				hh := s.hs[r*h : (r+1)*h]
				var hp []F
				if t > 0 {
					hp = s.hs[(r-1)*h : r*h]
					for j := range hh {
						hh[j] = gn[j] + gz[j]*(hp[j]-gn[j])
					}
				} else {
					for j := range hh {
						hh[j] = gn[j] - gz[j]*gn[j]
					}
				}
				if m := mask[r]; m != 1 {
					carry(m, hh, hp)
				}
			}
		})
	}
	copyOutput(out, s.hs, nb, nt, h, op.last)
}

func (op *gruOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.gru last=%v", op.last)
}
func (op *gruOp) Hashcode() uint32 { return hashOf(op) }
func (op *gruOp) String() string   { return fmt.Sprintf("GRU(last=%v)", op.last) }

func (op *gruOp) DiffWRT(int) []bool { return []bool{true, false, true, true, true, true} }

// SymDiff returns the nodes of gruGradOp, which runs backpropagation through time once for all the
// gradients: its node is ∂L/∂x, and gradPartOp nodes hand out ∂L/∂W, ∂L/∂U, ∂L/∂b_i and ∂L/∂b_h. The
// mask is not differentiated.
func (op *gruOp) SymDiff(in gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g := &gruGradOp{fwd: op}
	dx, err := gorgonia.ApplyOp(g, in[0], in[1], in[2], in[3], output, grad)
	if err != nil {
		return nil, err
	}
	out := gorgonia.Nodes{dx, nil, nil, nil, nil, nil}
	for k := 1; k <= 4; k++ {
		if out[k+1], err = gradPart(g, dx, k, in[k+1].Shape()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// gruGradOp is the backward pass of a gruOp: inputs x, mask, W, U, the forward output (for order only)
// and ∂L/∂output; its value is ∂L/∂x (B, T, D), and grad(1..4) are ∂L/∂W, ∂L/∂U, ∂L/∂b_i, ∂L/∂b_h.
// Going back from t = T with ∂h = ∂L/∂h_t (from the output and from step t+1):
//
//	∂h̃ = m_t ∂h, ∂n = ∂h̃ ⊙ (1 − z), ∂z = ∂h̃ ⊙ (h_{t−1} − n)
//	∂A_n = ∂n ⊙ (1 − n²), ∂A_r = ∂A_n ⊙ u_t[n] ⊙ r(1 − r), ∂A_z = ∂z ⊙ z(1 − z)
//	∂u_t = (∂A_r, ∂A_z, ∂A_n ⊙ r)
//	∂h_{t−1} = (1 − m_t)∂h + ∂h̃ ⊙ z + ∂u_t·Uᵀ
//
// and then, over all steps at once: ∂X = ∂A·Wᵀ, ∂W = Xᵀ·∂A, ∂b_i = Σ_rows ∂A, ∂U = H_prevᵀ·∂u,
// ∂b_h = Σ_rows ∂u. At a padded step (m_t = 0) ∂A and ∂u are exactly 0.
type gruGradOp struct {
	cpuOp
	fwd *gruOp
	out *tensor.Dense
}

func (op *gruGradOp) Arity() int { return 6 }
func (op *gruGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := func(d int) hm.Type { return &gorgonia.TensorType{Dims: d, Of: a} }
	out := 3
	if op.fwd.last {
		out = 2
	}
	return hm.NewFnType(t(3), t(2), t(2), t(2), t(out), t(out), t(3))
}
func (op *gruGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	xs, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return xs.Clone(), nil
}

func (op *gruGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 6 {
		return nil, fmt.Errorf("%v: %d inputs, want 6", op, len(vals))
	}
	h := stateSize(vals[3])
	in, err := recurrentInputs(op, vals[:4], func(d int) []tensor.Shape {
		return []tensor.Shape{{d, 3 * h}, {h, 3 * h}}
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
		err = gruBackward(op, kernels64, in, dy)
	case tensor.Float32:
		err = gruBackward(op, kernels32, in, dy)
	default:
		err = checkFloat(op, in[0].Dtype())
	}
	if err != nil {
		return nil, err
	}
	return op.out, nil
}

func gruBackward[F float32 | float64](op *gruGradOp, k kernels[F], in []*tensor.Dense, dyT *tensor.Dense) error {
	s, ok := op.fwd.s.(*gruState[F])
	xs := in[0].Shape()
	if !ok || s.b != xs[0] || s.t != xs[1] || s.d != xs[2] {
		return fmt.Errorf("%v: the forward pass has not run on this input", op)
	}
	nb, nt, d, h := s.b, s.t, s.d, s.h
	if want := (tensor.Shape{nb, nt, h}); op.fwd.last && !dyT.Shape().Eq(tensor.Shape{nb, h}) || !op.fwd.last && !dyT.Shape().Eq(want) {
		return fmt.Errorf("%v: output gradient has shape %v", op, dyT.Shape())
	}
	x, mask, w, u, dy := in[0].Data().([]F), in[1].Data().([]F), in[2].Data().([]F), in[3].Data().([]F), dyT.Data().([]F)
	g3 := 3 * h
	s.da, s.du, s.hprev = grow(s.da, nb*nt*g3), grow(s.du, nb*nt*g3), grow(s.hprev, nb*nt*h)
	s.dh = grow(s.dh, nb*h)
	clear(s.dh)
	for t := nt - 1; t >= 0; t-- {
		forRows(nb, g3, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				r := b*nt + t
				dh := s.dh[b*h : (b+1)*h]
				switch {
				case !op.fwd.last:
					addTo(dh, dy[r*h:(r+1)*h])
				case t == nt-1:
					addTo(dh, dy[b*h:(b+1)*h])
				}
				da, du := s.da[r*g3:(r+1)*g3], s.du[r*g3:(r+1)*g3]
				m := mask[r]
				if m == 0 { // padded: the state passed through unchanged, and so does its gradient
					clear(da)
					clear(du)
					continue
				}
				a, un := s.a[r*g3:(r+1)*g3], s.u[r*g3+2*h:(r+1)*g3]
				gr, gz, gn := a[:h], a[h:2*h], a[2*h:]
				var hp []F
				if t > 0 {
					hp = s.hs[(r-1)*h : r*h]
				}
				for j := 0; j < h; j++ {
					var hprev F
					if hp != nil {
						hprev = hp[j]
					}
					dhn := m * dh[j]
					dn := dhn * (1 - gz[j])
					dz := dhn * (hprev - gn[j])
					dan := dn * (1 - gn[j]*gn[j])
					dar := dan * un[j] * gr[j] * (1 - gr[j])
					daz := dz * gz[j] * (1 - gz[j])
					da[j], da[h+j], da[2*h+j] = dar, daz, dan
					du[j], du[h+j], du[2*h+j] = dar, daz, dan*gr[j]
					dh[j] = (1-m)*dh[j] + dhn*gz[j] // ∂u_t·Uᵀ is added below
				}
			}
		})
		if t > 0 { // ∂h_{t−1} += ∂u_t·Uᵀ
			k.gemm(false, true, nb, h, g3, s.du[t*g3:], nt*g3, u, g3, 1, s.dh, h)
		}
	}
	previousStates(s.hprev, s.hs, nb, nt, h)
	dt := in[0].Dtype()
	s.dw = ownBuffer(s.dw, in[2])
	s.dU = ownBuffer(s.dU, in[3])
	if s.dbi == nil || s.dbi.Dtype() != dt || s.dbi.Shape()[0] != g3 {
		s.dbi = tensor.New(tensor.Of(dt), tensor.WithShape(g3))
		s.dbh = tensor.New(tensor.Of(dt), tensor.WithShape(g3))
	}
	k.gemm(false, true, nb*nt, d, g3, s.da, g3, w, g3, 0, op.out.Data().([]F), d) // ∂X = ∂A·Wᵀ
	k.gemm(true, false, d, g3, nb*nt, x, d, s.da, g3, 0, s.dw.Data().([]F), g3)   // ∂W = Xᵀ·∂A
	k.gemm(true, false, h, g3, nb*nt, s.hprev, h, s.du, g3, 0, s.dU.Data().([]F), g3)
	dbi, dbh := s.dbi.Data().([]F), s.dbh.Data().([]F)
	clear(dbi)
	clear(dbh)
	for r := 0; r < nb*nt; r++ {
		addTo(dbi, s.da[r*g3:(r+1)*g3])
		addTo(dbh, s.du[r*g3:(r+1)*g3])
	}
	return nil
}

func (op *gruGradOp) grad(k int) *tensor.Dense {
	switch s := op.fwd.s.(type) {
	case *gruState[float32]:
		return [...]*tensor.Dense{nil, s.dw, s.dU, s.dbi, s.dbh}[k]
	case *gruState[float64]:
		return [...]*tensor.Dense{nil, s.dw, s.dU, s.dbi, s.dbh}[k]
	}
	return nil
}

func (op *gruGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.grugrad last=%v", op.fwd.last)
}
func (op *gruGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *gruGradOp) String() string   { return fmt.Sprintf("GRUGrad(last=%v)", op.fwd.last) }
