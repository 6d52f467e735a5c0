package perf

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/train"
)

// TestForwardFLOPs checks the FLOP count on toy sizes against sums worked out by hand below.
func TestForwardFLOPs(t *testing.T) {
	// LSTM of one layer of 5 over an event vector of 2 + 3 + 4 = 9, static vector 1 + 2 = 3, head 6;
	// B = 2, T = 3:
	//   recurrent: 2·B·T·(9 + 5)·4·5 = 2·2·3·14·20 = 3360
	//   head:      2·B·((5 + 3)·6 + 6·1) = 2·2·54  = 216
	lstm := Arch{Model: "lstm", Cell: "lstm", Hiddens: []int{5}, TypeDim: 2, CategoryDim: 3,
		Numeric: 1, CategoricalSizes: []int{3}, CategoricalDims: []int{2}, Head: 6, Tasks: 1}
	// The same as a GRU: 3 gate blocks, 2·2·3·14·15 = 2520, + 216.
	gru := lstm
	gru.Cell = "gru"
	// Transformer of width 4, one block, FF 8, static vector 1, head 3; B = 1, T = 2:
	//   values: 2·B·T·4·D = 2·1·2·4·4 = 64
	//   block:  projections 2·B·T·D·D·4 = 256, scores and sums 2·2·B·T·T·D = 64, FF 2·2·B·T·D·FF = 256
	//   head:   2·B·((4 + 1)·3 + 3) = 36
	trans := Arch{Model: "transformer", Dim: 4, Heads: 2, Blocks: 1, FF: 8, MaxLen: 2, TypeDim: 4, CategoryDim: 4,
		Numeric: 1, Head: 3, Tasks: 1}
	// Fusion: the LSTM above, a static MLP of 4 (2·B·3·4 = 48), two heads over 4 + 5 = 9:
	//   2 · 2·B·(9·6 + 6) = 480; total 3360 + 48 + 480 = 3888.
	fusion := lstm
	fusion.Model, fusion.MLP, fusion.Tasks = "fusion", []int{4}, 2
	for _, c := range []struct {
		name string
		a    Arch
		B, T int
		want float64
	}{
		{"lstm", lstm, 2, 3, 3360 + 216},
		{"gru", gru, 2, 3, 2520 + 216},
		{"transformer", trans, 1, 2, 64 + 256 + 64 + 256 + 36},
		{"fusion", fusion, 2, 3, 3888},
	} {
		if got := c.a.ForwardFLOPs(c.B, c.T); got != c.want {
			t.Errorf("%s: ForwardFLOPs = %g, want %g", c.name, got, c.want)
		}
		if got := c.a.StepFLOPs(c.B, c.T); got != 3*c.want {
			t.Errorf("%s: StepFLOPs = %g, want %g", c.name, got, 3*c.want)
		}
	}
}

