package layers

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The attention core as two fused ops that read the projections in their own layout — Q, K and V as
// (B, T, D) or (B·T, D) rows, head h in columns [h·d, (h+1)·d) — so no head is ever copied out:
//
//	attnProbsOp:    P[b·H+h] = softmax(Q_h·K_hᵀ/√d + key mask)      (B·H, T, T)
//	attnContextOp:  C_h = (P[b·H+h] ⊙ M[b·H+h])·V_h, written into head h's columns of C   (V's shape)
//
// M is the dropout multiplier of the weights (a noise input; none in evaluation graphs). Each (sequence,
// head) pair is a few small matrix products with strided operands (the BLAS Gorgonia's tensor package
// uses) and one pass over its T×T scores, spread over GOMAXPROCS goroutines; a pair writes only its own
// rows of P and its own columns of C, so the result does not depend on the split. Against the split-
// heads, batched-product, masked-softmax, dropout-product, merge-heads chain these replace, a step keeps
// six fewer (B·H, T, T) tensors and ten fewer (B, T, D) ones per attention layer.

// attnDims are the sizes of one fused attention op: B sequences of T steps, H heads of width dh.
type attnDims struct{ b, t, h, dh int }

// attnDimsOf reads (B, T) from the mask and D from a projection x, (B, T, D) or (B·T, D).
func attnDimsOf(op fmt.Stringer, x, mask *tensor.Dense, heads int) (attnDims, error) {
	ms, xs := mask.Shape(), x.Shape()
	if len(ms) != 2 || heads < 1 || xs.TotalSize() == 0 {
		return attnDims{}, fmt.Errorf("%v: projection %v and mask %v", op, xs, ms)
	}
	d := xs[len(xs)-1]
	if xs.TotalSize() != ms[0]*ms[1]*d || d%heads != 0 {
		return attnDims{}, fmt.Errorf("%v: projection %v does not fit mask %v and %d heads", op, xs, ms, heads)
	}
	return attnDims{b: ms[0], t: ms[1], h: heads, dh: d / heads}, nil
}

// head returns the offset of head h of sequence n/H in a projection; rows are H·dh apart.
func (a attnDims) head(n int) int { return (n/a.h)*a.t*a.h*a.dh + (n%a.h)*a.dh }

// forPairs calls f for every (sequence, head) pair n in [0, B·H) on up to GOMAXPROCS goroutines, each
// with a T×T scratch buffer of its own.
func forPairs[F float32 | float64](a attnDims, f func(n int, scratch []F)) {
	forRows(a.b*a.h, a.t*a.t*a.dh, func(lo, hi int) {
		scratch := make([]F, a.t*a.t)
		for n := lo; n < hi; n++ {
			f(n, scratch)
		}
	})
}

// attnProbsOp computes the attention weights P (B·H, T, T) from q, k (the projections) and the key
// mask (B, T): the scores Q_h·K_hᵀ/√d with maskedKey added at padded keys (and, when causal, at later
// keys), softmaxed over the keys as maskedSoftmaxRow does.
type attnProbsOp struct {
	cpuOp
	heads  int
	causal bool
	out    *tensor.Dense
}

func attnProbs(q, k, mask *gorgonia.Node, heads int, causal bool) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&attnProbsOp{heads: heads, causal: causal}, q, k, mask)
}

func (op *attnProbsOp) Arity() int { return 3 }
func (op *attnProbsOp) Type() hm.Type {
	a, x := hm.TypeVariable('a'), hm.TypeVariable('x')
	return hm.NewFnType(x, x, &gorgonia.TensorType{Dims: 2, Of: a}, &gorgonia.TensorType{Dims: 3, Of: a})
}
func (op *attnProbsOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	m, ok := in[2].(tensor.Shape)
	if !ok || len(m) != 2 {
		return nil, fmt.Errorf("%v: mask shape %v", op, in[2])
	}
	return tensor.Shape{m[0] * op.heads, m[1], m[1]}, nil
}

func (op *attnProbsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, a, err := attnInputs(op, vals, op.heads, 0)
	if err != nil {
		return nil, err
	}
	if !in[1].Shape().Eq(in[0].Shape()) {
		return nil, fmt.Errorf("%v: projections %v and %v differ", op, in[0].Shape(), in[1].Shape())
	}
	if op.out == nil || op.out.Dtype() != in[0].Dtype() || !op.out.Shape().Eq(tensor.Shape{a.b * a.h, a.t, a.t}) {
		op.out = tensor.New(tensor.Of(in[0].Dtype()), tensor.WithShape(a.b*a.h, a.t, a.t))
	}
	switch in[0].Dtype() {
	case tensor.Float64:
		attnProbsForward(op, kernels64, a, in, op.out.Data().([]float64))
	case tensor.Float32:
		attnProbsForward(op, kernels32, a, in, op.out.Data().([]float32))
	default:
		return nil, checkFloat(op, in[0].Dtype())
	}
	return op.out, nil
}

