package train

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// torchFixture is testdata/torch_optim.json, written by testdata/torch_optim.py with PyTorch 1.13 in
// float64 (see the script for what each field holds).
type torchFixture struct {
	Torch      string `json:"torch"`
	Optimizers []struct {
		Name   string          `json:"name"`
		Config OptimizerConfig `json:"config"`
		Params []struct {
			Name  string    `json:"name"`
			Shape []int     `json:"shape"`
			Init  []float64 `json:"init"`
		} `json:"params"`
		LRs   []float64     `json:"lrs"`
		Grads [][][]float64 `json:"grads"` // [step][param][value]; a null param is a nil gradient
		After [][][]float64 `json:"after"` // [step][param][value]
	} `json:"optimizers"`
	Schedules []struct {
		Name          string         `json:"name"`
		Config        ScheduleConfig `json:"config"`
		Base          float64        `json:"base"`
		StepsPerEpoch int            `json:"steps_per_epoch"`
		TotalSteps    int            `json:"total_steps"`
		LRs           []float64      `json:"lrs"`
	} `json:"schedules"`
	Clip []struct {
		MaxNorm float64     `json:"max_norm"`
		Shapes  [][]int     `json:"shapes"`
		Grads   [][]float64 `json:"grads"`
		Norm    float64     `json:"norm"`
		Clipped [][]float64 `json:"clipped"`
	} `json:"clip"`
}

