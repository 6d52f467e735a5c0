package layers

import (
	"fmt"
	"hash"
	"hash/fnv"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Helpers shared by the custom ops of this package.

// cpuOp gives an op the three answers every op of this package shares with Gorgonia's machine: its
// value is a tensor of its own, not a pointer into an input (ReturnsPtr); it runs in Go on the CPU
// (CallsExtern); and it overwrites none of its inputs (OverwritesInput −1).
type cpuOp struct{}

func (cpuOp) ReturnsPtr() bool     { return false }
func (cpuOp) CallsExtern() bool    { return false }
func (cpuOp) OverwritesInput() int { return -1 }

// hashOf is an op's Hashcode: FNV-1a of what its WriteHash writes.
func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// denseInputs returns the two inputs of a binary op as materialised dense tensors.
func denseInputs(op fmt.Stringer, vals []gorgonia.Value) (a, b *tensor.Dense, err error) {
	a, ok1 := vals[0].(*tensor.Dense)
	b, ok2 := vals[1].(*tensor.Dense)
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("%v: inputs are %T and %T, want dense tensors", op, vals[0], vals[1])
	}
	if a.IsView() {
		a = a.Materialize().(*tensor.Dense)
	}
	if b.IsView() {
		b = b.Materialize().(*tensor.Dense)
	}
	return a, b, nil
}

// ownBuffer returns buf if it has like's shape and dtype, else a new tensor for it. An op that returns its
// own buffer gives the machine memory that no input, parameter or other node shares.
func ownBuffer(buf, like *tensor.Dense) *tensor.Dense {
	if buf == nil || buf.Dtype() != like.Dtype() || !buf.Shape().Eq(like.Shape()) {
		return tensor.New(tensor.Of(like.Dtype()), tensor.WithShape(like.Shape().Clone()...))
	}
	return buf
}
