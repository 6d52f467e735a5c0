package layers

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lookupOp is an Embedding's lookup as one op: y[i] = E[ids[i]] for the N ids of any shape, 0 where the
// id is the padding id, into a buffer (…, Dim) the op owns; an id outside [0, vocab) is an error naming
// the layer. Its gradient (lookupGradOp) scatter-adds ∂y into a (Vocab, Dim) buffer, skipping padding.
// It replaces the range check, Gorgonia's ByIndices, the keep mask, its broadcast and product, and the
// reshape to (…, Dim), each of which allocated a new tensor per run.
type lookupOp struct {
	cpuOp
	layer      string
	vocab, pad int // pad −1: none
	idsDims    int
	out        *tensor.Dense
}

// lookup returns table[ids] with padding rows 0, shape (ids…, Dim).
func lookup(table, ids *gorgonia.Node, layer string, pad int) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&lookupOp{layer: layer, vocab: table.Shape()[0], pad: pad, idsDims: ids.Dims()}, table, ids)
}

func (op *lookupOp) Arity() int { return 2 }
func (op *lookupOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(&gorgonia.TensorType{Dims: 2, Of: a}, &gorgonia.TensorType{Dims: op.idsDims, Of: tensor.Int},
		&gorgonia.TensorType{Dims: op.idsDims + 1, Of: a})
}
func (op *lookupOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	ts, ok1 := in[0].(tensor.Shape)
	is, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(ts) != 2 {
		return nil, fmt.Errorf("embedding %q: input shapes %v and %v", op.layer, in[0], in[1])
	}
	return append(is.Clone(), ts[1]), nil
}

func (op *lookupOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	table, ok1 := vals[0].(*tensor.Dense)
	idt, ok2 := vals[1].(tensor.Tensor)
	if !ok1 || !ok2 || table.Dims() != 2 {
		return nil, fmt.Errorf("embedding %q: inputs are %T and %T, want a (Vocab, Dim) table and ids", op.layer, vals[0], vals[1])
	}
	if table.IsView() {
		table = table.Materialize().(*tensor.Dense)
	}
	ids, ok := idt.Data().([]int)
	if !ok {
		return nil, fmt.Errorf("embedding %q: ids have dtype %v, want int", op.layer, idt.Dtype())
	}
	for i, id := range ids {
		if id < 0 || id >= op.vocab || id >= table.Shape()[0] {
			return nil, fmt.Errorf("embedding %q: id %d at position %d of %v is outside [0, %d)", op.layer, id, i, idt.Shape(), op.vocab)
		}
	}
	d := table.Shape()[1]
	shape := append(idt.Shape().Clone(), d)
	if len(ids) == 1 && idt.Dims() == 0 {
		shape = tensor.Shape{d}
	}
	if op.out == nil || op.out.Dtype() != table.Dtype() || !op.out.Shape().Eq(shape) {
		op.out = tensor.New(tensor.Of(table.Dtype()), tensor.WithShape(shape...))
	}
	switch td := table.Data().(type) {
	case []float64:
		gatherRows(td, ids, op.out.Data().([]float64), d, op.pad)
	case []float32:
		gatherRows(td, ids, op.out.Data().([]float32), d, op.pad)
	default:
		return nil, fmt.Errorf("embedding %q: dtype %v is not float32 or float64", op.layer, table.Dtype())
	}
	return op.out, nil
}

func gatherRows[F float32 | float64](table []F, ids []int, dst []F, d, pad int) {
	for i, id := range ids {
		out := dst[i*d : (i+1)*d]
		if id == pad {
			clear(out)
			continue
		}
		copy(out, table[id*d:(id+1)*d])
	}
}

func (op *lookupOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.lookup %q vocab=%d pad=%d dims=%d", op.layer, op.vocab, op.pad, op.idsDims)
}
func (op *lookupOp) Hashcode() uint32 { return hashOf(op) }
func (op *lookupOp) String() string   { return fmt.Sprintf("Lookup(vocab=%d, pad=%d)", op.vocab, op.pad) }