func attnProbsForward[F float32 | float64](op *attnProbsOp, k kernels[F], a attnDims, in []*tensor.Dense, p []F) {
	q, key, mask := in[0].Data().([]F), in[1].Data().([]F), in[2].Data().([]F)
	ld, tt := a.h*a.dh, a.t*a.t
	scale := F(1 / math.Sqrt(float64(a.dh)))
	forPairs(a, func(n int, _ []F) {
		o, pn := a.head(n), p[n*tt:(n+1)*tt]
		k.gemm(false, true, a.t, a.t, a.dh, q[o:], ld, key[o:], ld, 0, pn, a.t) // Q_h·K_hᵀ (T, T)
		keys := mask[(n/a.h)*a.t : (n/a.h+1)*a.t]
		for i := 0; i < a.t; i++ {
			maskedSoftmaxRow(pn[i*a.t:(i+1)*a.t], pn[i*a.t:(i+1)*a.t], keys, scale, op.causal, i)
		}
	})
}

func (op *attnProbsOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.attnprobs heads=%d causal=%v", op.heads, op.causal)
}
func (op *attnProbsOp) Hashcode() uint32 { return hashOf(op) }
func (op *attnProbsOp) String() string {
	return fmt.Sprintf("AttentionProbs(heads=%d, causal=%v)", op.heads, op.causal)
}

func (op *attnProbsOp) DiffWRT(int) []bool { return []bool{true, true, false} }

// SymDiff returns the nodes of attnProbsGradOp: its node is ∂L/∂q, and a gradPartOp hands out ∂L/∂k.
func (op *attnProbsOp) SymDiff(in gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g := &attnProbsGradOp{heads: op.heads}
	dq, err := gorgonia.ApplyOp(g, in[0], in[1], in[2], output, grad)
	if err != nil {
		return nil, err
	}
	dk, err := gradPart(g, dq, 1, in[1].Shape())
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dq, dk, nil}, nil
}

// attnProbsGradOp is the backward pass of attnProbsOp: inputs q, k, mask, P and G = ∂L/∂P. With the
// softmax's gradient ∂S = P ⊙ (G − rowsum(P ⊙ G)) / √d (the mask adds constants to the scores),
//
//	∂Q_h = ∂S·K_h,  ∂K_h = ∂Sᵀ·Q_h
//
// its value is ∂L/∂q and grad(1) is ∂L/∂k, both of q's shape.
type attnProbsGradOp struct {
	cpuOp
	heads   int
	out, dk *tensor.Dense
}

