package layers

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"

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

// denseArgs returns an op's inputs as materialised dense tensors.
func denseArgs(op fmt.Stringer, vals []gorgonia.Value) ([]*tensor.Dense, error) {
	out := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		t, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%v: input %d is a %T, want a dense tensor", op, i, v)
		}
		if t.IsView() {
			t = t.Materialize().(*tensor.Dense)
		}
		out[i] = t
	}
	return out, nil
}

// denseInputs returns the two inputs of a binary op as materialised dense tensors.
func denseInputs(op fmt.Stringer, vals []gorgonia.Value) (a, b *tensor.Dense, err error) {
	if len(vals) != 2 {
		return nil, nil, fmt.Errorf("%v: %d inputs, want 2", op, len(vals))
	}
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, nil, err
	}
	return in[0], in[1], nil
}

// sameDtype returns an error unless every tensor of in has in[0]'s dtype.
func sameDtype(op fmt.Stringer, in []*tensor.Dense) error {
	for i, t := range in[1:] {
		if t.Dtype() != in[0].Dtype() {
			return fmt.Errorf("%v: input %d has dtype %v, input 0 %v", op, i+1, t.Dtype(), in[0].Dtype())
		}
	}
	return nil
}

// checkFloat returns an error unless dt is float32 or float64.
func checkFloat(op fmt.Stringer, dt tensor.Dtype) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("%v: dtype %v is not float32 or float64", op, dt)
	}
	return nil
}

// rowWidth checks that x (·, D) and rows (same shape as x) or vectors (D) fit, and returns D.
func rowWidth(op fmt.Stringer, x *tensor.Dense, others ...*tensor.Dense) (int, error) {
	if x.Dims() == 0 {
		return 0, fmt.Errorf("%v: scalar input", op)
	}
	d := x.Shape()[x.Dims()-1]
	for _, o := range others {
		if o.Dtype() != x.Dtype() {
			return 0, fmt.Errorf("%v: dtypes %v and %v differ", op, x.Dtype(), o.Dtype())
		}
		if !o.Shape().Eq(x.Shape()) && !(o.Dims() == 1 && o.Shape()[0] == d) {
			return 0, fmt.Errorf("%v: shape %v does not fit input %v", op, o.Shape(), x.Shape())
		}
	}
	return d, nil
}

// ownBuffer returns buf if it has like's shape and dtype, else a new tensor for it. An op that returns its
// own buffer gives the machine memory that no input, parameter or other node shares.
func ownBuffer(buf, like *tensor.Dense) *tensor.Dense {
	if buf == nil || buf.Dtype() != like.Dtype() || !buf.Shape().Eq(like.Shape()) {
		return tensor.New(tensor.Of(like.Dtype()), tensor.WithShape(like.Shape().Clone()...))
	}
	return buf
}

// parallelWork is the number of elements below which forRows does not start goroutines.
const parallelWork = 1 << 14

// forRows calls f on contiguous chunks of the rows [0, n), each row width elements, in parallel on up to
// GOMAXPROCS goroutines when there is enough work. f must write only to its own rows: then the results
// do not depend on the split.
func forRows(n, width int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n, n*width/parallelWork)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(w*n/workers, (w+1)*n/workers)
	}
	wg.Wait()
}

// allTrue is DiffWRT's answer for an op differentiable in all n of its inputs.
func allTrue(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

// vecSum is an op's (D) output accumulated in float64 whatever its dtype: colSumOp's column sums and
// layerNormGammaGradOp's ∂γ.
type vecSum struct {
	out *tensor.Dense
	acc []float64
}

// zero returns the accumulator, cleared, for a (d) output of dtype dt, reusing the last run's.
func (v *vecSum) zero(dt tensor.Dtype, d int) []float64 {
	if v.out == nil || v.out.Dtype() != dt || v.out.Shape()[0] != d {
		v.out = tensor.New(tensor.Of(dt), tensor.WithShape(d))
		v.acc = make([]float64, d)
	}
	clear(v.acc)
	return v.acc
}

// value rounds the accumulator into the output and returns it.
func (v *vecSum) value() *tensor.Dense {
	switch o := v.out.Data().(type) {
	case []float64:
		copy(o, v.acc)
	case []float32:
		for j, a := range v.acc {
			o[j] = float32(a)
		}
	}
	return v.out
}