func (op *lookupOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff: ∂E[v] = Σ_{i: ids[i] = v ≠ pad} ∂y[i]; the ids are not differentiated.
func (op *lookupOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(&lookupGradOp{vocab: op.vocab, pad: op.pad, idsDims: op.idsDims}, in[1], grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g, nil}, nil
}

// lookupGradOp scatter-adds ∂y (ids…, Dim) into the (Vocab, Dim) gradient of the table.
type lookupGradOp struct {
	cpuOp
	vocab, pad int
	idsDims    int
	out        *tensor.Dense
}

func (op *lookupGradOp) Arity() int { return 2 }
func (op *lookupGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(&gorgonia.TensorType{Dims: op.idsDims, Of: tensor.Int}, &gorgonia.TensorType{Dims: op.idsDims + 1, Of: a},
		&gorgonia.TensorType{Dims: 2, Of: a})
}
func (op *lookupGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	gs, ok := in[1].(tensor.Shape)
	if !ok || len(gs) == 0 {
		return nil, fmt.Errorf("%v: gradient shape %v", op, in[1])
	}
	return tensor.Shape{op.vocab, gs[len(gs)-1]}, nil
}

func (op *lookupGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	idt, ok1 := vals[0].(tensor.Tensor)
	g, ok2 := vals[1].(*tensor.Dense)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%v: inputs are %T and %T", op, vals[0], vals[1])
	}
	if g.IsView() {
		g = g.Materialize().(*tensor.Dense)
	}
	ids, ok := idt.Data().([]int)
	d := g.Shape()[g.Dims()-1]
	if !ok || len(ids)*d != g.Shape().TotalSize() {
		return nil, fmt.Errorf("%v: ids %v %v do not fit the gradient %v", op, idt.Shape(), idt.Dtype(), g.Shape())
	}
	if op.out == nil || op.out.Dtype() != g.Dtype() || op.out.Shape()[1] != d {
		op.out = tensor.New(tensor.Of(g.Dtype()), tensor.WithShape(op.vocab, d))
	}
	switch gd := g.Data().(type) {
	case []float64:
		scatterRows(gd, ids, op.out.Data().([]float64), d, op.pad)
	case []float32:
		scatterRows(gd, ids, op.out.Data().([]float32), d, op.pad)
	default:
		return nil, checkFloat(op, g.Dtype())
	}
	return op.out, nil
}

// scatterRows sets dst (Vocab, d) to the sums of g's rows by id; ids were range-checked by the lookup.
func scatterRows[F float32 | float64](g []F, ids []int, dst []F, d, pad int) {
	clear(dst)
	for i, id := range ids {
		if id == pad || id < 0 || (id+1)*d > len(dst) {
			continue
		}
		row := dst[id*d : (id+1)*d]
		for j, v := range g[i*d : (i+1)*d] {
			row[j] += v
		}
	}
}

func (op *lookupGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.lookupgrad vocab=%d pad=%d dims=%d", op.vocab, op.pad, op.idsDims)
}
func (op *lookupGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *lookupGradOp) String() string   { return fmt.Sprintf("LookupGrad(vocab=%d)", op.vocab) }

// addPositionsOp is LearnedPositional's y[b, t] = x[b, t] + P[t] for x (B, T, D) and the table P
// (MaxLen, D), T ≤ MaxLen, into a buffer the op owns: one pass instead of Gorgonia's ByIndices over
// B·T rows, a reshape and an add. ∂x = ∂y; ∂P[t] = Σ_b ∂y[b, t] for t < T and 0 beyond
// (positionsGradOp).
type addPositionsOp struct {
	cpuOp
	out *tensor.Dense
}

func addPositions(x, table *gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&addPositionsOp{}, x, table)
}

