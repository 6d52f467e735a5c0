package layers

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Custom ops for multi-head attention (this file and attention_softmax.go). Each writes into a buffer the
// op owns — never a view of an input, so no later in-place Gorgonia op can reach a parameter or a value
// backward still needs — and none adds stray gradient work to the graph.

// headsOp permutes between the projection layout (B·T, H·dh) — or (B, T, H·dh), the same memory — and
// the per-head layout (B·H, T, dh), with an optional scale: split: out[b·H+h, t, e] =
// scale · in[b·T+t, h·dh+e]; merge is its inverse (times scale). The gradient of one is the other with
// the same scale.
type headsOp struct {
	b, t, h, dh int
	merge       bool
	seq         bool // the projection side is (B, T, H·dh) rather than (B·T, H·dh)
	scale       float64
	out         *tensor.Dense
}

// splitHeads returns scale·x permuted from (B·T, H·dh) or (B, T, H·dh) to (B·H, T, dh).
func splitHeads(x *gorgonia.Node, b, t, h int, scale float64) (*gorgonia.Node, error) {
	d := x.Shape()[x.Dims()-1]
	return gorgonia.ApplyOp(&headsOp{b: b, t: t, h: h, dh: d / h, seq: x.Dims() == 3, scale: scale}, x)
}

// mergeHeads returns scale·x permuted from (B·H, T, dh) to (B·T, H·dh), or to (B, T, H·dh) with seq.
func mergeHeads(x *gorgonia.Node, b, t, h int, scale float64, seq bool) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&headsOp{b: b, t: t, h: h, dh: x.Shape()[2], merge: true, seq: seq, scale: scale}, x)
}

func (op *headsOp) shapes() (in, out tensor.Shape) {
	flat, heads := tensor.Shape{op.b * op.t, op.h * op.dh}, tensor.Shape{op.b * op.h, op.t, op.dh}
	if op.seq {
		flat = tensor.Shape{op.b, op.t, op.h * op.dh}
	}
	if op.merge {
		return heads, flat
	}
	return flat, heads
}

func (op *headsOp) Arity() int { return 1 }
func (op *headsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	in, out := op.shapes()
	return hm.NewFnType(&gorgonia.TensorType{Dims: len(in), Of: a}, &gorgonia.TensorType{Dims: len(out), Of: a})
}
func (op *headsOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	_, out := op.shapes()
	return out.Clone(), nil
}

func (op *headsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: input is a %T, want a dense tensor", op, vals[0])
	}
	if in.IsView() {
		in = in.Materialize().(*tensor.Dense)
	}
	want, out := op.shapes()
	if !in.Shape().Eq(want) {
		return nil, fmt.Errorf("%v: input has shape %v, want %v", op, in.Shape(), want)
	}
	if op.out == nil || op.out.Dtype() != in.Dtype() {
		op.out = tensor.New(tensor.Of(in.Dtype()), tensor.WithShape(out...))
	}
	switch src := in.Data().(type) {
	case []float64:
		permuteHeads(op, src, op.out.Data().([]float64), op.scale)
	case []float32:
		permuteHeads(op, src, op.out.Data().([]float32), float32(op.scale))
	default:
		return nil, fmt.Errorf("%v: dtype %v is not float32 or float64", op, in.Dtype())
	}
	return op.out, nil
}

func permuteHeads[F float32 | float64](op *headsOp, src, dst []F, scale F) {
	d := op.h * op.dh
	for b := 0; b < op.b; b++ {
		for t := 0; t < op.t; t++ {
			flat := (b*op.t + t) * d
			for h := 0; h < op.h; h++ {
				head := ((b*op.h+h)*op.t + t) * op.dh
				f, g := flat+h*op.dh, head
				if op.merge {
					f, g = g, f
				}
				for e, v := range src[f : f+op.dh] {
					dst[g+e] = scale * v
				}
			}
		}
	}
}

func (op *headsOp) ReturnsPtr() bool     { return false }
func (op *headsOp) CallsExtern() bool    { return false }
func (op *headsOp) OverwritesInput() int { return -1 }
func (op *headsOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.heads b=%d t=%d h=%d dh=%d merge=%v seq=%v scale=%v", op.b, op.t, op.h, op.dh, op.merge, op.seq, op.scale)
}
func (op *headsOp) Hashcode() uint32 { return hashOf(op) }
func (op *headsOp) String() string {
	if op.merge {
		return fmt.Sprintf("MergeHeads(%d)", op.h)
	}
	return fmt.Sprintf("SplitHeads(%d)", op.h)
}

func (op *headsOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: the gradient of a scaled permutation is the inverse permutation with the same scale.
func (op *headsOp) SymDiff(_ gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	inv := &headsOp{b: op.b, t: op.t, h: op.h, dh: op.dh, merge: !op.merge, seq: op.seq, scale: op.scale}
	g, err := gorgonia.ApplyOp(inv, grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g}, nil
}

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
