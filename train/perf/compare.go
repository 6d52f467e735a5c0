package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
)

// ChildFlag is the flag a command passes a Job to, as JSON, to have it measured in a child process:
// the command must then call RunJob and print its Measurement as JSON on stdout (ServeChild does both).
const ChildFlag = "--child"

// Config configures a comparison. The zero value of each field takes the default shown.
type Config struct {
	Models    []string // of Models; default all of them
	Batch     int      // training batch; default 256
	Length    int      // events per session; default 50
	Warmup    int      // untimed steps (inference: calls) first; default 3
	Steps     int      // timed training steps, or timed batches of InferBatch; default 5
	Calls     int      // inference: timed single-session calls; default 100
	Threads   int      // GOMAXPROCS and BLAS threads of the intentlab side, threads of PyTorch; default runtime.NumCPU()
	Inference bool     // measure scoring instead of training
	NoTorch   bool     // measure the intentlab side only
	Python    string   // interpreter of the PyTorch side; default /usr/bin/python3
	// Exe is the program run, with ChildFlag, for each intentlab measurement; default this
	// program (os.Executable), which must then serve ChildFlag.
	Exe string
	// Progress receives a line before each measurement; nil is silent.
	Progress io.Writer
}

// WithDefaults returns c with its zero fields filled in.
func (c Config) WithDefaults() Config {
	if c.Models == nil {
		c.Models = slices.Clone(Models)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Batch, 256)
	def(&c.Length, 50)
	def(&c.Warmup, 3)
	def(&c.Steps, 5)
	def(&c.Calls, 100)
	def(&c.Threads, runtime.NumCPU())
	if c.Python == "" {
		c.Python = "/usr/bin/python3"
	}
	return c
}

// job is the measurement of model under c (an inference job of the intentlab side still needs its Run).
func (c Config) job(model string) Job {
	mode := ModeTrain
	if c.Inference {
		mode = ModeInference
	}
	return Job{Mode: mode, Model: model, Batch: c.Batch, Length: c.Length, Warmup: c.Warmup, Steps: c.Steps, Calls: c.Calls, Threads: c.Threads}
}

// Row is one model of a comparison: its sizes and each side's measurement or error.
type Row struct {
	Model    string
	Arch     Arch
	Go       *Measurement
	GoErr    error
	Torch    *Measurement
	TorchErr error // nil with NoTorch or when PyTorch is missing (then Report.TorchNote says so)
}

// Report is the result of Compare.
type Report struct {
	Config    Config // with the defaults filled in
	Rows      []Row
	Torch     string // PyTorch version; "" when the PyTorch side did not run
	TorchNote string // why the PyTorch side did not run; "" when it ran or was not asked for
}

// Compare measures every model of cfg, one process per side and model, one after the other: the
// intentlab side by running cfg.Exe with ChildFlag, the PyTorch side with torch_step.py. A failed
// measurement is recorded in its row and the others go on. The error is nil but when the comparison
// cannot start, a bad config say (the report is then nil), or ctx is cancelled (the report then holds
// the rows measured so far).
func Compare(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.WithDefaults()
	for _, m := range cfg.Models {
		if err := cfg.job(m).Check(); err != nil {
			return nil, err
		}
	}
	if cfg.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("perf: finding this program to run its measurements: %w", err)
		}
		cfg.Exe = exe
	}
	rep := &Report{Config: cfg}
	torch := !cfg.NoTorch
	if torch {
		v, err := TorchVersion(ctx, cfg.Python)
		if err != nil {
			torch, rep.TorchNote = false, err.Error()
		}
		rep.Torch = v
	}
	schema, err := benchSchema(cfg)
	if err != nil {
		return nil, err
	}
	for _, name := range cfg.Models {
		row := Row{Model: name}
		if row.Arch, err = NewArch(name, schema); err != nil {
			return nil, err
		}
		j := cfg.job(name)
		progress(cfg.Progress, "%s: intentlab %s…", name, j.Mode)
		if cfg.Inference {
			row.Go, row.GoErr = runInference(ctx, cfg, j)
		} else {
			row.Go, row.GoErr = runGo(ctx, cfg, j)
		}
		if torch {
			progress(cfg.Progress, "%s: PyTorch %s…", name, j.Mode)
			row.Torch, row.TorchErr = RunTorch(ctx, cfg.Python, j)
		}
		rep.Rows = append(rep.Rows, row)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	return rep, nil
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// runGo measures j in a child process with GOMAXPROCS and the BLAS threads set to j.Threads.
func runGo(ctx context.Context, cfg Config, j Job) (*Measurement, error) {
	raw, err := json.Marshal(j)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, cfg.Exe, ChildFlag, string(raw))
	n := strconv.Itoa(j.Threads)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+n, "OPENBLAS_NUM_THREADS="+n)
	ms, err := runChild(cmd, SideIntentlab, []Job{j})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// runInference trains a run for j's model in one child process (ModeSaveRun) and measures scoring
// with it in another, so that the peak memory of scoring is its own.
func runInference(ctx context.Context, cfg Config, j Job) (*Measurement, error) {
	dir, err := os.MkdirTemp("", "intentlab-perf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	save := j
	save.Mode, save.Run = ModeSaveRun, filepath.Join(dir, "run")
	if _, err := runGo(ctx, cfg, save); err != nil {
		return nil, err
	}
	j.Run = save.Run
	return runGo(ctx, cfg, j)
}

// ServeChild measures the job given as JSON (the value of ChildFlag) and writes its Measurement as
// JSON to w.
func ServeChild(ctx context.Context, job string, w io.Writer) error {
	var j Job
	if err := json.Unmarshal([]byte(job), &j); err != nil {
		return fmt.Errorf("perf: %s %q: %w", ChildFlag, job, err)
	}
	m, err := RunJob(ctx, j)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(m)
}

// benchSchema is the schema of the benchmark data at cfg's shapes.
func benchSchema(cfg Config) (*datasets.Schema, error) {
	d, err := train.BenchData(benchSessions(cfg.Batch), cfg.Length, 1)
	if err != nil {
		return nil, err
	}
	return &d.Schema, nil
}
