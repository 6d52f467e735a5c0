package layers

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// attnFill gives every parameter in the store (except the input "x") fixed, distinct values, so tests do
// not depend on the initialisers. LayerNorm scales get 1 + a perturbation.
func attnFill(t *testing.T, s *graph.Store, scale float64) {
	t.Helper()
	for i, p := range s.Params() {
		if p.Name == "x" {
			continue
		}
		v := fixedValues(p.Value.Shape().TotalSize(), 0.37*float64(i+1), scale)
		if strings.HasSuffix(p.Name, ".gamma") {
			for j := range v {
				v[j] += 1
			}
		}
		if err := s.SetValues(p.Name, v); err != nil {
			t.Fatal(err)
		}
	}
}

// attnConst is a constant tensor of the graph's dtype.
func attnConst(dt tensor.Dtype, shape tensor.Shape, vals []float64) *gorgonia.Node {
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return gorgonia.NewConstant(tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(f)))
	}
	return gorgonia.NewConstant(tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(append([]float64(nil), vals...))))
}

// attnLoss is L = Σ r ⊙ y.
func attnLoss(t *testing.T, y *gorgonia.Node, r []float64) *gorgonia.Node {
	t.Helper()
	prod, err := gorgonia.HadamardProd(y, attnConst(y.Dtype(), y.Shape(), r))
	if err != nil {
		t.Fatal(err)
	}
	loss, err := gorgonia.Sum(prod)
	if err != nil {
		t.Fatal(err)
	}
	return loss
}

