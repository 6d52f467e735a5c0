package layers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// matMulOp is Dense's product y = x·W for x (…, k) of any rank ≥ 2, read as the (N, k) matrix of its
// rows, and W (k, n): y is (…, n). It calls the BLAS Gorgonia's tensor package uses (so an OpenBLAS
// build, or any BLAS registered with tensor.Use, speeds it up too) into a buffer the op owns, and so do
// its gradients:
//
//	∂x = ∂y·Wᵀ  (mode gradX: inputs ∂y, W)       ∂W = xᵀ·∂y  (mode gradW: inputs x, ∂y)
//
// Gorgonia's Mul computes the same but allocates its output afresh every run (the TapeMachine's Reset
// drops its registers), its gradient multiplies by transposed views, and a (B, T, k) input needs a
// reshape (a copy, graph.Reshape) on the way in and out.
type matMulOp struct {
	cpuOp
	mode   matMulMode
	dimsA  int // rank of the first input
	outDim tensor.Shape
	out    *tensor.Dense
}

type matMulMode int

const (
	matMulForward matMulMode = iota // x (…, k) · W (k, n) → (…, n)
	matMulGradX                     // ∂y (…, n) · Wᵀ (k, n) → (…, k)
	matMulGradW                     // xᵀ (…, k) · ∂y (…, n) → (k, n)
)

// rowsMatMul returns x·w for x (…, k) and w (k, n).
func rowsMatMul(x, w *gorgonia.Node) (*gorgonia.Node, error) {
	xs, ws := x.Shape(), w.Shape()
	if x.Dims() < 2 || w.Dims() != 2 || xs[len(xs)-1] != ws[0] {
		return nil, fmt.Errorf("matmul: shapes %v and %v, want (…, k) and (k, n)", xs, ws)
	}
	out := append(xs[:len(xs)-1:len(xs)-1].Clone(), ws[1])
	return gorgonia.ApplyOp(&matMulOp{mode: matMulForward, dimsA: x.Dims(), outDim: out}, x, w)
}

func (op *matMulOp) Arity() int { return 2 }
func (op *matMulOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	first := &gorgonia.TensorType{Dims: op.dimsA, Of: a}
	second := &gorgonia.TensorType{Dims: 2, Of: a}
	if op.mode == matMulGradW {
		second = first
	}
	return hm.NewFnType(first, second, &gorgonia.TensorType{Dims: len(op.outDim), Of: a})
}
func (op *matMulOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.outDim.Clone(), nil
}

// gemm returns the BLAS call's transposes and sizes for inputs of shapes as, bs: C (m, n) = op(A)·op(B)
// with inner size k, checking that the shapes fit.
func (op *matMulOp) gemm(as, bs tensor.Shape) (tA, tB blas.Transpose, m, n, k int, err error) {
	tA, tB = blas.NoTrans, blas.NoTrans
	if len(as) < 2 || len(bs) < 1 || as.TotalSize() == 0 || bs.TotalSize() == 0 {
		return tA, tB, 0, 0, 0, fmt.Errorf("%v: shapes %v and %v, want matrices", op, as, bs)
	}
	rowsA, last := as.TotalSize()/as[len(as)-1], as[len(as)-1]
	fits := false
	switch op.mode {
	case matMulForward: // (N, k)·(k, n)
		fits = len(bs) == 2 && bs[0] == last
		m, k, n = rowsA, last, bs[len(bs)-1]
	case matMulGradX: // (N, n)·(k, n)ᵀ
		fits = len(bs) == 2 && bs[1] == last
		tB = blas.Trans
		m, k, n = rowsA, last, bs[0]
	case matMulGradW: // (N, k)ᵀ·(N, n)
		fits = bs.TotalSize()/bs[len(bs)-1] == rowsA
		tA = blas.Trans
		m, k, n = last, rowsA, bs[len(bs)-1]
	}
	if !fits {
		return tA, tB, 0, 0, 0, fmt.Errorf("%v: shapes %v and %v do not fit", op, as, bs)
	}
	if op.outDim.TotalSize() != m*n {
		return tA, tB, 0, 0, 0, fmt.Errorf("%v: shapes %v and %v do not give %v", op, as, bs, op.outDim)
	}
	return tA, tB, m, n, k, nil
}

func (op *matMulOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	a, b, err := denseInputs(op, vals)
	if err != nil {
		return nil, err
	}
	if a.Dtype() != b.Dtype() {
		return nil, fmt.Errorf("%v: dtypes %v and %v differ", op, a.Dtype(), b.Dtype())
	}
	tA, tB, m, n, k, err := op.gemm(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	if op.out == nil || op.out.Dtype() != a.Dtype() {
		op.out = tensor.New(tensor.Of(a.Dtype()), tensor.WithShape(op.outDim.Clone()...))
	}
	lda, ldb := a.Shape()[a.Dims()-1], b.Shape()[b.Dims()-1]
	impl := tensor.WhichBLAS()
	switch ad := a.Data().(type) {
	case []float64:
		impl.Dgemm(tA, tB, m, n, k, 1, ad, lda, b.Data().([]float64), ldb, 0, op.out.Data().([]float64), n)
	case []float32:
		impl.Sgemm(tA, tB, m, n, k, 1, ad, lda, b.Data().([]float32), ldb, 0, op.out.Data().([]float32), n)
	default:
		return nil, checkFloat(op, a.Dtype())
	}
	return op.out, nil
}

func (op *matMulOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.matmul mode=%d dims=%d out=%v", op.mode, op.dimsA, op.outDim)
}
func (op *matMulOp) Hashcode() uint32 { return hashOf(op) }
func (op *matMulOp) String() string {
	return [...]string{"MatMul", "MatMulGradX", "MatMulGradW"}[op.mode]
}

func (op *matMulOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff: ∂x = ∂y·Wᵀ and ∂W = xᵀ·∂y (forward mode only; the gradient modes are not differentiated).
func (op *matMulOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if op.mode != matMulForward {
		return nil, fmt.Errorf("%v: no second derivative", op)
	}
	x, w := in[0], in[1]
	dx, err := gorgonia.ApplyOp(&matMulOp{mode: matMulGradX, dimsA: grad.Dims(), outDim: x.Shape().Clone()}, grad, w)
	if err != nil {
		return nil, err
	}
	dw, err := gorgonia.ApplyOp(&matMulOp{mode: matMulGradW, dimsA: x.Dims(), outDim: w.Shape().Clone()}, x, grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dx, dw}, nil
}
