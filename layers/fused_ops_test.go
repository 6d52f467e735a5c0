package layers

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Gradient checks and reference comparisons for the fused ops of layernorm_ops.go, dense_ops.go,
// matmul_ops.go, embedding_ops.go and dropout_ops.go, beyond what the layers' own tests (LayerNorm,
// Dense, TransformerBlock, PyTorch parity) already cover through them.

// TestLayerNormResidualGradients checks LN(x + res), the post-norm block's fused sum, on (N, D) rows:
// both inputs, γ and β, with the tolerance (relative error ≤ 1e-6).
func TestLayerNormResidualGradients(t *testing.T) {
	s := newStore64(21)
	ln, err := NewLayerNorm(s, "ln", LayerNormConfig{Size: 6})
	if err != nil {
		t.Fatal(err)
	}
	s.SetValues("ln.gamma", fixedValues(6, 0.4, 1.5))
	s.SetValues("ln.beta", fixedValues(6, 1.1, 0.5))
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x := paramInput(t, s, b, "x", fixedValues(4*6, 0.2, 2), 4, 6)
	res := paramInput(t, s, b, "res", fixedValues(4*6, 2.3, 1), 4, 6)
	y, err := ln.forwardResidual(b, x, res)
	if err != nil {
		t.Fatal(err)
	}
	checkGrads(t, b, weightedLoss(t, y), nil)
}

// TestLayerNormFusedMatchesComposed compares the fused op with LayerNorm built from Gorgonia's own ops
// (the layer's implementation before the fused op), forward and backward in float64, to 1e-12.
func TestLayerNormFusedMatchesComposed(t *testing.T) {
	const n, d = 5, 7
	run := func(fused bool) (y []float64, grads map[string][]float64) {
		s := newStore64(22)
		ln, _ := NewLayerNorm(s, "ln", LayerNormConfig{Size: d})
		s.SetValues("ln.gamma", fixedValues(d, 0.9, 1.5))
		s.SetValues("ln.beta", fixedValues(d, 0.1, 0.5))
		b := graph.NewBuilder(s, graph.BuilderConfig{})
		x := paramInput(t, s, b, "x", fixedValues(n*d, 0.6, 3), n, d)
		var out *gorgonia.Node
		if fused {
			out = gorgonia.Must(ln.Forward(b, x))
		} else {
			gamma, _ := b.Param("ln.gamma")
			beta, _ := b.Param("ln.beta")
			mu := gorgonia.Must(gorgonia.Mean(x, 1))
			c := gorgonia.Must(gorgonia.BroadcastSub(x, mu, nil, []byte{1}))
			v := gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Square(c)), 1))
			std := gorgonia.Must(gorgonia.Sqrt(gorgonia.Must(gorgonia.Add(v, gorgonia.NewConstant(1e-5)))))
			norm := gorgonia.Must(gorgonia.BroadcastHadamardDiv(c, std, nil, []byte{1}))
			out = gorgonia.Must(gorgonia.BroadcastAdd(gorgonia.Must(gorgonia.BroadcastHadamardProd(norm, gamma, nil, []byte{0})), beta, nil, []byte{0}))
		}
		p, err := graph.Compile(b, weightedLoss(t, out), out)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		grads = map[string][]float64{}
		for _, name := range []string{"x", "ln.gamma", "ln.beta"} {
			g, err := p.Grad(name)
			if err != nil {
				t.Fatal(err)
			}
			grads[name] = append([]float64(nil), g.Data().([]float64)...)
		}
		return append([]float64(nil), p.Output(0)...), grads
	}
	yf, gf := run(true)
	yc, gc := run(false)
	closeTo(t, "y", yf, yc, 1e-12)
	for name := range gc {
		closeTo(t, "∂"+name, gf[name], gc[name], 1e-12)
	}
}

// TestDenseNoBiasGradients checks the fused activation without a bias (one input).
func TestDenseNoBiasGradients(t *testing.T) {
	for _, act := range []Activation{Tanh, Sigmoid, GELU, ReLU} {
		t.Run(string(act), func(t *testing.T) {
			s := newStore64(23)
			d, err := NewDense(s, "d", DenseConfig{Input: 3, Output: 4, Activation: act, NoBias: true})
			if err != nil {
				t.Fatal(err)
			}
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			x := paramInput(t, s, b, "x", fixedValues(5*3, 0.5, 1), 5, 3)
			y, err := d.Forward(b, x)
			if err != nil {
				t.Fatal(err)
			}
			checkGrads(t, b, weightedLoss(t, y), nil)
		})
	}
}

