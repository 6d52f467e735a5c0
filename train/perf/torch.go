package perf

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

// Sides of a comparison.
const (
	SideIntentlab = "intentlab"
	SidePyTorch   = "pytorch"
)

// torchScript is the PyTorch side, torch_step.py: its doc string says what it builds and measures.
//
//go:embed torch_step.py
var torchScript []byte

// TorchScript returns the PyTorch script the comparison runs (torch_step.py of this package).
func TorchScript() []byte { return bytes.Clone(torchScript) }

// ErrNoTorch says that the Python interpreter cannot import torch.
var ErrNoTorch = errors.New("PyTorch is not installed (apt-get install python3-torch)")

// TorchVersion returns the version of the torch package python imports, or ErrNoTorch.
func TorchVersion(ctx context.Context, python string) (string, error) {
	out, err := exec.CommandContext(ctx, python, "-c", "import torch; print(torch.__version__)").Output()
	if err != nil {
		return "", fmt.Errorf("%w: %s -c 'import torch': %v", ErrNoTorch, python, err)
	}
	return string(bytes.TrimSpace(out)), nil
}

// torchData is one batch in intentlab's flat layout, as the script reads it.
type torchData struct {
	Batch        int       `json:"batch"`
	Length       int       `json:"length"`
	Types        []int     `json:"types"`
	Categories   []int     `json:"categories"`
	Dwell        []float64 `json:"dwell"`
	Price        []float64 `json:"price"`
	Repeats      []float64 `json:"repeats"`
	Mask         []float64 `json:"mask"`
	Lengths      []int     `json:"lengths"`
	Numeric      []float64 `json:"numeric"`
	Categorical  []int     `json:"categorical"`
	Labels       []float64 `json:"labels"`
	LabelColumns []int     `json:"label_columns"` // the label column of each predicted task
	Weights      []float64 `json:"weights"`
}

// torchSpec is the script's input.
type torchSpec struct {
	Job  Job       `json:"job"`
	Arch Arch      `json:"arch"`
	Data torchData `json:"data"`
}

// newTorchSpec describes job j for the script: the model's sizes, and the first training batch of the
// benchmark data that the intentlab side trains on.
func newTorchSpec(j Job) (*torchSpec, error) {
	d, err := train.BenchData(benchSessions(j.Batch), j.Length, 1)
	if err != nil {
		return nil, err
	}
	arch, err := NewArch(j.Model, &d.Schema)
	if err != nil {
		return nil, err
	}
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: j.Batch, MaxLen: j.Length})
	if err != nil {
		return nil, err
	}
	b, _ := bt.Next()
	repeats := make([]float64, 2*len(b.Types))
	models.Repeats(b, repeats)
	cols := []int{d.Schema.TaskIndex(datasets.TaskPurchase)}
	if arch.Tasks > 1 { // fusion: every task, purchase first (models.Fusion's order)
		for k, t := range d.Schema.Tasks {
			if t != datasets.TaskPurchase {
				cols = append(cols, k)
			}
		}
	}
	if len(cols) != arch.Tasks {
		return nil, fmt.Errorf("perf: %s: %d label columns for %d tasks", j.Model, len(cols), arch.Tasks)
	}
	return &torchSpec{Job: j, Arch: arch, Data: torchData{
		Batch: b.Size, Length: b.MaxLen, Types: b.Types, Categories: b.Categories, Dwell: b.Dwell,
		Price: b.Price, Repeats: repeats, Mask: b.Mask, Lengths: b.Lengths, Numeric: b.Numeric,
		Categorical: b.Categorical, Labels: b.Labels, LabelColumns: cols, Weights: b.Weights,
	}}, nil
}

// RunTorch measures job j with the PyTorch script under python, in a process of its own with the
// thread variables set (the script sets them again before importing torch).
func RunTorch(ctx context.Context, python string, j Job) (*Measurement, error) {
	ms, err := runTorchJobs(ctx, python, []Job{j})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// runTorchJobs measures jobs one after the other in one PyTorch process (the tests' shortcut: their
// peak memory is then shared), with the threads of the first.
func runTorchJobs(ctx context.Context, python string, jobs []Job) ([]*Measurement, error) {
	specs := make([]*torchSpec, len(jobs))
	for i, j := range jobs {
		if err := j.Check(); err != nil {
			return nil, err
		}
		var err error
		if specs[i], err = newTorchSpec(j); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "intentlab-torch-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script, specPath := filepath.Join(dir, "torch_step.py"), filepath.Join(dir, "spec.json")
	raw, err := json.Marshal(specs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(script, torchScript, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(specPath, raw, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, python, script, specPath)
	n := strconv.Itoa(jobs[0].Threads)
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS="+n, "OMP_NUM_THREADS="+n, "MKL_NUM_THREADS="+n, "OMP_WAIT_POLICY=PASSIVE")
	return runChild(cmd, SidePyTorch, jobs)
}

// runChild runs cmd, which prints one Measurement as JSON per job on stdout, one a line, and decodes
// them.
func runChild(cmd *exec.Cmd, side string, jobs []Job) ([]*Measurement, error) {
	j := jobs[0]
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("perf: %s %s %s: %v: %s", side, j.Model, j.Mode, err, lastLines(stderr.Bytes(), 1))
	}
	lines := bytes.Split(bytes.TrimSpace(stdout.Bytes()), []byte("\n"))
	if len(lines) != len(jobs) {
		return nil, fmt.Errorf("perf: %s %s %s: %d results for %d jobs (output %q)", side, j.Model, j.Mode, len(lines), len(jobs), lastLines(stdout.Bytes(), 3))
	}
	ms := make([]*Measurement, len(jobs))
	for i, line := range lines {
		ms[i] = new(Measurement)
		if err := json.Unmarshal(line, ms[i]); err != nil {
			return nil, fmt.Errorf("perf: %s %s %s: reading its result: %v (output %q)", side, jobs[i].Model, jobs[i].Mode, err, lastLines(line, 1))
		}
	}
	return ms, nil
}

// lastLines returns the last n lines of b, for error messages.
func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte(" | ")))
}
