package graph

import (
	"fmt"
	"hash"
	"sync/atomic"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var keepIDs atomic.Uint64

// keepOp copies its input into a buffer of its own as soon as the input is computed. The TapeMachine may
// reuse the input's register later in the run; the copy is safe from that. It passes its input through
// unchanged and is never differentiated (nothing depends on it).
type keepOp struct {
	id  uint64
	buf []float64
	out *tensor.Dense // the op's own result, so no later in-place write can reach its input's memory
}

// keep attaches a keepOp to n and returns it.
func keep(n *gorgonia.Node) (*keepOp, error) {
	op := &keepOp{id: keepIDs.Add(1), buf: make([]float64, n.Shape().TotalSize())}
	if _, err := gorgonia.ApplyOp(op, n); err != nil {
		return nil, fmt.Errorf("graph: keep %q: %w", n.Name(), err)
	}
	return op, nil
}

func (op *keepOp) Arity() int { return 1 }
func (op *keepOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op *keepOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("keep: input shape is a %T", in[0])
	}
	return s.Clone(), nil
}
func (op *keepOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	switch v := vals[0].(type) {
	case tensor.Tensor:
		if err := copyOut(op.buf, v.Data()); err != nil {
			return nil, err
		}
		if op.out == nil {
			op.out = tensor.New(tensor.Of(v.Dtype()), tensor.WithShape(v.Shape().Clone()...))
		}
		if err := CopyFrom(op.out, op.buf); err != nil {
			return nil, fmt.Errorf("keep: %w", err)
		}
		return op.out, nil
	case gorgonia.Scalar:
		if err := copyOut(op.buf, v.Data()); err != nil {
			return nil, err
		}
		if v.Dtype() == tensor.Float32 {
			return gorgonia.NewF32(float32(op.buf[0])), nil
		}
		return gorgonia.NewF64(op.buf[0]), nil
	}
	return nil, fmt.Errorf("keep: cannot copy a %T", vals[0])
}

func copyOut(dst []float64, data interface{}) error {
	switch d := data.(type) {
	case []float64:
		copy(dst, d)
	case []float32:
		for i, v := range d {
			dst[i] = float64(v)
		}
	case float64:
		dst[0] = d
	case float32:
		dst[0] = float64(d)
	default:
		return fmt.Errorf("keep: cannot copy %T", data)
	}
	return nil
}

func (op *keepOp) ReturnsPtr() bool      { return false }
func (op *keepOp) CallsExtern() bool     { return false }
func (op *keepOp) OverwritesInput() int  { return -1 }
func (op *keepOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "keep%d", op.id) }
func (op *keepOp) Hashcode() uint32      { return uint32(op.id*2654435761) ^ uint32(op.id>>32) }
func (op *keepOp) String() string        { return fmt.Sprintf("keep%d", op.id) }