func loadTorchFixture(t *testing.T) *torchFixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_optim.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f torchFixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// dense64 and dense32 make tensors holding vals.
func dense64(shape []int, vals []float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

func dense32(shape []int, vals []float64) *tensor.Dense {
	f := make([]float32, len(vals))
	for i, v := range vals {
		f[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}

// relClose reports whether got is within tol of want, relative to max(|want|, 1e-300).
func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}

// TestOptimizersMatchTorch feeds the fixture's gradients (and nil gradients where torch had grad None)
// to each optimizer in float64 and compares every parameter after every step with PyTorch 1.13's
// torch.optim.SGD / Adam / AdamW, to 1e-12 relative: the two differ only by rounding order (torch's
// vectorised kernels may fuse multiply-adds).
func TestOptimizersMatchTorch(t *testing.T) {
	f := loadTorchFixture(t)
	if len(f.Optimizers) == 0 {
		t.Fatal("fixture has no optimizer cases")
	}
	for _, c := range f.Optimizers {
		t.Run(c.Name, func(t *testing.T) {
			opt, err := NewOptimizer(c.Config)
			if err != nil {
				t.Fatal(err)
			}
			params := make([]*graph.Param, len(c.Params))
			for i, p := range c.Params {
				params[i] = &graph.Param{Name: p.Name, Value: dense64(p.Shape, p.Init)}
			}
			for k, lr := range c.LRs {
				grads := make([]tensor.Tensor, len(params))
				for i, g := range c.Grads[k] {
					if g != nil {
						grads[i] = dense64(c.Params[i].Shape, g)
					}
				}
				if err := opt.Step(params, grads, lr); err != nil {
					t.Fatalf("step %d: %v", k, err)
				}
				for i, p := range params {
					got := p.Value.Data().([]float64)
					for j, want := range c.After[k][i] {
						if !relClose(got[j], want, 1e-12) {
							t.Fatalf("step %d: %s[%d] = %.17g, torch %.17g", k, p.Name, j, got[j], want)
						}
					}
				}
			}
			if st := opt.State(); st.Step != len(c.LRs) {
				t.Errorf("State().Step = %d, want %d", st.Step, len(c.LRs))
			}
		})
	}
}

// stepSequence runs opt for the given steps on params with gradients drawn from a fixed seed per step,
// so that two runs (or a run split across a restore) see the same gradients at the same step.
func stepSequence(t *testing.T, opt Optimizer, params []*graph.Param, from, to int) {
	t.Helper()
	for k := from; k < to; k++ {
		rng := rand.New(rand.NewPCG(uint64(k), 99))
		grads := make([]tensor.Tensor, len(params))
		for i, p := range params {
			n := p.Value.Shape().TotalSize()
			vals := make([]float64, n)
			for j := range vals {
				vals[j] = rng.NormFloat64()
			}
			if p.Value.Dtype() == tensor.Float32 {
				grads[i] = dense32(p.Value.Shape(), vals)
			} else {
				grads[i] = dense64(p.Value.Shape(), vals)
			}
		}
		if err := opt.Step(params, grads, 0.01*float64(k+1)); err != nil {
			t.Fatalf("step %d: %v", k, err)
		}
	}
}

func testParams(t testing.TB, dtype tensor.Dtype) []*graph.Param {
	t.Helper()
	store := graph.NewStore(dtype, rand.New(rand.NewPCG(1, 2)))
	for _, p := range []struct {
		name  string
		shape tensor.Shape
	}{{"layer.w", tensor.Shape{3, 4}}, {"layer.b", tensor.Shape{4}}, {"out.w", tensor.Shape{4, 1}}} {
		if _, err := store.Add(p.name, p.shape, graph.Normal(1)); err != nil {
			t.Fatal(err)
		}
	}
	return store.Params()
}

var testConfigs = []OptimizerConfig{
	{Name: "sgd"},
	{Name: "sgd", Momentum: 0.9, WeightDecay: 0.01},
	{Name: "sgd", Momentum: 0.9, Nesterov: true},
	{Name: "adam", WeightDecay: 0.01},
	{Name: "adamw", WeightDecay: 0.1},
}

// TestFloat32GetsRoundedFloat64Update checks that a float32 parameter receives the float32 rounding of
// the float64 update: a float64 reference optimizer, fed the same (float32-representable) gradients and
// with its parameters rounded to float32 after each step, must agree bit for bit at every step.
func TestFloat32GetsRoundedFloat64Update(t *testing.T) {
	for _, cfg := range testConfigs {
		t.Run(cfg.Name, func(t *testing.T) {
			p32 := testParams(t, tensor.Float32)
			p64 := make([]*graph.Param, len(p32))
			for i, p := range p32 {
				p64[i] = &graph.Param{Name: p.Name, Value: dense64(p.Value.Shape(), graph.Float64s(p.Value))}
			}
			o32, err := NewOptimizer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			o64, _ := NewOptimizer(cfg)
			for k := range 6 {
				stepSequence(t, o32, p32, k, k+1)
				// float32 gradients converted to float64 are exact, so the reference sees the same ones.
				rng := rand.New(rand.NewPCG(uint64(k), 99))
				grads := make([]tensor.Tensor, len(p64))
				for i, p := range p64 {
					vals := make([]float64, p.Value.Shape().TotalSize())
					for j := range vals {
						vals[j] = float64(float32(rng.NormFloat64()))
					}
					grads[i] = dense64(p.Value.Shape(), vals)
				}
				if err := o64.Step(p64, grads, 0.01*float64(k+1)); err != nil {
					t.Fatal(err)
				}
				for i := range p64 {
					ref := p64[i].Value.Data().([]float64)
					got := p32[i].Value.Data().([]float32)
					for j := range ref {
						ref[j] = float64(float32(ref[j]))
						if got[j] != float32(ref[j]) {
							t.Fatalf("step %d: %s[%d] = %v, want float32(%v)", k, p32[i].Name, j, got[j], ref[j])
						}
					}
				}
			}
		})
	}
}

// TestOptimizerResume checks that a state saved after 3 steps and restored into a fresh optimizer (before
// its first step) continues bit for bit like an uninterrupted run of 6 steps, in float32 and float64.
func TestOptimizerResume(t *testing.T) {
	for _, dtype := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, cfg := range testConfigs {
			t.Run(cfg.Name+"/"+dtype.String(), func(t *testing.T) {
				straight := testParams(t, dtype)
				o1, _ := NewOptimizer(cfg)
				stepSequence(t, o1, straight, 0, 6)

				resumed := testParams(t, dtype)
				o2, _ := NewOptimizer(cfg)
				stepSequence(t, o2, resumed, 0, 3)
				saved := o2.State()
				o3, _ := NewOptimizer(cfg)
				if err := o3.SetState(saved); err != nil {
					t.Fatal(err)
				}
				stepSequence(t, o3, resumed, 3, 6)

				for i := range straight {
					a, b := graph.Float64s(straight[i].Value), graph.Float64s(resumed[i].Value)
					for j := range a {
						if math.Float64bits(a[j]) != math.Float64bits(b[j]) {
							t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", straight[i].Name, j, b[j], a[j])
						}
					}
				}
				s1, s3 := o1.State(), o3.State()
				if s1.Step != 6 || s3.Step != 6 || len(s1.Slots) != len(s3.Slots) {
					t.Fatalf("states differ: steps %d and %d, %d and %d slots", s1.Step, s3.Step, len(s1.Slots), len(s3.Slots))
				}
				for i := range s1.Slots {
					if s1.Slots[i].Name != s3.Slots[i].Name {
						t.Fatalf("slot %d: %q vs %q", i, s1.Slots[i].Name, s3.Slots[i].Name)
					}
					for j := range s1.Slots[i].Values {
						if math.Float64bits(s1.Slots[i].Values[j]) != math.Float64bits(s3.Slots[i].Values[j]) {
							t.Fatalf("slot %q differs at %d", s1.Slots[i].Name, j)
						}
					}
				}
			})
		}
	}
}

// TestOptimizerStateSlots checks the slot names State reports, and that State returns a copy.
func TestOptimizerStateSlots(t *testing.T) {
	want := map[string][]string{
		"sgd":      nil,
		"momentum": {"velocity/layer.w", "step/layer.w", "velocity/layer.b", "step/layer.b", "velocity/out.w", "step/out.w"},
		"adam":     {"m/layer.w", "v/layer.w", "step/layer.w", "m/layer.b", "v/layer.b", "step/layer.b", "m/out.w", "v/out.w", "step/out.w"},
	}
	for name, cfg := range map[string]OptimizerConfig{"sgd": {Name: "sgd"}, "momentum": {Name: "sgd", Momentum: 0.5}, "adam": {}} {
		opt, _ := NewOptimizer(cfg)
		params := testParams(t, tensor.Float64)
		stepSequence(t, opt, params, 0, 2)
		st := opt.State()
		var names []string
		for _, s := range st.Slots {
			names = append(names, s.Name)
		}
		if strings.Join(names, " ") != strings.Join(want[name], " ") {
			t.Errorf("%s: slots %v, want %v", name, names, want[name])
		}
		if len(st.Slots) > 0 {
			if st.Slots[len(st.Slots)-1].Values[0] != 2 {
				t.Errorf("%s: %s = %v, want 2", name, st.Slots[len(st.Slots)-1].Name, st.Slots[len(st.Slots)-1].Values)
			}
			st.Slots[0].Values[0] = math.Pi
			if opt.State().Slots[0].Values[0] == math.Pi {
				t.Errorf("%s: State shares its slices with the optimizer", name)
			}
		}
	}
}

// TestOptimizerSetStateErrors checks that a state that does not fit the parameters is a clear error,
// before the first step (reported by Step) and after it (reported by SetState), and that a failed
// restore leaves the state unchanged.
func TestOptimizerSetStateErrors(t *testing.T) {
	src, _ := NewOptimizer(OptimizerConfig{})
	stepSequence(t, src, testParams(t, tensor.Float64), 0, 2)
	good := src.State()

	drop := copyState(good)
	drop.Slots = drop.Slots[1:]
	short := copyState(good)
	short.Slots[0].Values = short.Slots[0].Values[:3]
	extra := copyState(good)
	extra.Slots = append(extra.Slots, Slot{Name: "m/ghost", Values: []float64{1}})
	badStep := copyState(good)
	badStep.Slots[2].Values = []float64{1.5}
	cases := []struct {
		name  string
		st    OptimizerState
		where string // "set" if SetState itself fails, else "bind"
		want  string
	}{
		{"missing slot", drop, "bind", `no slot "m/layer.w"`},
		{"wrong length", short, "bind", `"m/layer.w" has 3 values, parameter "layer.w" has 12`},
		{"extra param", extra, "bind", `"m/ghost" is for a parameter`},
		{"fractional step", badStep, "bind", `"step/layer.w"`},
		{"unknown kind", OptimizerState{Slots: []Slot{{Name: "velocity/layer.w"}}}, "set", `"velocity/layer.w" is not one of`},
		{"no slots after steps", OptimizerState{Step: 4}, "bind", `no slot "m/layer.w"`},
		{"negative step", OptimizerState{Step: -1}, "set", "step -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Before the first step: SetState or the first Step fails.
			opt, _ := NewOptimizer(OptimizerConfig{})
			err := opt.SetState(c.st)
			if c.where == "bind" {
				if err != nil {
					t.Fatalf("SetState: %v", err)
				}
				err = opt.Step(testParams(t, tensor.Float64), make([]tensor.Tensor, 3), 0.1)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %s", err, c.want)
			}
			// After a step: SetState fails at once and the state stays.
			opt2, _ := NewOptimizer(OptimizerConfig{})
			stepSequence(t, opt2, testParams(t, tensor.Float64), 0, 2)
			before := opt2.State()
			if err := opt2.SetState(c.st); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("after a step: got %v, want an error containing %s", err, c.want)
			}
			after := opt2.State()
			if after.Step != before.Step || after.Slots[0].Values[0] != before.Slots[0].Values[0] {
				t.Fatal("a failed SetState changed the state")
			}
		})
	}
	plain, _ := NewOptimizer(OptimizerConfig{Name: "sgd"})
	if err := plain.SetState(good); err == nil || !strings.Contains(err.Error(), "keeps no slots") {
		t.Errorf("adam state into plain sgd: got %v", err)
	}
}

