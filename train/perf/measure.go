package perf

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/train"
)

// Modes of a Job.
const (
	ModeTrain     = "train"     // training steps at (Batch, Length)
	ModeInference = "inference" // scoring one session at a time, then batches of InferBatch, with the run in Run
	ModeSaveRun   = "save-run"  // training the model for one epoch into the run directory Run
)

// InferBatch is the batch of the throughput half of the inference measurement.
const InferBatch = 512

// Job is one measurement, run in a process of its own so that peak memory belongs to it alone.
type Job struct {
	Mode   string `json:"mode"`
	Model  string `json:"model"`
	Batch  int    `json:"batch"`  // training batch
	Length int    `json:"length"` // events per session
	Warmup int    `json:"warmup"` // untimed steps (or calls) first
	Steps  int    `json:"steps"`  // timed training steps, or timed batches of InferBatch
	Calls  int    `json:"calls"`  // inference: timed single-session calls
	// Threads is what the parent set GOMAXPROCS (and the BLAS threads) to; recorded, not applied here.
	Threads int `json:"threads"`
	// Run is the run directory that ModeSaveRun writes and ModeInference reads.
	Run string `json:"run,omitempty"`
}

// Check reports a job that cannot run.
func (j Job) Check() error {
	switch {
	case j.Mode != ModeTrain && j.Mode != ModeInference && j.Mode != ModeSaveRun:
		return fmt.Errorf("perf: mode %q: want %q, %q or %q", j.Mode, ModeTrain, ModeInference, ModeSaveRun)
	case j.Batch < 1:
		return fmt.Errorf("perf: batch %d: want at least 1", j.Batch)
	case j.Length < 1:
		return fmt.Errorf("perf: length %d: want at least 1", j.Length)
	case j.Warmup < 0:
		return fmt.Errorf("perf: warm-up %d: want 0 or more", j.Warmup)
	case j.Steps < 1:
		return fmt.Errorf("perf: steps %d: want at least 1", j.Steps)
	case j.Mode == ModeInference && j.Calls < 1:
		return fmt.Errorf("perf: calls %d: want at least 1", j.Calls)
	case j.Threads < 1:
		return fmt.Errorf("perf: threads %d: want at least 1", j.Threads)
	}
	_, err := ModelConfig(j.Model)
	return err
}

// Measurement is what one side measured for one job. Times are in seconds, sizes in bytes; a count
// that a side cannot measure is −1.
type Measurement struct {
	Side    string `json:"side"` // "intentlab" or "pytorch"
	Model   string `json:"model"`
	Version string `json:"version"` // Go or PyTorch version
	BLAS    string `json:"blas"`
	Threads int    `json:"threads"` // threads the side ran with
	Params  int    `json:"params"`
	// Training: the time of every timed step, allocations and bytes allocated per step (Go heap), and
	// the loss of the last step (a finite loss shows the step computed something).
	StepSeconds   []float64 `json:"step_seconds,omitempty"`
	AllocsPerStep float64   `json:"allocs_per_step"`
	BytesPerStep  float64   `json:"bytes_per_step"`
	Loss          float64   `json:"loss"`
	// CPUShare is the CPU time the process used over the timed steps, in per cent of their wall time
	// × Threads: well under 100 means the side did not get (or did not use) its threads. −1 unknown.
	CPUShare float64 `json:"cpu_share"`
	// Inference: the time of every timed single-session call and batch of InferBatch, and allocations
	// per single-session call.
	CallSeconds   []float64 `json:"call_seconds,omitempty"`
	BatchSeconds  []float64 `json:"batch_seconds,omitempty"`
	AllocsPerCall float64   `json:"allocs_per_call"`
	// PeakRSS is the process's peak resident memory (VmHWM), −1 where /proc is missing.
	PeakRSS int64 `json:"peak_rss"`
}

// RunJob measures j in this process: the intentlab side. ModeInference and ModeSaveRun need j.Run.
func RunJob(ctx context.Context, j Job) (*Measurement, error) {
	if err := j.Check(); err != nil {
		return nil, err
	}
	if j.Mode != ModeTrain && j.Run == "" {
		return nil, fmt.Errorf("perf: mode %q needs a run directory", j.Mode)
	}
	m := &Measurement{Side: SideIntentlab, Model: j.Model, Version: runtime.Version(), BLAS: graph.BLAS(), Threads: runtime.GOMAXPROCS(0)}
	var err error
	switch j.Mode {
	case ModeTrain:
		err = measureTrain(j, m)
	case ModeSaveRun:
		err = saveRun(ctx, j)
	default:
		err = measureInference(j, m)
	}
	if err != nil {
		return nil, fmt.Errorf("perf: %s %s: %w", j.Model, j.Mode, err)
	}
	m.PeakRSS = PeakRSS()
	return m, nil
}

// benchSessions is the number of synthetic sessions of the benchmark data (train.BenchData, seed 1):
// enough for one training batch and one inference batch.
func benchSessions(batch int) int { return max(batch, InferBatch) }

