package graph

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func newTestStore(dt tensor.Dtype) *Store { return NewStore(dt, rand.New(rand.NewPCG(1, 2))) }

// buildAffine builds loss = Σ_ij c_ij · σ(x·W + b)_ij on a store holding W (3,2) and b (2).
func buildAffine(t *testing.T, s *Store, batch int) (*Builder, *gorgonia.Node, *gorgonia.Node) {
	return affineGraph(t, s, batch, false)
}

// affineGraph is buildAffine, with probe a zero probe "probe.x" added to x: σ((x + probe)·W + b).
func affineGraph(t *testing.T, s *Store, batch int, probe bool) (*Builder, *gorgonia.Node, *gorgonia.Node) {
	t.Helper()
	b := NewBuilder(s, BuilderConfig{})
	x, err := b.Input("x", batch, 3)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Input("c", batch, 2)
	if err != nil {
		t.Fatal(err)
	}
	if probe {
		p, err := b.Probe("probe.x", batch, 3)
		if err != nil {
			t.Fatal(err)
		}
		x = gorgonia.Must(gorgonia.Add(x, p)) // (B, 3)
	}
	w, _ := b.Param("w")
	bias, _ := b.Param("b")
	xw := gorgonia.Must(gorgonia.Mul(x, w))                                         // (B, 2)
	z := gorgonia.Must(gorgonia.BroadcastAdd(xw, bias, nil, []byte{0}))             // (B, 2)
	y := gorgonia.Must(gorgonia.Sigmoid(z))                                         // (B, 2)
	loss := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, c)))) // ()
	return b, y, loss
}

func addAffineParams(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Add("w", tensor.Shape{3, 2}, GlorotUniform()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add("b", tensor.Shape{2}, Normal(0.5)); err != nil {
		t.Fatal(err)
	}
}

func affineInputs(batch int) (x, c []float64) {
	x = make([]float64, batch*3)
	c = make([]float64, batch*2)
	for i := range x {
		x[i] = math.Sin(float64(i) + 0.3)
	}
	for i := range c {
		c[i] = math.Cos(float64(i) * 0.7)
	}
	return x, c
}

// expectedAffine computes σ(x·W + b) by hand, the independent reference for the program's output.
func expectedAffine(s *Store, x []float64, batch int) []float64 {
	wp, _ := s.Get("w")
	bp, _ := s.Get("b")
	w := Float64s(wp.Value)
	bb := Float64s(bp.Value)
	out := make([]float64, batch*2)
	for i := 0; i < batch; i++ {
		for j := 0; j < 2; j++ {
			z := bb[j]
			for k := 0; k < 3; k++ {
				z += x[i*3+k] * w[k*2+j]
			}
			out[i*2+j] = 1 / (1 + math.Exp(-z))
		}
	}
	return out
}

func TestStoreRejectsBadParameters(t *testing.T) {
	s := newTestStore(tensor.Float64)
	if _, err := s.Add("a.w", tensor.Shape{2, 2}, Zeros()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		shape tensor.Shape
		want  string
	}{
		{"a.w", tensor.Shape{2}, "declared twice"},
		{"a.v", tensor.Shape{0, 3}, "non-positive"},
		{"", tensor.Shape{1}, "empty name"},
		{"a.u", tensor.Shape{}, "empty shape"},
	} {
		if _, err := s.Add(tc.name, tc.shape, Zeros()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%q, %v) error = %v, want it to mention %q", tc.name, tc.shape, err, tc.want)
		}
	}
	if s.Len() != 1 || s.Size() != 4 {
		t.Errorf("store has %d params / %d weights, want 1 / 4", s.Len(), s.Size())
	}
	if Join("enc", "", "lstm0", "w") != "enc.lstm0.w" {
		t.Errorf("Join = %q", Join("enc", "", "lstm0", "w"))
	}
}