func (op *attnProbsGradOp) Arity() int { return 5 }
func (op *attnProbsGradOp) Type() hm.Type {
	a, x := hm.TypeVariable('a'), hm.TypeVariable('x')
	p := &gorgonia.TensorType{Dims: 3, Of: a}
	return hm.NewFnType(x, x, &gorgonia.TensorType{Dims: 2, Of: a}, p, p, x)
}
func (op *attnProbsGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

func (op *attnProbsGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, a, err := attnInputs(op, vals, op.heads, 0)
	if err != nil {
		return nil, err
	}
	if !in[1].Shape().Eq(in[0].Shape()) || !in[4].Shape().Eq(in[3].Shape()) {
		return nil, fmt.Errorf("%v: projections %v and %v or weights %v and their gradient %v differ", op, in[0].Shape(), in[1].Shape(), in[3].Shape(), in[4].Shape())
	}
	if err := checkWeights(op, a, in[3:]); err != nil {
		return nil, err
	}
	op.out, op.dk = ownBuffer(op.out, in[0]), ownBuffer(op.dk, in[0])
	switch in[0].Dtype() {
	case tensor.Float64:
		attnProbsBackward(kernels64, a, in, op.out.Data().([]float64), op.dk.Data().([]float64))
	case tensor.Float32:
		attnProbsBackward(kernels32, a, in, op.out.Data().([]float32), op.dk.Data().([]float32))
	}
	return op.out, nil
}

func attnProbsBackward[F float32 | float64](k kernels[F], a attnDims, in []*tensor.Dense, dq, dk []F) {
	q, key, p, g := in[0].Data().([]F), in[1].Data().([]F), in[3].Data().([]F), in[4].Data().([]F)
	ld, tt := a.h*a.dh, a.t*a.t
	scale := F(1 / math.Sqrt(float64(a.dh)))
	forPairs(a, func(n int, ds []F) {
		o := a.head(n)
		softmaxGradRows(p[n*tt:(n+1)*tt], g[n*tt:(n+1)*tt], ds, a.t)
		for j := range ds {
			ds[j] *= scale
		}
		k.gemm(false, false, a.t, a.dh, a.t, ds, a.t, key[o:], ld, 0, dq[o:], ld) // ∂S·K_h (T, d)
		k.gemm(true, false, a.t, a.dh, a.t, ds, a.t, q[o:], ld, 0, dk[o:], ld)    // ∂Sᵀ·Q_h (T, d)
	})
}

func (op *attnProbsGradOp) grad(k int) *tensor.Dense {
	if k == 1 {
		return op.dk
	}
	return nil
}

func (op *attnProbsGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.attnprobsgrad heads=%d", op.heads)
}
func (op *attnProbsGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *attnProbsGradOp) String() string {
	return fmt.Sprintf("AttentionProbsGrad(heads=%d)", op.heads)
}

// attnContextOp computes C from P (B·H, T, T), v (a projection) and the mask (B, T, for the sizes),
// and, with dropout, the weights' multiplier M (B·H, T, T): C_h = (P ⊙ M)·V_h in head h's columns.
type attnContextOp struct {
	cpuOp
	heads   int
	dropout bool // a fourth input M
	out     *tensor.Dense
}

func attnContext(p, v, mask, drop *gorgonia.Node, heads int) (*gorgonia.Node, error) {
	if drop == nil {
		return gorgonia.ApplyOp(&attnContextOp{heads: heads}, p, v, mask)
	}
	return gorgonia.ApplyOp(&attnContextOp{heads: heads, dropout: true}, p, v, mask, drop)
}

func (op *attnContextOp) Arity() int    { return 3 + b2i(op.dropout) }
func (op *attnContextOp) Type() hm.Type { return hm.NewFnType(op.types()...) }

// types are the types of the op's inputs — P, v, mask and, with dropout, M — then of its output.
func (op *attnContextOp) types() []hm.Type {
	a, x := hm.TypeVariable('a'), hm.TypeVariable('x')
	p := &gorgonia.TensorType{Dims: 3, Of: a}
	ts := []hm.Type{p, x, &gorgonia.TensorType{Dims: 2, Of: a}}
	if op.dropout {
		ts = append(ts, p)
	}
	return append(ts, x)
}
func (op *attnContextOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[1].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[1])
	}
	return s.Clone(), nil
}

func (op *attnContextOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, a, err := attnInputs(op, vals, op.heads, 1)
	if err != nil {
		return nil, err
	}
	if err := checkWeights(op, a, append(in[:1:1], in[3:]...)); err != nil {
		return nil, err
	}
	op.out = ownBuffer(op.out, in[1])
	switch in[1].Dtype() {
	case tensor.Float64:
		attnContextForward(kernels64, a, in, op.out.Data().([]float64))
	case tensor.Float32:
		attnContextForward(kernels32, a, in, op.out.Data().([]float32))
	}
	return op.out, nil
}

// weightsAndDrop returns the data of P and of M (nil without dropout) from a context op's inputs.
func weightsAndDrop[F float32 | float64](in []*tensor.Dense) (p, m []F) {
	if len(in) > 3 {
		m = in[3].Data().([]F)
	}
	return in[0].Data().([]F), m
}

// droppedWeights returns P[n] ⊙ M[n] in scratch, or P[n] itself when m is nil.
func droppedWeights[F float32 | float64](p, m []F, n, tt int, scratch []F) []F {
	pn := p[n*tt : (n+1)*tt]
	if m == nil {
		return pn
	}
	for j, mj := range m[n*tt : (n+1)*tt] {
		scratch[j] = pn[j] * mj
	}
	return scratch
}

func attnContextForward[F float32 | float64](k kernels[F], a attnDims, in []*tensor.Dense, c []F) {
	p, m := weightsAndDrop[F](in)
	v := in[1].Data().([]F)
	ld := a.h * a.dh
	forPairs(a, func(n int, scratch []F) {
		o := a.head(n)
		k.gemm(false, false, a.t, a.dh, a.t, droppedWeights(p, m, n, a.t*a.t, scratch), a.t, v[o:], ld, 0, c[o:], ld) // (T, d)
	})
}

func (op *attnContextOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.attncontext heads=%d dropout=%v", op.heads, op.dropout)
}
func (op *attnContextOp) Hashcode() uint32 { return hashOf(op) }
func (op *attnContextOp) String() string {
	return fmt.Sprintf("AttentionContext(heads=%d, dropout=%v)", op.heads, op.dropout)
}

func (op *attnContextOp) DiffWRT(int) []bool { return []bool{true, true, false, false}[:op.Arity()] }