// TestOptimizerStepErrors checks Step's argument checks.
func TestOptimizerStepErrors(t *testing.T) {
	params := testParams(t, tensor.Float64)
	g := func(shape []int, n int) tensor.Tensor { return dense64(shape, make([]float64, n)) }
	grads := []tensor.Tensor{g([]int{3, 4}, 12), g([]int{4}, 4), g([]int{4, 1}, 4)}
	opt, _ := NewOptimizer(OptimizerConfig{})
	cases := []struct {
		name   string
		params []*graph.Param
		grads  []tensor.Tensor
		lr     float64
		want   string
	}{
		{"count", params, grads[:2], 0.1, "3 parameters but 2 gradients"},
		{"lr", params, grads, math.NaN(), "learning rate NaN"},
		{"dtype", params, []tensor.Tensor{dense32([]int{3, 4}, make([]float64, 12)), nil, nil}, 0.1, `parameter "layer.w" is float64 but its gradient is float32`},
		{"size", params, []tensor.Tensor{g([]int{12, 1}, 12), g([]int{5}, 5), nil}, 0.1, `gradient of "layer.b" has 5 values, want 4`},
		{"order", []*graph.Param{params[1], params[0], params[2]}, grads, 0.1, `parameter 0 is "layer.b"`},
		{"fewer", params[:2], grads[:2], 0.1, "2 parameters, but the optimizer was first stepped with 3"},
	}
	before := graph.Float64s(params[0].Value)
	for _, c := range cases {
		if err := opt.Step(c.params, c.grads, c.lr); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// The "size" case had a good gradient for layer.w before the bad one: a failed Step updates nothing.
	if !slices.Equal(graph.Float64s(params[0].Value), before) {
		t.Error("a failed Step changed layer.w")
	}
	if st := opt.State(); st.Step != 0 || st.Slots[2].Values[0] != 0 {
		t.Errorf("failed Steps advanced the state: step %d, %s = %v", st.Step, st.Slots[2].Name, st.Slots[2].Values)
	}
}

// TestOptimizerConfigValidate checks defaults and rejections.
func TestOptimizerConfigValidate(t *testing.T) {
	d := OptimizerConfig{}.WithDefaults()
	if d.Name != "adam" || d.Beta1 != 0.9 || d.Beta2 != 0.999 || d.Eps != 1e-8 || d.WeightDecay != 0 {
		t.Errorf("defaults = %+v, want Adam(0.9, 0.999, 1e-8), no decay (PyTorch's Adam defaults)", d)
	}
	if s := (OptimizerConfig{Name: "sgd"}).WithDefaults(); s.Beta1 != 0 || s.Eps != 0 {
		t.Errorf("sgd defaults filled Adam fields: %+v", s)
	}
	for _, ok := range []OptimizerConfig{{}, {Name: "sgd"}, {Name: "sgd", Momentum: 0.9, Nesterov: true}, {Name: "adamw", WeightDecay: 0.01}, d} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	bad := []struct {
		cfg  OptimizerConfig
		want string
	}{
		{OptimizerConfig{Name: "rmsprop"}, `unknown name "rmsprop"`},
		{OptimizerConfig{Name: "sgd", Nesterov: true}, "nesterov needs momentum"},
		{OptimizerConfig{Name: "sgd", Momentum: -0.1}, "momentum = -0.1"},
		{OptimizerConfig{Name: "sgd", Momentum: 1}, "momentum = 1"},
		{OptimizerConfig{Name: "sgd", Beta1: 0.9}, "Adam settings"},
		{OptimizerConfig{Momentum: 0.9}, "SGD settings"},
		{OptimizerConfig{Beta1: 1}, "beta1 = 1"},
		{OptimizerConfig{Beta2: math.NaN()}, "beta2 = NaN"},
		{OptimizerConfig{Eps: -1}, "eps = -1"},
		{OptimizerConfig{WeightDecay: -0.01}, "weight_decay = -0.01"},
	}
	for _, b := range bad {
		if err := b.cfg.Validate(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%+v: got %v, want an error containing %q", b.cfg, err, b.want)
		}
		if _, err := NewOptimizer(b.cfg); err == nil {
			t.Errorf("NewOptimizer(%+v) accepted it", b.cfg)
		}
	}
}

// TestOptimizerStepAllocs checks that steps after the first allocate nothing.
func TestOptimizerStepAllocs(t *testing.T) {
	for _, cfg := range testConfigs {
		params := testParams(t, tensor.Float32)
		grads := make([]tensor.Tensor, len(params))
		for i, p := range params {
			grads[i] = dense32(p.Value.Shape(), make([]float64, p.Value.Shape().TotalSize()))
		}
		opt, _ := NewOptimizer(cfg)
		if err := opt.Step(params, grads, 0.01); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(10, func() { _ = opt.Step(params, grads, 0.01) }); n != 0 {
			t.Errorf("%+v: %v allocations per step, want 0", cfg, n)
		}
	}
}

// BenchmarkAdamStep measures one Adam step on 1M float32 parameters (one tensor of 1000×1000).
func BenchmarkAdamStep(b *testing.B) {
	const n = 1000
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	p, err := store.Add("w", tensor.Shape{n, n}, graph.Normal(1))
	if err != nil {
		b.Fatal(err)
	}
	vals := make([]float64, n*n)
	for i := range vals {
		vals[i] = float64(i%7) - 3
	}
	params, grads := []*graph.Param{p}, []tensor.Tensor{dense32([]int{n, n}, vals)}
	opt, _ := NewOptimizer(OptimizerConfig{})
	if err := opt.Step(params, grads, 1e-3); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	steps := 0
	for b.Loop() {
		if err := opt.Step(params, grads, 1e-3); err != nil {
			b.Fatal(err)
		}
		steps++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps)/float64(n*n), "ns/param")
}
