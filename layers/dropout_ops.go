package layers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maskMulOp is dropout's product x ⊙ m with its mask m (a noise input of the same shape), into a buffer
// the op owns. Gorgonia's HadamardProd computes the same but clones x into a fresh tensor every run,
// forward and backward; on a Transformer step those clones were the largest single cost. The gradient
// is the same product on ∂L/∂y; the mask is not differentiated.
type maskMulOp struct {
	cpuOp
	out *tensor.Dense
}

func maskMul(x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&maskMulOp{}, x, mask)
}

func (op *maskMulOp) Arity() int { return 2 }
func (op *maskMulOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op *maskMulOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

func (op *maskMulOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, m, err := denseInputs(op, vals)
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(m.Shape()) || x.Dtype() != m.Dtype() {
		return nil, fmt.Errorf("%v: input %v %v and mask %v %v differ", op, x.Shape(), x.Dtype(), m.Shape(), m.Dtype())
	}
	op.out = ownBuffer(op.out, x)
	switch xd := x.Data().(type) {
	case []float64:
		mulInto(xd, m.Data().([]float64), op.out.Data().([]float64))
	case []float32:
		mulInto(xd, m.Data().([]float32), op.out.Data().([]float32))
	default:
		return nil, checkFloat(op, x.Dtype())
	}
	return op.out, nil
}

func mulInto[F float32 | float64](x, m, dst []F) {
	forRows(len(x), 1, func(lo, hi int) {
		x, m, dst := x[lo:hi], m[lo:hi], dst[lo:hi]
		for i, v := range x {
			dst[i] = v * m[i]
		}
	})
}

func (op *maskMulOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "intentlab.maskmul") }
func (op *maskMulOp) Hashcode() uint32      { return hashOf(op) }
func (op *maskMulOp) String() string        { return "MaskMul" }

func (op *maskMulOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff: ∂L/∂x = ∂L/∂y ⊙ m.
func (op *maskMulOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := maskMul(grad, in[1])
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g, nil}, nil
}