func attnAdd(t *testing.T, a, b *gorgonia.Node) *gorgonia.Node {
	t.Helper()
	s, err := gorgonia.Add(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attnCheckGrads is checkGrads (float64 central differences with the checker's default step ε = 1e-5,
// relative error ≤ 1e-6) with one change, for the key bias: its gradient is exactly zero in exact
// arithmetic (adding q·bk to every score of a row leaves the softmax unchanged), so the relative error
// would compare two rounding noises — one ulp of the loss divided by 2ε is about 1e-10·|L|, already
// 1e-6 of the check's 1e-4 floor. For it the test requires |autodiff| ≤ 1e-12 and |numeric| ≤ 1e-8
// instead.
func attnCheckGrads(t *testing.T, b *graph.Builder, loss *gorgonia.Node, feed func(p *graph.Program)) {
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
	if err != nil && !strings.Contains(err.Error(), "gradient of") {
		t.Fatal(err) // not a tolerance failure (e.g. a run changed a parameter in place)
	}
	if len(report) != len(b.Params()) {
		t.Fatalf("gradient report covers %d of %d parameters", len(report), len(b.Params()))
	}
	for _, r := range report {
		if strings.HasSuffix(r.Param, ".k.b") {
			if math.Abs(r.Autodiff) > 1e-12 || math.Abs(r.Numeric) > 1e-8 {
				t.Errorf("%s: gradient should be zero: autodiff %g, numeric %g", r.Param, r.Autodiff, r.Numeric)
			}
			continue
		}
		if r.RelError > 1e-6 {
			t.Errorf("%s[%d]: autodiff %.10g, numeric %.10g, relative error %.3g > 1e-6", r.Param, r.Index, r.Autodiff, r.Numeric, r.RelError)
		}
		t.Logf("%-28s worst relative error %.2e", r.Param, r.RelError)
	}
}

// TestAttentionGradients checks autodiff against central differences (relative error ≤ 1e-6, float64)
// for every projection and for the input, with a mask that pads the second sequence, with and without
// the causal mask. The loss weighs both the output and the attention weights.
func TestAttentionGradients(t *testing.T) {
	for _, causal := range []bool{false, true} {
		s := newStore64(1)
		a, err := NewMultiHeadAttention(s, "mha", AttentionConfig{Dim: 4, Heads: 2, Causal: causal})
		if err != nil {
			t.Fatal(err)
		}
		attnFill(t, s, 0.8)
		b := graph.NewBuilder(s, graph.BuilderConfig{})
		x := paramInput(t, s, b, "x", fixedValues(2*4*4, 0.2, 1.5), 2, 4, 4)
		mask, _ := b.Input("mask", 2, 4)
		y, w, err := a.Forward(b, x, mask)
		if err != nil {
			t.Fatal(err)
		}
		checkAllLearnablesInStore(t, b)
		loss := attnAdd(t, weightedLoss(t, y), attnLoss(t, w, fixedValues(w.Shape().TotalSize(), 1.9, 1)))
		attnCheckGrads(t, b, loss, func(p *graph.Program) { p.Set("mask", prefixMask([]int{4, 2}, 4)) })
	}
}

// attnWeights runs a forward-only attention graph and returns the weights (B·H, T, T) and y.
func attnWeights(t *testing.T, s *graph.Store, a *MultiHeadAttention, x, mask []float64, bs, steps int) (w, y []float64) {
	t.Helper()
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	xn, _ := b.Input("x", bs, steps, a.Cfg.Dim)
	mn, _ := b.Input("mask", bs, steps)
	yn, wn, err := a.Forward(b, xn, mn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.Compile(b, nil, wn, yn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Set("x", x)
	p.Set("mask", mask)
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), p.Output(0)...), append([]float64(nil), p.Output(1)...)
}

// TestAttentionWeights: padded keys (and, when causal, later keys) get exactly zero weight, every row
// sums to 1, and a sequence that is all padding still gives finite values — in float32 and float64.
func TestAttentionWeights(t *testing.T) {
	const bs, steps, d, heads = 3, 5, 6, 3
	lengths := []int{5, 2, 0}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, causal := range []bool{false, true} {
			s := graph.NewStore(dt, rand.New(rand.NewPCG(7, 1)))
			a, err := NewMultiHeadAttention(s, "mha", AttentionConfig{Dim: d, Heads: heads, Causal: causal})
			if err != nil {
				t.Fatal(err)
			}
			attnFill(t, s, 1)
			w, y := attnWeights(t, s, a, fixedValues(bs*steps*d, 0.4, 2), prefixMask(lengths, steps), bs, steps)
			for _, v := range append(w, y...) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%v causal=%v: non-finite value %g", dt, causal, v)
				}
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-6
			}
			for n := 0; n < bs*heads; n++ {
				seq := n / heads
				if lengths[seq] == 0 {
					continue // no real key: finite (checked above) but meaningless
				}
				for i := 0; i < steps; i++ {
					row := w[(n*steps+i)*steps : (n*steps+i+1)*steps]
					var sum float64
					for j, v := range row {
						sum += v
						hidden := j >= lengths[seq] || (causal && j > i)
						if hidden && v != 0 {
							t.Errorf("%v causal=%v: weight[%d,%d,%d] = %g at a hidden key, want exactly 0", dt, causal, n, i, j, v)
						}
						if causal && i < lengths[seq] && j <= i && j < lengths[seq] && v == 0 {
							t.Errorf("%v causal=%v: weight[%d,%d,%d] is 0 at a visible key", dt, causal, n, i, j)
						}
					}
					if math.Abs(sum-1) > tol {
						t.Errorf("%v causal=%v: row [%d,%d] sums to %.17g", dt, causal, n, i, sum)
					}
				}
			}
		}
	}
}

// TestAttentionLargeLogits scales Wq and Wk up until the scaled scores reach beyond ±100 (computed here
// independently with plain loops) and checks that outputs and every gradient stay finite.
func TestAttentionLargeLogits(t *testing.T) {
	const bs, steps, d, heads = 2, 4, 4, 2
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		s := graph.NewStore(dt, rand.New(rand.NewPCG(8, 1)))
		a, _ := NewMultiHeadAttention(s, "mha", AttentionConfig{Dim: d, Heads: heads})
		attnFill(t, s, 1)
		xv := fixedValues(bs*steps*d, 0.6, 2)
		wq, wk := fixedValues(d*d, 3.1, 12), fixedValues(d*d, 4.2, 12)
		s.SetValues("mha.q.w", wq)
		s.SetValues("mha.k.w", wk)
		s.SetValues("mha.q.b", make([]float64, d))
		s.SetValues("mha.k.b", make([]float64, d))
		maxScore := 0.0
		dh := d / heads
		for n := 0; n < bs; n++ {
			for i := 0; i < steps; i++ {
				for j := 0; j < steps; j++ {
					for h := 0; h < heads; h++ {
						var sc float64
						for e := h * dh; e < (h+1)*dh; e++ {
							var q, k float64
							for c := 0; c < d; c++ {
								q += xv[(n*steps+i)*d+c] * wq[c*d+e]
								k += xv[(n*steps+j)*d+c] * wk[c*d+e]
							}
							sc += q * k
						}
						maxScore = math.Max(maxScore, math.Abs(sc/math.Sqrt(float64(dh))))
					}
				}
			}
		}
		if maxScore < 100 {
			t.Fatalf("test setup: largest |score| is %g, want ≥ 100", maxScore)
		}
		b := graph.NewBuilder(s, graph.BuilderConfig{})
		x := paramInput(t, s, b, "x", xv, bs, steps, d)
		mask, _ := b.Input("mask", bs, steps)
		y, w, err := a.Forward(b, x, mask)
		if err != nil {
			t.Fatal(err)
		}
		p, err := graph.Compile(b, weightedLoss(t, y), y, w)
		if err != nil {
			t.Fatal(err)
		}
		p.Set("mask", prefixMask([]int{4, 3}, steps))
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		vals := append(append([]float64{p.Loss()}, p.Output(0)...), p.Output(1)...)
		for _, prm := range b.Params() {
			g, err := p.Grad(prm.Name())
			if err != nil {
				t.Fatal(err)
			}
			vals = append(vals, graph.Float64s(g)...)
		}
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%v: value %d is %g (largest |score| %.0f)", dt, i, v, maxScore)
			}
		}
		p.Close()
	}
}