// TestDropoutGradients checks the gradient through a training-graph dropout (the mask drawn once and
// held) and that it is zero exactly where the mask dropped the unit.
func TestDropoutGradients(t *testing.T) {
	build := func() (*graph.Builder, *gorgonia.Node) {
		s := newStore64(24)
		drop, _ := NewDropout("drop", 0.5)
		b := graph.NewBuilder(s, graph.BuilderConfig{Train: true, Seed: 9})
		x := paramInput(t, s, b, "x", fixedValues(6*5, 0.3, 1), 6, 5)
		y, err := drop.Forward(b, x)
		if err != nil {
			t.Fatal(err)
		}
		return b, y
	}
	b, y := build()
	th := gorgonia.Must(gorgonia.Tanh(y)) // a non-linearity after dropout, so ∂y depends on y
	checkGrads(t, b, weightedLoss(t, th), nil)

	b, y = build()
	p, err := graph.Compile(b, weightedLoss(t, y), y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	g, _ := p.Grad("x")
	r := fixedValues(30, 0.7, 1) // weightedLoss's weights
	var dropped int
	for i, v := range p.Output(0) {
		want := r[i] * 2 // kept units are scaled by 1/(1 − 0.5)
		if v == 0 {
			want = 0
			dropped++
		}
		if got := g.Data().([]float64)[i]; math.Abs(got-want) > 1e-15 {
			t.Errorf("∂x[%d] = %g, want %g (y = %g)", i, got, want, v)
		}
	}
	if dropped == 0 || dropped == 30 {
		t.Errorf("dropout dropped %d of 30 units at rate 0.5", dropped)
	}
}

// TestFusedOpsBadInput: a value that does not fit the op is an error from Do, not a panic.
func TestFusedOpsBadInput(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	vec2 := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	vec3f := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3}))
	ints := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int{1, 2, 3, 4, 5, 6}))
	for _, c := range []struct {
		name string
		op   gorgonia.Op
		in   []gorgonia.Value
	}{
		{"layernorm γ of the wrong size", &layerNormOp{eps: 1e-5}, []gorgonia.Value{x, vec2, vec2}},
		{"layernorm mixed dtypes", &layerNormOp{eps: 1e-5}, []gorgonia.Value{x, vec3f, vec3f}},
		{"layernorm residual of another shape", &layerNormOp{eps: 1e-5, residual: true}, []gorgonia.Value{x, vec2, vec3f, vec3f}},
		{"bias of the wrong size", &biasActOp{act: ReLU, bias: true}, []gorgonia.Value{x, vec2}},
		{"integer input", &biasActOp{act: ReLU}, []gorgonia.Value{ints}},
		{"gradient of another shape", &actGradOp{act: Tanh}, []gorgonia.Value{x, vec2}},
		{"mask of another shape", &maskMulOp{}, []gorgonia.Value{x, vec2}},
		{"column sum of a scalar", &colSumOp{}, []gorgonia.Value{tensor.New(tensor.FromScalar(1.0))}},
		{"matmul of misfitting shapes", &matMulOp{outDim: tensor.Shape{2, 2}}, []gorgonia.Value{x, x}},
		{"matmul with a vector for W", &matMulOp{outDim: tensor.Shape{2, 2}}, []gorgonia.Value{x, vec2}},
		{"matmul of a vector", &matMulOp{outDim: tensor.Shape{2}}, []gorgonia.Value{vec2, x}},
		{"matmul input gradient with a vector for W", &matMulOp{mode: matMulGradX, outDim: tensor.Shape{2, 2}}, []gorgonia.Value{x, vec2}},
		{"γ gradient of scalars", &layerNormGammaGradOp{}, []gorgonia.Value{tensor.New(tensor.FromScalar(1.0)), tensor.New(tensor.FromScalar(1.0))}},
		{"matmul gradient of misfitting shapes", &matMulOp{mode: matMulGradW, outDim: tensor.Shape{3, 3}}, []gorgonia.Value{x, vec2}},
		{"positions longer than the table", &addPositionsOp{}, []gorgonia.Value{
			tensor.New(tensor.WithShape(1, 3, 2), tensor.WithBacking(make([]float64, 6))), tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(make([]float64, 4)))}},
		{"lookup with float ids", &lookupOp{vocab: 2, pad: -1}, []gorgonia.Value{x, x}},
	} {
		if _, err := c.op.Do(c.in...); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// closeTo fails when got and want differ anywhere by more than tol (absolute), or in length.
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			t.Fatalf("%s[%d] = %.17g, want %.17g (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

// TestKeepPositive: the branch-free select gives, bit for bit, val where cond > 0 and +0 elsewhere
// (−0, NaN and −Inf conditions included), in float32 and float64, in place too.
func TestKeepPositive(t *testing.T) {
	nan, inf, negZero := math.NaN(), math.Inf(1), math.Copysign(0, -1)
	cond := []float64{1, -1, 0, negZero, nan, inf, -inf, 1e-30}
	val := []float64{-2.5, 3, 4, 5, 6, negZero, 7, nan}
	want := func(i int) float64 {
		if cond[i] > 0 {
			return val[i]
		}
		return 0
	}
	got := make([]float64, len(cond))
	keepPositive(cond, val, got)
	c32, v32, g32 := make([]float32, len(cond)), make([]float32, len(cond)), make([]float32, len(cond))
	for i := range cond {
		c32[i], v32[i] = float32(cond[i]), float32(val[i])
	}
	keepPositive(c32, v32, g32)
	inPlace := append([]float64(nil), val...)
	keepPositive(inPlace, inPlace, inPlace)
	for i := range cond {
		w := want(i)
		if math.Float64bits(got[i]) != math.Float64bits(w) && !(math.IsNaN(got[i]) && math.IsNaN(w)) {
			t.Errorf("float64: cond %v, val %v: got %v, want %v", cond[i], val[i], got[i], w)
		}
		w32 := float32(w)
		if math.Float32bits(g32[i]) != math.Float32bits(w32) && !(g32[i] != g32[i] && w32 != w32) {
			t.Errorf("float32: cond %v, val %v: got %v, want %v", c32[i], v32[i], g32[i], w32)
		}
		wi := 0.0
		if val[i] > 0 {
			wi = val[i]
		}
		if math.Float64bits(inPlace[i]) != math.Float64bits(wi) {
			t.Errorf("in place: %v → %v, want %v", val[i], inPlace[i], wi)
		}
	}
}
