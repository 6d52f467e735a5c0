package layers

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// idsOp reads the integer ids of an Embedding (any shape, N ids) and makes one of two values the graph
// needs from them, neither of which is differentiated:
//   - asMask false: the ids flattened to (N), after checking that each lies in [0, vocab) — so a bad id is
//     an error naming the layer instead of a panic or a silent read of another row;
//   - asMask true: the (N, 1) keep mask of dtype mask, 0 where the id is pad and 1 elsewhere.
type idsOp struct {
	layer  string
	vocab  int
	pad    int
	asMask bool
	mask   tensor.Dtype
}

func (op *idsOp) Arity() int { return 1 }

func (op *idsOp) Type() hm.Type {
	in := hm.TypeVariable('a')
	if op.asMask {
		return hm.NewFnType(in, &gorgonia.TensorType{Dims: 2, Of: op.mask})
	}
	return hm.NewFnType(in, &gorgonia.TensorType{Dims: 1, Of: tensor.Int})
}

func (op *idsOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("embedding %q: ids shape is a %T", op.layer, in[0])
	}
	if op.asMask {
		return tensor.Shape{s.TotalSize(), 1}, nil
	}
	return tensor.Shape{s.TotalSize()}, nil
}

func (op *idsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	t, ok := vals[0].(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("embedding %q: ids are a %T, want an int tensor", op.layer, vals[0])
	}
	ids, ok := t.Data().([]int)
	if !ok {
		return nil, fmt.Errorf("embedding %q: ids have dtype %v, want int", op.layer, t.Dtype())
	}
	if op.asMask {
		keep := make([]float64, len(ids))
		for i, id := range ids {
			if id != op.pad {
				keep[i] = 1
			}
		}
		out := tensor.New(tensor.Of(op.mask), tensor.WithShape(len(ids), 1))
		if op.mask == tensor.Float32 {
			f := out.Data().([]float32)
			for i, v := range keep {
				f[i] = float32(v)
			}
			return out, nil
		}
		copy(out.Data().([]float64), keep)
		return out, nil
	}
	for i, id := range ids {
		if id < 0 || id >= op.vocab {
			return nil, fmt.Errorf("embedding %q: id %d at position %d of %v is outside [0, %d)", op.layer, id, i, t.Shape(), op.vocab)
		}
	}
	return tensor.New(tensor.WithShape(len(ids)), tensor.WithBacking(append([]int(nil), ids...))), nil
}

func (op *idsOp) ReturnsPtr() bool     { return false }
func (op *idsOp) CallsExtern() bool    { return false }
func (op *idsOp) OverwritesInput() int { return -1 }
func (op *idsOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.embedding.ids %q %d %d %v %v", op.layer, op.vocab, op.pad, op.asMask, op.mask)
}
func (op *idsOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *idsOp) String() string {
	if op.asMask {
		return fmt.Sprintf("EmbeddingKeep(pad=%d)", op.pad)
	}
	return fmt.Sprintf("EmbeddingIDs(vocab=%d)", op.vocab)
}

// DiffWRT: ids are not differentiable (the op is an SDOp only so that Gorgonia's analysis can ask).
func (op *idsOp) DiffWRT(n int) []bool { return make([]bool, n) }

// SymDiff is never called, since DiffWRT is all false.
func (op *idsOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("embedding %q: ids have no gradient", op.layer)
}