func TestAttentionBadInput(t *testing.T) {
	s := newStore64(9)
	for _, cfg := range []AttentionConfig{{Dim: 0, Heads: 1}, {Dim: 6, Heads: 4}, {Dim: 4, Heads: -2}, {Dim: 4, Dropout: 1}} {
		if _, err := NewMultiHeadAttention(s, "bad", cfg); err == nil || !strings.Contains(err.Error(), `"bad"`) {
			t.Errorf("config %+v: error %v, want one naming the layer", cfg, err)
		}
	}
	a, err := NewMultiHeadAttention(s, "mha", AttentionConfig{Dim: 4, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 2, 3, 4)
	mask, _ := b.Input("mask", 2, 3)
	wrongD, _ := b.Input("wrongD", 2, 3, 5)
	rank2, _ := b.Input("rank2", 2, 4)
	wrongMask, _ := b.Input("wrongMask", 2, 4)
	for _, c := range []struct {
		what    string
		x, mask *gorgonia.Node
	}{{"nil input", nil, mask}, {"nil mask", x, nil}, {"wrong width", wrongD, mask}, {"rank 2", rank2, mask}, {"mask shape", x, wrongMask}} {
		if _, _, err := a.Forward(b, c.x, c.mask); err == nil || !strings.Contains(err.Error(), `"mha"`) {
			t.Errorf("%s: error %v, want one naming the layer", c.what, err)
		}
	}
}

// TestAttentionDropout: a training graph drops attention weights reproducibly by seed, and its weights
// output (taken before dropout) still sums to 1 per row.
func TestAttentionDropout(t *testing.T) {
	s := newStore64(10)
	a, _ := NewMultiHeadAttention(s, "mha", AttentionConfig{Dim: 4, Heads: 2, Dropout: 0.5})
	attnFill(t, s, 1)
	run := func(train bool, seed uint64) (w, y []float64) {
		b := graph.NewBuilder(s, graph.BuilderConfig{Train: train, Seed: seed})
		x, _ := b.Input("x", 1, 6, 4)
		m, _ := b.Input("mask", 1, 6)
		yn, wn, err := a.Forward(b, x, m)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := graph.Compile(b, nil, wn, yn)
		defer p.Close()
		p.Set("x", fixedValues(24, 0.1, 1))
		p.Set("mask", prefixMask([]int{6}, 6))
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), p.Output(0)...), append([]float64(nil), p.Output(1)...)
	}
	wEval, yEval := run(false, 0)
	wA, yA := run(true, 3)
	_, yB := run(true, 3)
	_, yC := run(true, 4)
	for i := range wA {
		if wA[i] != wEval[i] {
			t.Fatalf("weights before dropout differ between training and evaluation at %d", i)
		}
	}
	same := func(u, v []float64) bool {
		for i := range u {
			if u[i] != v[i] {
				return false
			}
		}
		return true
	}
	if same(yA, yEval) {
		t.Error("training output equals evaluation output: no dropout applied")
	}
	if !same(yA, yB) {
		t.Error("same seed, different training outputs")
	}
	if same(yA, yC) {
		t.Error("different seeds, same training outputs")
	}
}
