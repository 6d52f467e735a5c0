package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Shared test helpers for every layer's tests.

// newStore64 is a float64 store for gradient checks, seeded so tests are reproducible.
func newStore64(seed uint64) *graph.Store {
	return graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(seed, 99)))
}

// fixedValues returns n deterministic values in (−scale, scale) that are not symmetric or repeated.
func fixedValues(n int, seed float64, scale float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = scale * math.Sin(1.37*float64(i)+seed) * math.Cos(0.11*float64(i*i)+2*seed)
	}
	return out
}

// paramInput registers an input tensor as a store parameter, so that CheckGradients also checks the
// gradient with respect to the input, and returns its node in b's graph.
func paramInput(t *testing.T, s *graph.Store, b *graph.Builder, name string, vals []float64, shape ...int) *gorgonia.Node {
	t.Helper()
	if _, err := s.Add(name, tensor.Shape(shape), graph.Values(vals)); err != nil {
		t.Fatal(err)
	}
	n, err := b.Param(name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustNode returns a function that fails t on an error and otherwise returns the node, so that a test
// graph reads one line per layer: h := must(lstm.Forward(b, x, mask)).
func mustNode(t *testing.T) func(*gorgonia.Node, error) *gorgonia.Node {
	return func(n *gorgonia.Node, err error) *gorgonia.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

var lossWeights int

// weightedLoss is L = Σ_i r_i · y_i with fixed, distinct weights r, so that every element of y matters to
// the gradient (a plain sum would hide errors that cancel, e.g. in softmax).
func weightedLoss(t *testing.T, y *gorgonia.Node) *gorgonia.Node {
	t.Helper()
	r := fixedValues(y.Shape().TotalSize(), 0.7, 1)
	rt := tensor.New(tensor.WithShape(y.Shape().Clone()...), tensor.WithBacking(r))
	if y.Dtype() == tensor.Float32 {
		f := make([]float32, len(r))
		for i, v := range r {
			f[i] = float32(v)
		}
		rt = tensor.New(tensor.WithShape(y.Shape().Clone()...), tensor.WithBacking(f))
	}
	// Named: Gorgonia merges constants of one graph by name, and an unnamed constant is named by its
	// printed value, which elides the middle of large tensors.
	lossWeights++
	rn := gorgonia.NewConstant(rt, gorgonia.WithName(fmt.Sprintf("loss-weights-%d", lossWeights)))
	prod, err := gorgonia.HadamardProd(y, rn)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := gorgonia.Sum(prod)
	if err != nil {
		t.Fatal(err)
	}
	return loss
}

// checkGrads compiles loss on b and runs the float64 central-difference check on every parameter
// (including inputs registered with paramInput), with the tolerance: relative error ≤ 1e-6.
func checkGrads(t *testing.T, b *graph.Builder, loss *gorgonia.Node, feed func(p *graph.Program)) {
	t.Helper()
	p, err := graph.Compile(b, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if feed != nil {
		feed(p)
	}
	report, err := graph.CheckGradients(p, graph.GradCheck{Tol: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range report {
		t.Logf("%-28s worst relative error %.2e", r.Param, r.RelError)
	}
}

// checkAllLearnablesInStore fails if b's graph has a variable (a leaf node that no op computes) that is
// neither a declared input nor a parameter of the store: such a node would be a weight that training,
// checkpoints and the optimizer never see.
func checkAllLearnablesInStore(t *testing.T, b *graph.Builder) {
	t.Helper()
	if err := b.CheckLearnables(); err != nil {
		t.Error(err)
	}
}

// equalSlices is exact (bit-for-bit, but 0 == −0) equality of two slices.
func equalSlices(a, b []float64) bool {
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

// prefixMask is the (B, T) mask of right-padded sequences of the given lengths.
func prefixMask(lengths []int, steps int) []float64 {
	m := make([]float64, len(lengths)*steps)
	for i, n := range lengths {
		for t := 0; t < n; t++ {
			m[i*steps+t] = 1
		}
	}
	return m
}

// requireIdentical fails unless got and want are equal element by element (==, so 0 and −0 are the
// same; within inexactBLASTol in the openblas build, see exactBLAS), and fails if want is all zero,
// since then the comparison would prove nothing.
func requireIdentical(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	nonzero := false
	for i := range want {
		if (exactBLAS && got[i] != want[i]) || math.IsNaN(got[i]) {
			t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
		if d := math.Abs(got[i] - want[i]); !exactBLAS && !(d <= inexactBLASTol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %.17g, want %.17g (± %.0e relative: the BLAS is not exact)", what, i, got[i], want[i], inexactBLASTol)
		}
		nonzero = nonzero || want[i] != 0
	}
	if !nonzero {
		t.Errorf("%s is all zero: the comparison proves nothing", what)
	}
}

// requireParity is the PyTorch parity tolerance for float32: |got − want| ≤ 1e-4·max(1, |want|).
func requireParity(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= 1e-4*math.Max(1, math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.7g, PyTorch %.7g", what, i, got[i], want[i])
			return
		}
	}
}

// runBenchmark times b.N runs (forward and backward) of a compiled program whose inputs are set, and
// reports allocations and training throughput in sequences per second. One run before the timing: ops
// that own their buffers allocate them in their first run, and the figures are those of the steps of a
// training loop.
func runBenchmark(b *testing.B, p *graph.Program, batch int) {
	b.Helper()
	if err := p.Run(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "seq/s")
}
