package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reshape returns x with a new shape of the same size, as a copy.
//
// Use it instead of gorgonia.Reshape. Gorgonia's reshape returns a view that shares memory with its input
// and declares that it may overwrite that input; the TapeMachine then lets a later operation write into
// the view's register in place, which silently overwrites the input — a parameter of the store, or a
// value the backward pass still needs (TestGorgoniaReshapeCorruptsItsInput shows it). This op copies into
// a buffer of its own, so nothing downstream can reach its input's memory. Its gradient is the incoming
// gradient reshaped back, again by copy.
func Reshape(x *gorgonia.Node, shape ...int) (*gorgonia.Node, error) {
	to := tensor.Shape(shape).Clone()
	if x == nil {
		return nil, fmt.Errorf("reshape: nil input")
	}
	if to.TotalSize() != x.Shape().TotalSize() {
		return nil, fmt.Errorf("reshape: cannot reshape %v (%d values) to %v (%d values)", x.Shape(), x.Shape().TotalSize(), to, to.TotalSize())
	}
	if sameDims(x.Shape(), to) {
		return x, nil
	}
	return gorgonia.ApplyOp(&reshapeOp{from: x.Shape().Clone(), to: to}, x)
}

// sameDims is exact equality of dimensions (tensor.Shape.Eq treats (n) and (n, 1) as equal).
func sameDims(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type reshapeOp struct {
	from, to tensor.Shape
}

func (op *reshapeOp) Arity() int { return 1 }
func (op *reshapeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(&gorgonia.TensorType{Dims: len(op.from), Of: a}, &gorgonia.TensorType{Dims: len(op.to), Of: a})
}
func (op *reshapeOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.to.Clone(), nil
}

func (op *reshapeOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("reshape: input is a %T, want a dense tensor", vals[0])
	}
	if in.IsView() {
		in = in.Materialize().(*tensor.Dense)
	}
	out := in.Clone().(*tensor.Dense)
	if err := out.Reshape(op.to...); err != nil {
		return nil, fmt.Errorf("reshape %v → %v: %w", op.from, op.to, err)
	}
	return out, nil
}

func (op *reshapeOp) ReturnsPtr() bool     { return false }
func (op *reshapeOp) CallsExtern() bool    { return false }
func (op *reshapeOp) OverwritesInput() int { return -1 }
func (op *reshapeOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.reshape %v→%v", op.from, op.to)
}
func (op *reshapeOp) Hashcode() uint32 {
	h := fnvHash{}
	op.WriteHash(&h)
	return h.sum
}
func (op *reshapeOp) String() string { return fmt.Sprintf("Reshape%v", op.to) }

// DiffWRT: the reshape is differentiable with respect to its one input.
func (op *reshapeOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: ∂L/∂x = reshape(∂L/∂y, shape of x).
func (op *reshapeOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := Reshape(grad, op.from...)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g}, nil
}

// fnvHash is a tiny FNV-1a hash.Hash32 for op hash codes.
type fnvHash struct{ sum uint32 }

func (f *fnvHash) Write(p []byte) (int, error) {
	if f.sum == 0 {
		f.sum = 2166136261
	}
	for _, c := range p {
		f.sum ^= uint32(c)
		f.sum *= 16777619
	}
	return len(p), nil
}
func (f *fnvHash) Sum(b []byte) []byte {
	return append(b, byte(f.sum>>24), byte(f.sum>>16), byte(f.sum>>8), byte(f.sum))
}
func (f *fnvHash) Reset()         { f.sum = 0 }
func (f *fnvHash) Size() int      { return 4 }
func (f *fnvHash) BlockSize() int { return 1 }
func (f *fnvHash) Sum32() uint32  { return f.sum }

var _ hash.Hash32 = (*fnvHash)(nil)