// TestArchMatchesModels checks each description against the model intentlab builds: the parameter
// count of the description equals the store's, and the fixed shapes are the ones the benchmark names.
func TestArchMatchesModels(t *testing.T) {
	d, err := train.BenchData(64, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Models {
		a, err := NewArch(name, &d.Schema)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ModelConfig(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := train.NewBenchModel(name, &d.Schema, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := a.Params(), m.Store().Size(); got != want {
			t.Errorf("%s: Arch.Params = %d, the model's store holds %d", name, got, want)
		}
		switch name {
		case "lstm", "gru", "fusion":
			if a.EventDim() != 32 || len(a.Hiddens) != 2 || a.Hiddens[0] != 128 || a.Hiddens[1] != 64 {
				t.Errorf("%s: event vector %d, hiddens %v; want 32 and [128 64]", name, a.EventDim(), a.Hiddens)
			}
		case "transformer":
			if a.Dim != 64 || a.Heads != 4 || a.Blocks != 2 {
				t.Errorf("transformer: dim %d, heads %d, blocks %d; want 64, 4, 2", a.Dim, a.Heads, a.Blocks)
			}
		}
	}
	if _, err := NewArch("cnn", &d.Schema); err == nil {
		t.Error("NewArch(cnn): no error for a model the benchmark does not describe")
	}
}

// TestSpread: the quartiles of 1…5 are 2 and 4 (numpy.percentile), half their range 1 is 33% of the
// median 3.
func TestSpread(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if got := Spread(xs); math.Abs(got-100.0/3) > 1e-12 {
		t.Errorf("Spread = %g, want 33.3", got)
	}
	if xs[0] != 5 {
		t.Errorf("Spread sorted its input: %v", xs)
	}
	if !math.IsNaN(Spread(nil)) {
		t.Error("Spread of nothing is not NaN")
	}
}

// TestWriteTable formats a report with made-up measurements: 256 sequences in a median of 0.5 s are
// 512 seq/s, 0.25 s 1024 seq/s, ratio 0.5.
func TestWriteTable(t *testing.T) {
	a := Arch{Model: "lstm", Cell: "lstm", Hiddens: []int{5}, TypeDim: 2, CategoryDim: 3,
		Numeric: 1, CategoricalSizes: []int{3}, CategoricalDims: []int{2}, Head: 6, Tasks: 1}
	a.TypeVocab, a.CategoryVocab = 4, 5
	rep := &Report{
		Config: Config{Batch: 256, Length: 50, Warmup: 3, Steps: 3, Threads: 2, Python: "/usr/bin/python3"},
		Torch:  "1.13.0",
		Rows: []Row{
			{Model: "lstm", Arch: a,
				Go:    &Measurement{Version: "go1.26", BLAS: "gonum", Params: a.Params(), StepSeconds: []float64{0.5, 0.4, 0.6}, CPUShare: 97.4, AllocsPerStep: 1000, BytesPerStep: 3 << 20, PeakRSS: 100 << 20},
				Torch: &Measurement{Params: a.TorchParams(), StepSeconds: []float64{0.25, 0.25, 0.25}, CPUShare: -1, PeakRSS: 250 << 20}},
			{Model: "gru", Arch: a, GoErr: errors.New("boom")},
		},
	}
	var b strings.Builder
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	// a at B = 256, T = 50 (TestForwardFLOPs's sums): 3·(2·256·50·14·20 + 2·256·54) = 21,586,944 FLOP,
	// 0.043 GFLOP/s in 0.5 s, 0.086 in 0.25 s. Parameters: 3·2 + 4·2 + 5·3 static and event
	// embeddings, 9·20 + 5·20 + 20 LSTM, 8·6 + 6 + 6 + 1 head: 390 (PyTorch 20 more).
	want := `| model | params | GFLOP/step | intentlab seq/s |   ± | CPU | GFLOP/s | allocs/step | MiB/step | peak RSS MiB | PyTorch seq/s |  ± | CPU | GFLOP/s | peak RSS MiB | ratio |
| ----- | -----: | ---------: | --------------: | --: | --: | ------: | ----------: | -------: | -----------: | ------------: | -: | --: | ------: | -----------: | ----: |
| lstm  |    390 |       0.02 |             512 | 10% | 97% |     0.0 |        1000 |      3.0 |          100 |          1024 | 0% |   — |     0.1 |          250 |  0.50 |
| gru   |    390 |       0.02 |           error |     |     |         |             |          |              |             — |    |     |         |              |     — |
`
	got := b.String()
	if !strings.Contains(got, want) {
		t.Errorf("table:\n%s\nwant it to contain:\n%s", got, want)
	}
	for _, s := range []string{
		"Training step (batch 256, 50 events, float32, 2 threads): median of 3 timed steps after 3 warm-up.",
		"intentlab go1.26, BLAS gonum; PyTorch 1.13.0 (/usr/bin/python3).",
		"gru: intentlab: boom",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("table: no line %q in\n%s", s, got)
		}
	}
	if strings.Contains(got, "WARNING") {
		t.Errorf("table warns of a parameter mismatch where there is none:\n%s", got)
	}
	rep.Rows[0].Torch.Params++
	b.Reset()
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "lstm: WARNING: the PyTorch model has 411 parameters, 410 expected") {
		t.Errorf("no warning of the PyTorch model's extra parameter:\n%s", b.String())
	}
}

func TestJobCheck(t *testing.T) {
	ok := Job{Mode: ModeTrain, Model: "lstm", Batch: 4, Length: 3, Steps: 1, Threads: 1}
	if err := ok.Check(); err != nil {
		t.Fatalf("Check(%+v): %v", ok, err)
	}
	for _, bad := range []func(*Job){
		func(j *Job) { j.Mode = "fly" },
		func(j *Job) { j.Model = "cnn" },
		func(j *Job) { j.Batch = 0 },
		func(j *Job) { j.Length = 0 },
		func(j *Job) { j.Steps = 0 },
		func(j *Job) { j.Warmup = -1 },
		func(j *Job) { j.Threads = 0 },
		func(j *Job) { j.Mode = ModeInference },
	} {
		j := ok
		bad(&j)
		if err := j.Check(); err == nil {
			t.Errorf("Check(%+v): no error", j)
		}
	}
	if _, err := RunJob(context.Background(), Job{Mode: ModeSaveRun, Model: "lstm", Batch: 4, Length: 3, Steps: 1, Calls: 1, Threads: 1}); err == nil {
		t.Error("RunJob: a save-run job without a run directory ran")
	}
}

// TestRunJobTrain runs a tiny training job in this process: one timed step per model kind.
func TestRunJobTrain(t *testing.T) {
	for _, name := range []string{"gru", "transformer"} {
		m, err := RunJob(context.Background(), Job{Mode: ModeTrain, Model: name, Batch: 4, Length: 3, Warmup: 1, Steps: 2, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.StepSeconds) != 2 || !(m.StepSeconds[0] > 0) || m.AllocsPerStep <= 0 || m.Params <= 0 || m.Side != SideIntentlab {
			t.Errorf("%s: measurement %+v", name, m)
		}
	}
}

// TestTorchScript runs the PyTorch side on tiny shapes, where Debian's python3-torch is installed,
// and checks that it built the model described: the parameter count of the description (with
// PyTorch's second LSTM bias) and a finite loss. It skips without torch and under -short.
func TestTorchScript(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starting PyTorch takes seconds")
	}
	ctx := context.Background()
	if _, err := TorchVersion(ctx, "/usr/bin/python3"); err != nil {
		t.Skip(err)
	}
	d, err := train.BenchData(benchSessions(4), 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []Job
	for _, name := range Models {
		j := Job{Mode: ModeTrain, Model: name, Batch: 4, Length: 3, Steps: 1, Threads: 1}
		if name == "transformer" {
			j.Mode, j.Calls = ModeInference, 2 // the inference path, once
		}
		jobs = append(jobs, j)
	}
	ms, err := runTorchJobs(ctx, "/usr/bin/python3", jobs) // one process: starting PyTorch takes seconds
	if err != nil {
		t.Fatal(err)
	}
	for i, j := range jobs {
		name, m := j.Model, ms[i]
		a, err := NewArch(name, &d.Schema)
		if err != nil {
			t.Fatal(err)
		}
		if m.Model != name || m.Params != a.TorchParams() {
			t.Errorf("%s: the PyTorch model %s has %d parameters, the description %d", name, m.Model, m.Params, a.TorchParams())
		}
		if j.Mode == ModeTrain && (len(m.StepSeconds) != 1 || math.IsNaN(m.Loss) || m.Loss <= 0) {
			t.Errorf("%s: steps %v, loss %g", name, m.StepSeconds, m.Loss)
		}
		if j.Mode == ModeInference && (len(m.CallSeconds) != 2 || len(m.BatchSeconds) != 1) {
			t.Errorf("%s: calls %v, batches %v", name, m.CallSeconds, m.BatchSeconds)
		}
	}
}
