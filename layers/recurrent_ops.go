package layers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/internal/vmath"
)

// Pieces shared by the whole-sequence LSTM and GRU ops (lstm_ops.go, gru_ops.go): the element-wise and
// matrix kernels of both float types, the inputs' checks, the output buffer and the op that hands out
// one of a backward op's gradients. The kernels and gradPartOp serve the fused attention ops
// (attention_fused.go) too.

// kernels are the float-type-specific kernels of the recurrent and attention ops: a BLAS matrix
// product (the one Gorgonia's tensor package uses, so a faster BLAS registered with tensor.Use speeds
// the ops up too) and the activations.
type kernels[F float32 | float64] struct {
	// gemm sets c = a·b + beta·c for row-major a (m, k) and b (k, n), either transposed first (then
	// stored as (k, m) and (n, k)), with leading dimensions lda, ldb, ldc.
	gemm          func(ta, tb bool, m, n, k int, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int)
	sigmoid, tanh func(dst, x []F)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

var (
	kernels32 = kernels[float32]{
		gemm: func(ta, tb bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			tensor.WhichBLAS().Sgemm(trans(ta), trans(tb), m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		},
		sigmoid: vmath.Sigmoid32,
		tanh:    vmath.Tanh32,
	}
	kernels64 = kernels[float64]{
		gemm: func(ta, tb bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
			tensor.WhichBLAS().Dgemm(trans(ta), trans(tb), m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		},
		sigmoid: vmath.Sigmoid64,
		tanh:    vmath.Tanh64,
	}
)

// grow returns buf resized to n elements, reusing its memory when it is large enough.
func grow[F float32 | float64](buf []F, n int) []F {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]F, n)
}

// recurrentInputs checks the values of a recurrent op's inputs — x (B, T, D), mask (B, T), then the
// parameters with the shapes want gives for (D, H) — and returns them as dense tensors of one dtype.
func recurrentInputs(op fmt.Stringer, vals []gorgonia.Value, want func(d int) []tensor.Shape) ([]*tensor.Dense, error) {
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, err
	}
	if err := sameDtype(op, in); err != nil {
		return nil, err
	}
	xs := in[0].Shape()
	if len(xs) != 3 || !in[1].Shape().Eq(tensor.Shape{xs[0], xs[1]}) {
		return nil, fmt.Errorf("%v: input %v and mask %v, want (B, T, D) and (B, T)", op, xs, in[1].Shape())
	}
	for i, s := range want(xs[2]) {
		if !in[2+i].Shape().Eq(s) {
			return nil, fmt.Errorf("%v: parameter %d has shape %v, want %v", op, i, in[2+i].Shape(), s)
		}
	}
	return in, nil
}

// recurrentOutput returns buf if it can hold a recurrent op's output for x (B, T, D) and state size H —
// every state (B, T, H), or with last only h_T (B, H) — else a new tensor for it.
func recurrentOutput(buf, x *tensor.Dense, h int, last bool) *tensor.Dense {
	xs := x.Shape()
	shape := tensor.Shape{xs[0], xs[1], h}
	if last {
		shape = tensor.Shape{xs[0], h}
	}
	if buf == nil || buf.Dtype() != x.Dtype() || !buf.Shape().Eq(shape) {
		return tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(shape...))
	}
	return buf
}

// outputGrad returns the output gradient v of a recurrent backward op as a materialised dense tensor
// of dtype dt.
func outputGrad(op fmt.Stringer, v gorgonia.Value, dt tensor.Dtype) (*tensor.Dense, error) {
	dy, ok := v.(*tensor.Dense)
	if !ok || dy.Dtype() != dt {
		return nil, fmt.Errorf("%v: output gradient is a %T, want a dense %v tensor", op, v, dt)
	}
	if dy.IsView() {
		dy = dy.Materialize().(*tensor.Dense)
	}
	return dy, nil
}

// copyOutput writes a recurrent op's output from its states hs (B, T, H): all of them, or with last
// only each sequence's h_T into out (B, H).
func copyOutput[F float32 | float64](out, hs []F, nb, nt, h int, last bool) {
	if !last {
		copy(out, hs)
		return
	}
	for b := 0; b < nb; b++ {
		copy(out[b*h:(b+1)*h], hs[(b*nt+nt-1)*h:(b*nt+nt)*h])
	}
}

// previousStates sets hprev (B, T, H) to the states hs shifted one step: h_{t−1} at row b·T + t, and 0
// at t = 0 — the left operand of ∂U = H_prevᵀ·∂z.
func previousStates[F float32 | float64](hprev, hs []F, nb, nt, h int) {
	for b := 0; b < nb; b++ {
		row := hprev[b*nt*h : (b+1)*nt*h]
		clear(row[:h])
		copy(row[h:], hs[b*nt*h:((b+1)*nt-1)*h])
	}
}

// stateSize returns H from the value of U (H, G·H), or 0 if it is not a matrix.
func stateSize(u gorgonia.Value) int {
	if t, ok := u.(tensor.Tensor); ok && t.Dims() == 2 {
		return t.Shape()[0]
	}
	return 0
}

// gradSource is a backward op that computes several gradients in one pass: its node's value is the
// first, and gradPartOp hands out the others.
type gradSource interface {
	fmt.Stringer
	grad(k int) *tensor.Dense // gradient k ≥ 1, valid after the op's Do in the same run
}

// gradPartOp returns a copy, in a buffer it owns, of gradient k of the backward op whose node is its
// input (the input ties it to that op's run; its value is not read).
type gradPartOp struct {
	cpuOp
	src   gradSource
	k     int
	dims  int // rank of the source node's value
	shape tensor.Shape
	out   *tensor.Dense
}

func gradPart(src gradSource, node *gorgonia.Node, k int, shape tensor.Shape) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&gradPartOp{src: src, k: k, dims: node.Dims(), shape: shape.Clone()}, node)
}

func (op *gradPartOp) Arity() int { return 1 }
func (op *gradPartOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(&gorgonia.TensorType{Dims: op.dims, Of: a}, &gorgonia.TensorType{Dims: len(op.shape), Of: a})
}
func (op *gradPartOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.shape.Clone(), nil
}
func (op *gradPartOp) Do(...gorgonia.Value) (gorgonia.Value, error) {
	g := op.src.grad(op.k)
	if g == nil || !g.Shape().Eq(op.shape) {
		return nil, fmt.Errorf("%v: gradient %d of %v is not ready", op, op.k, op.src)
	}
	op.out = ownBuffer(op.out, g)
	switch src := g.Data().(type) {
	case []float64:
		copy(op.out.Data().([]float64), src)
	case []float32:
		copy(op.out.Data().([]float32), src)
	default:
		return nil, checkFloat(op, g.Dtype())
	}
	return op.out, nil
}
func (op *gradPartOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.gradpart k=%d shape=%v of %v", op.k, op.shape, op.src)
}
func (op *gradPartOp) Hashcode() uint32 { return hashOf(op) }
func (op *gradPartOp) String() string   { return fmt.Sprintf("GradPart(%d)", op.k) }