// SymDiff returns the nodes of attnContextGradOp: its node is ∂L/∂P, and a gradPartOp hands out ∂L/∂v.
func (op *attnContextOp) SymDiff(in gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g := &attnContextGradOp{fwd: op}
	dp, err := gorgonia.ApplyOp(g, append(in[:len(in):len(in)], grad)...)
	if err != nil {
		return nil, err
	}
	dv, err := gradPart(g, dp, 1, in[1].Shape())
	if err != nil {
		return nil, err
	}
	out := gorgonia.Nodes{dp, dv, nil, nil}
	return out[:len(in)], nil
}

// attnContextGradOp is the backward pass of attnContextOp: its inputs, then G = ∂L/∂C. Per head,
//
//	∂P = (G_h·V_hᵀ) ⊙ M,  ∂V_h = (P ⊙ M)ᵀ·G_h
//
// its value is ∂L/∂P (B·H, T, T) and grad(1) is ∂L/∂v.
type attnContextGradOp struct {
	cpuOp
	fwd     *attnContextOp
	out, dv *tensor.Dense
}

func (op *attnContextGradOp) Arity() int { return op.fwd.Arity() + 1 }
func (op *attnContextGradOp) Type() hm.Type {
	ts := op.fwd.types() // the forward's inputs, then ∂L/∂C of its output's type
	return hm.NewFnType(append(ts, ts[0])...)
}
func (op *attnContextGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

func (op *attnContextGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(vals), op.Arity())
	}
	in, a, err := attnInputs(op, vals, op.fwd.heads, 1)
	if err != nil {
		return nil, err
	}
	last := len(in) - 1
	if err := checkWeights(op, a, in[:1]); err != nil {
		return nil, err
	}
	if !in[last].Shape().Eq(in[1].Shape()) {
		return nil, fmt.Errorf("%v: output gradient %v, want %v", op, in[last].Shape(), in[1].Shape())
	}
	op.out, op.dv = ownBuffer(op.out, in[0]), ownBuffer(op.dv, in[1])
	switch in[1].Dtype() {
	case tensor.Float64:
		attnContextBackward(kernels64, a, in[:last], in[last].Data().([]float64), op.out.Data().([]float64), op.dv.Data().([]float64))
	case tensor.Float32:
		attnContextBackward(kernels32, a, in[:last], in[last].Data().([]float32), op.out.Data().([]float32), op.dv.Data().([]float32))
	}
	return op.out, nil
}

func attnContextBackward[F float32 | float64](k kernels[F], a attnDims, in []*tensor.Dense, g, dp, dv []F) {
	p, m := weightsAndDrop[F](in)
	v := in[1].Data().([]F)
	ld, tt := a.h*a.dh, a.t*a.t
	forPairs(a, func(n int, scratch []F) {
		o, dpn := a.head(n), dp[n*tt:(n+1)*tt]
		k.gemm(false, true, a.t, a.t, a.dh, g[o:], ld, v[o:], ld, 0, dpn, a.t) // G_h·V_hᵀ (T, T)
		if m != nil {
			for j, mj := range m[n*tt : (n+1)*tt] {
				dpn[j] *= mj
			}
		}
		k.gemm(true, false, a.t, a.dh, a.t, droppedWeights(p, m, n, tt, scratch), a.t, g[o:], ld, 0, dv[o:], ld) // (T, d)
	})
}

func (op *attnContextGradOp) grad(k int) *tensor.Dense {
	if k == 1 {
		return op.dv
	}
	return nil
}

func (op *attnContextGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.attncontextgrad heads=%d dropout=%v", op.fwd.heads, op.fwd.dropout)
}
func (op *attnContextGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *attnContextGradOp) String() string {
	return fmt.Sprintf("AttentionContextGrad(heads=%d, dropout=%v)", op.fwd.heads, op.fwd.dropout)
}

// attnInputs returns the values of a fused attention op's inputs as dense tensors of one float dtype,
// with the sizes read from the mask (input 2) and the projection in[proj].
func attnInputs(op fmt.Stringer, vals []gorgonia.Value, heads, proj int) ([]*tensor.Dense, attnDims, error) {
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, attnDims{}, err
	}
	if err := sameDtype(op, in); err != nil {
		return nil, attnDims{}, err
	}
	if err := checkFloat(op, in[0].Dtype()); err != nil {
		return nil, attnDims{}, err
	}
	a, err := attnDimsOf(op, in[proj], in[2], heads)
	if err != nil {
		return nil, attnDims{}, err
	}
	return in, a, nil
}

// checkWeights returns an error unless every tensor of ws is (B·H, T, T).
func checkWeights(op fmt.Stringer, a attnDims, ws []*tensor.Dense) error {
	want := tensor.Shape{a.b * a.h, a.t, a.t}
	for _, w := range ws {
		if !w.Shape().Eq(want) {
			return fmt.Errorf("%v: weights %v, want %v", op, w.Shape(), want)
		}
	}
	return nil
}