func (op *addPositionsOp) Arity() int { return 2 }
func (op *addPositionsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(&gorgonia.TensorType{Dims: 3, Of: a}, &gorgonia.TensorType{Dims: 2, Of: a}, &gorgonia.TensorType{Dims: 3, Of: a})
}
func (op *addPositionsOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

func (op *addPositionsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, p, err := denseInputs(op, vals)
	if err != nil {
		return nil, err
	}
	xs, ps := x.Shape(), p.Shape()
	if len(xs) != 3 || len(ps) != 2 || xs[2] != ps[1] || xs[1] > ps[0] || x.Dtype() != p.Dtype() {
		return nil, fmt.Errorf("%v: input %v %v does not fit positions %v %v", op, xs, x.Dtype(), ps, p.Dtype())
	}
	op.out = ownBuffer(op.out, x)
	switch xd := x.Data().(type) {
	case []float64:
		addRowsCyclic(xd, p.Data().([]float64), op.out.Data().([]float64), xs[1]*xs[2])
	case []float32:
		addRowsCyclic(xd, p.Data().([]float32), op.out.Data().([]float32), xs[1]*xs[2])
	default:
		return nil, checkFloat(op, x.Dtype())
	}
	return op.out, nil
}

// addRowsCyclic adds p[:td] to each block of td values of x.
func addRowsCyclic[F float32 | float64](x, p, dst []F, td int) {
	p = p[:td]
	for b := 0; b < len(x)/td; b++ {
		xb, ob := x[b*td:(b+1)*td], dst[b*td:(b+1)*td]
		for i, v := range xb {
			ob[i] = v + p[i]
		}
	}
}

func (op *addPositionsOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "intentlab.addpositions") }
func (op *addPositionsOp) Hashcode() uint32      { return hashOf(op) }
func (op *addPositionsOp) String() string        { return "AddPositions" }

func (op *addPositionsOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff: ∂x = ∂y, and ∂P as the type's doc gives it.
func (op *addPositionsOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dp, err := gorgonia.ApplyOp(&positionsGradOp{rows: in[1].Shape()[0]}, grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{grad, dp}, nil
}

// positionsGradOp sums ∂y (B, T, D) over the batch into (rows, D), zero beyond T.
type positionsGradOp struct {
	cpuOp
	rows int
	out  *tensor.Dense
}

func (op *positionsGradOp) Arity() int { return 1 }
func (op *positionsGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(&gorgonia.TensorType{Dims: 3, Of: a}, &gorgonia.TensorType{Dims: 2, Of: a})
}
func (op *positionsGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 3 {
		return nil, fmt.Errorf("%v: input shape %v", op, in[0])
	}
	return tensor.Shape{op.rows, s[2]}, nil
}

func (op *positionsGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, err
	}
	g := in[0]
	gs := g.Shape()
	if len(gs) != 3 || gs[1] > op.rows {
		return nil, fmt.Errorf("%v: gradient shape %v, want (B, T ≤ %d, D)", op, gs, op.rows)
	}
	if op.out == nil || op.out.Dtype() != g.Dtype() || op.out.Shape()[1] != gs[2] {
		op.out = tensor.New(tensor.Of(g.Dtype()), tensor.WithShape(op.rows, gs[2]))
	}
	switch gd := g.Data().(type) {
	case []float64:
		sumBlocks(gd, op.out.Data().([]float64), gs[1]*gs[2])
	case []float32:
		sumBlocks(gd, op.out.Data().([]float32), gs[1]*gs[2])
	default:
		return nil, checkFloat(op, g.Dtype())
	}
	return op.out, nil
}

// sumBlocks sets dst[:td] to the sum of g's blocks of td values and the rest of dst to 0.
func sumBlocks[F float32 | float64](g, dst []F, td int) {
	clear(dst)
	acc := dst[:td]
	for b := 0; b < len(g)/td; b++ {
		for i, v := range g[b*td : (b+1)*td] {
			acc[i] += v
		}
	}
}

func (op *positionsGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.positionsgrad rows=%d", op.rows)
}
func (op *positionsGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *positionsGradOp) String() string   { return fmt.Sprintf("PositionsGrad(%d)", op.rows) }