func measureTrain(j Job, m *Measurement) error {
	d, err := train.BenchData(benchSessions(j.Batch), j.Length, 1)
	if err != nil {
		return err
	}
	cfg, err := ModelConfig(j.Model)
	if err != nil {
		return err
	}
	model, err := train.NewBenchModel(j.Model, &d.Schema, cfg)
	if err != nil {
		return err
	}
	m.Params = model.Store().Size()
	st, err := train.NewStepper(model, d, j.Batch, j.Length)
	if err != nil {
		return err
	}
	defer st.Close()
	for range j.Warmup {
		if err := st.Step(1e-3); err != nil {
			return err
		}
	}
	var before, after runtime.MemStats
	m.StepSeconds = make([]float64, j.Steps)
	runtime.ReadMemStats(&before)
	cpu0, wall0 := cpuTime(), time.Now()
	for i := range j.Steps {
		start := time.Now()
		if err := st.Step(1e-3); err != nil {
			return err
		}
		m.StepSeconds[i] = time.Since(start).Seconds()
	}
	cpu1, wall := cpuTime(), time.Since(wall0)
	m.CPUShare = -1
	if cpu0 >= 0 && cpu1 >= 0 {
		m.CPUShare = 100 * (cpu1 - cpu0).Seconds() / (wall.Seconds() * float64(m.Threads))
	}
	runtime.ReadMemStats(&after)
	m.AllocsPerStep = float64(after.Mallocs-before.Mallocs) / float64(j.Steps)
	m.BytesPerStep = float64(after.TotalAlloc-before.TotalAlloc) / float64(j.Steps)
	m.Loss = st.Loss()
	if math.IsNaN(m.Loss) || math.IsInf(m.Loss, 0) {
		return fmt.Errorf("the loss is %v", m.Loss)
	}
	return nil
}

// saveRun trains the model for one epoch on synthetic sessions into the run directory j.Run, as
// intentlab train does: the run that measureInference scores with. The sessions are seen through the
// default window of 20 events (padded to j.Length, or cut to it): with a window as long as the whole
// session no add-to-cart is left unseen, every cart label is 0, and the fusion model's validation
// ROC-AUC for that task is undefined. The work of scoring does not depend on the lengths: every
// position of the batch is computed.
func saveRun(ctx context.Context, j Job) error {
	cfg, err := ModelConfig(j.Model)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	exp := train.DefaultExperiment(j.Model)
	exp.Data.Spec = "synth:" + strconv.Itoa(2*InferBatch)
	exp.Data.Options.Synthetic = datasets.SyntheticConfig{Seed: 1}
	exp.Model.Config = raw
	exp.Train.Epochs, exp.Train.BatchSize, exp.Train.MaxLen, exp.Train.Seed = 1, min(j.Batch, 256), j.Length, 1
	_, _, err = train.Start(ctx, exp, j.Run, false)
	return err
}

// measureInference opens the saved run j.Run as intentlab predict does (train.OpenRun), preprocesses
// its data with the run's preprocessing, compiles one evaluation graph for a single session and one
// for InferBatch, and times scoring through train.Predictor: single sessions (each call scores the
// next test session), then whole batches. Compilation is outside the timing.
func measureInference(j Job, m *Measurement) error {
	sr, err := train.OpenRun(j.Run)
	if err != nil {
		return err
	}
	m.Params = sr.Model.Store().Size()
	sp, err := train.LoadSplit(sr.Experiment.Data)
	if err != nil {
		return err
	}
	test, err := sr.Preprocessor.Apply(sp.Test)
	if err != nil {
		return err
	}
	trainSplit, err := sr.Preprocessor.Apply(sp.Train)
	if err != nil {
		return err
	}
	if len(trainSplit.Sessions) < InferBatch {
		return fmt.Errorf("the run's training split has %d sessions, fewer than a batch of %d", len(trainSplit.Sessions), InferBatch)
	}
	ones := make([]*datasets.Dataset, len(test.Sessions))
	for i := range ones {
		ones[i] = test.Subset([]int{i})
	}
	one, err := train.NewPredictor(sr.Model, &sr.Schema, 1, sr.Experiment.Train.MaxLen)
	if err != nil {
		return err
	}
	defer one.Close()
	for i := range j.Warmup {
		if _, err := one.Predict(ones[i%len(ones)]); err != nil {
			return err
		}
	}
	var before, after runtime.MemStats
	m.CallSeconds = make([]float64, j.Calls)
	runtime.ReadMemStats(&before)
	for i := range j.Calls {
		start := time.Now()
		if _, err := one.Predict(ones[i%len(ones)]); err != nil {
			return err
		}
		m.CallSeconds[i] = time.Since(start).Seconds()
	}
	runtime.ReadMemStats(&after)
	m.AllocsPerCall = float64(after.Mallocs-before.Mallocs) / float64(j.Calls)

	full := trainSplit.Subset(seq(InferBatch))
	many, err := train.NewPredictor(sr.Model, &sr.Schema, InferBatch, sr.Experiment.Train.MaxLen)
	if err != nil {
		return err
	}
	defer many.Close()
	if _, err := many.Predict(full); err != nil { // one warm-up batch
		return err
	}
	m.BatchSeconds = make([]float64, j.Steps)
	for i := range j.Steps {
		start := time.Now()
		if _, err := many.Predict(full); err != nil {
			return err
		}
		m.BatchSeconds[i] = time.Since(start).Seconds()
	}
	return nil
}

// seq returns 0, 1, …, n−1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// PeakRSS returns this process's peak resident set size in bytes (VmHWM of /proc/self/status), or −1
// where it cannot be read.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}