func TestInitialisersAreSeededAndShaped(t *testing.T) {
	draw := func(seed uint64, init Initializer, shape tensor.Shape) []float64 {
		out := make([]float64, shape.TotalSize())
		if err := init(rand.New(rand.NewPCG(seed, 0)), shape, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := draw(7, GlorotUniform(), tensor.Shape{20, 30})
	b := draw(7, GlorotUniform(), tensor.Shape{20, 30})
	c := draw(8, GlorotUniform(), tensor.Shape{20, 30})
	limit := math.Sqrt(6.0 / 50)
	same, differ := true, false
	for i := range a {
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
		if math.Abs(a[i]) > limit {
			t.Fatalf("Glorot value %g beyond ±%g", a[i], limit)
		}
	}
	if !same || !differ {
		t.Errorf("same seed same values: %v; other seed differs: %v", same, differ)
	}
	// He normal: sample variance ≈ 2/fan_in (fan_in 200: sd of the estimate ≈ 2/200·√(2/n) with n=20000).
	he := draw(3, HeNormal(), tensor.Shape{200, 100})
	var ss float64
	for _, v := range he {
		ss += v * v
	}
	if got, want := ss/float64(len(he)), 2.0/200; math.Abs(got-want) > 5*want*math.Sqrt(2.0/float64(len(he))) {
		t.Errorf("He variance %g, want %g", got, want)
	}
	// Orthogonal (H, 4H): every (H, H) gate block Q has QᵀQ = I.
	const h = 5
	q := draw(4, Orthogonal(), tensor.Shape{h, 4 * h})
	for blk := 0; blk < 4; blk++ {
		for i := 0; i < h; i++ {
			for j := 0; j < h; j++ {
				var dot float64
				for k := 0; k < h; k++ {
					dot += q[k*4*h+blk*h+i] * q[k*4*h+blk*h+j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(dot-want) > 1e-12 {
					t.Fatalf("block %d: (QᵀQ)[%d,%d] = %g, want %g", blk, i, j, dot, want)
				}
			}
		}
	}
	// Non-square, non-multiple: (3, 5) has orthonormal rows.
	r := draw(5, Orthogonal(), tensor.Shape{3, 5})
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			var dot float64
			for k := 0; k < 5; k++ {
				dot += r[i*5+k] * r[j*5+k]
			}
			if want := map[bool]float64{true: 1, false: 0}[i == j]; math.Abs(dot-want) > 1e-12 {
				t.Fatalf("(QQᵀ)[%d,%d] = %g", i, j, dot)
			}
		}
	}
	fb := draw(0, BlockConstant(4, 1, 1), tensor.Shape{8})
	if want := []float64{0, 0, 1, 1, 0, 0, 0, 0}; !equal(fb, want) {
		t.Errorf("forget bias %v, want %v", fb, want)
	}
}

func equal(a, b []float64) bool {
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

func TestProgramMatchesHandComputation(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		s := newTestStore(dt)
		addAffineParams(t, s)
		b, y, loss := buildAffine(t, s, 4)
		p, err := Compile(b, loss, y)
		if err != nil {
			t.Fatal(err)
		}
		x, c := affineInputs(4)
		if err := p.Set("x", x); err != nil {
			t.Fatal(err)
		}
		if err := p.Set("c", c); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		want := expectedAffine(s, x, 4)
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		var wantLoss float64
		for i, v := range p.Output(0) {
			if math.Abs(v-want[i]) > tol {
				t.Errorf("%v: y[%d] = %g, want %g", dt, i, v, want[i])
			}
			wantLoss += want[i] * c[i]
		}
		if math.Abs(p.Loss()-wantLoss) > 10*tol {
			t.Errorf("%v: loss %g, want %g", dt, p.Loss(), wantLoss)
		}
		if err := p.Set("x", x[:3]); err == nil {
			t.Errorf("Set with a wrong length: no error")
		}
		if err := p.Set("nope", x); err == nil {
			t.Errorf("Set of an unknown input: no error")
		}
		p.Close()
	}
}

func TestProgramGradientsPassCheck(t *testing.T) {
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b, _, loss := buildAffine(t, s, 5)
	p, err := Compile(b, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	x, c := affineInputs(5)
	p.Set("x", x)
	p.Set("c", c)
	report, err := CheckGradients(p, GradCheck{})
	if err != nil {
		t.Fatal(err)
	}
	if len(report) != 2 {
		t.Fatalf("report covers %d params, want 2", len(report))
	}
	// The checker must also catch a wrong gradient: corrupt the tolerance check by comparing against a
	// program whose loss is scaled but whose reported gradient we compare by hand.
	g, _ := p.Grad("b")
	gb := Float64s(g)
	// dL/db_j = Σ_i c_ij σ'(z_ij), computed by hand.
	wp, _ := s.Get("w")
	bp, _ := s.Get("b")
	w, bb := Float64s(wp.Value), Float64s(bp.Value)
	for j := 0; j < 2; j++ {
		var want float64
		for i := 0; i < 5; i++ {
			z := bb[j]
			for k := 0; k < 3; k++ {
				z += x[i*3+k] * w[k*2+j]
			}
			sg := 1 / (1 + math.Exp(-z))
			want += c[i*2+j] * sg * (1 - sg)
		}
		if math.Abs(gb[j]-want) > 1e-12 {
			t.Errorf("dL/db[%d] = %g, want %g", j, gb[j], want)
		}
	}
}

func TestGradientsDoNotAccumulateAcrossRuns(t *testing.T) {
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b, _, loss := buildAffine(t, s, 2)
	p, _ := Compile(b, loss)
	defer p.Close()
	x, c := affineInputs(2)
	p.Set("x", x)
	p.Set("c", c)
	p.Run()
	g, _ := p.Grad("w")
	first := Float64s(g)
	for i := 0; i < 3; i++ {
		p.Run()
	}
	g, _ = p.Grad("w")
	if !equal(first, Float64s(g)) {
		t.Errorf("gradient after 4 runs %v differs from after 1 run %v", Float64s(g), first)
	}
}

// TestProgramReuseIsStable runs one program 100 times: memory does not grow and the output equals that of a
// fresh program (Gorgonia's TapeMachine must be Reset between runs; see its issues on leaks around Reset).
func TestProgramReuseIsStable(t *testing.T) {
	const batch = 64
	s := newTestStore(tensor.Float32)
	addAffineParams(t, s)
	b, y, loss := buildAffine(t, s, batch)
	p, err := Compile(b, loss, y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	x, c := affineInputs(batch)
	p.Set("x", x)
	p.Set("c", c)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var before uint64
	for i := 0; i < 100; i++ {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if i == 9 {
			before = heap()
		}
	}
	after := heap()
	// 90 runs; a per-run leak of even one (64,2) float32 tensor (512 B) would add 45 KiB.
	if after > before+32<<10 {
		t.Errorf("heap grew from %d to %d bytes over 90 runs", before, after)
	}
	reused := append([]float64(nil), p.Output(0)...)
	b2, y2, loss2 := buildAffine(t, s, batch)
	fresh, _ := Compile(b2, loss2, y2)
	defer fresh.Close()
	fresh.Set("x", x)
	fresh.Set("c", c)
	fresh.Run()
	if !equal(reused, fresh.Output(0)) || p.Loss() != fresh.Loss() {
		t.Errorf("reused program output differs from a fresh program's")
	}
}

// TestGraphsShareStoreWeights: a training graph (batch 4) and an evaluation graph (batch 7) on one store
// see the same weights, including after an in-place update.
func TestGraphsShareStoreWeights(t *testing.T) {
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	bt, _, lt := buildAffine(t, s, 4)
	train, _ := Compile(bt, lt)
	defer train.Close()
	be, ye, le := buildAffine(t, s, 7)
	eval, _ := Compile(be, le, ye)
	defer eval.Close()
	x4, c4 := affineInputs(4)
	train.Set("x", x4)
	train.Set("c", c4)
	train.Run()
	// One SGD step on the store, in place.
	for _, prm := range s.Params() {
		g, _ := train.Grad(prm.Name)
		w := prm.Value.Data().([]float64)
		for i, gv := range Float64s(g) {
			w[i] -= 0.5 * gv
		}
	}
	x7, c7 := affineInputs(7)
	eval.Set("x", x7)
	eval.Set("c", c7)
	eval.Run()
	want := expectedAffine(s, x7, 7)
	for i, v := range eval.Output(0) {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("eval graph does not see the updated weights: y[%d] = %g, want %g", i, v, want[i])
		}
	}
}

// TestOutputSurvivesRegisterReuse: an output computed early, followed by many ops of the same shape that
// the TapeMachine may place in the same register, is still read correctly.
func TestOutputSurvivesRegisterReuse(t *testing.T) {
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b, y, _ := buildAffine(t, s, 3)
	h := y
	for i := 0; i < 10; i++ {
		h = gorgonia.Must(gorgonia.Tanh(h)) // (3, 2), same shape as y
	}
	loss := gorgonia.Must(gorgonia.Sum(h))
	p, err := Compile(b, loss, y, h)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	x, c := affineInputs(3)
	p.Set("x", x)
	p.Set("c", c)
	p.Run()
	want := expectedAffine(s, x, 3)
	for i, v := range p.Output(0) {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("y[%d] = %g after later ops, want %g", i, v, want[i])
		}
		wh := want[i]
		for k := 0; k < 10; k++ {
			wh = math.Tanh(wh)
		}
		if math.Abs(p.Output(1)[i]-wh) > 1e-12 {
			t.Fatalf("h[%d] = %g, want %g", i, p.Output(1)[i], wh)
		}
	}
}

func TestNoiseIsSeededAndRedrawn(t *testing.T) {
	run := func(seed uint64) [][]float64 {
		s := newTestStore(tensor.Float64)
		s.Add("w", tensor.Shape{4}, Constant(1))
		b := NewBuilder(s, BuilderConfig{Train: true, Seed: seed})
		n, _ := b.Noise("mask", tensor.Shape{4}, func(rng *rand.Rand, out []float64) {
			for i := range out {
				out[i] = rng.Float64()
			}
		})
		w, _ := b.Param("w")
		y := gorgonia.Must(gorgonia.HadamardProd(w, n))
		p, _ := Compile(b, gorgonia.Must(gorgonia.Sum(y)), y)
		defer p.Close()
		var outs [][]float64
		for i := 0; i < 2; i++ {
			p.Run()
			outs = append(outs, append([]float64(nil), p.Output(0)...))
		}
		return outs
	}
	a, b, c := run(1), run(1), run(2)
	if !equal(a[0], b[0]) || !equal(a[1], b[1]) {
		t.Errorf("same seed, different noise")
	}
	if equal(a[0], a[1]) {
		t.Errorf("noise not redrawn between runs")
	}
	if equal(a[0], c[0]) {
		t.Errorf("different seeds, same noise")
	}
}

func TestWriteDOT(t *testing.T) {
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b, _, _ := buildAffine(t, s, 2)
	var buf bytes.Buffer
	if err := WriteDOT(&buf, b.G); err != nil {
		t.Fatal(err)
	}
	dot := buf.String()
	for _, want := range []string{"digraph", "w", "x", "Sigmoid"} {
		if !strings.Contains(strings.ToLower(dot), strings.ToLower(want)) {
			t.Errorf("DOT output lacks %q", want)
		}
	}
}

func TestBuilderErrors(t *testing.T) {
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b := NewBuilder(s, BuilderConfig{})
	if _, err := b.Param("missing"); err == nil {
		t.Error("Param of a missing name: no error")
	}
	if _, err := b.Input("x", 2, 0); err == nil {
		t.Error("Input with a zero dimension: no error")
	}
	b.Input("x", 2)
	if _, err := b.Input("x", 2); err == nil {
		t.Error("Input declared twice: no error")
	}
	if _, err := b.Input("w", 2); err == nil {
		t.Error("Input named like a parameter: no error")
	}
	x, _ := b.Lookup("x")
	nonScalar := gorgonia.Must(gorgonia.Tanh(x))
	if _, err := Compile(b, nonScalar); err == nil {
		t.Error("Compile with a non-scalar loss: no error")
	}
}
