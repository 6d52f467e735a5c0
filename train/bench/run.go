package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

// recorded is config.json of a report directory: the configuration and the command that ran it.
type recorded struct {
	Command string `json:"command,omitempty"`
	Config  Config `json:"config"`
}

// status is status.json: what the report must say besides the runs' own files.
type status struct {
	Skipped map[string]string `json:"skipped,omitempty"` // model → why the data does not suit it
	Failed  map[string]string `json:"failed,omitempty"`  // run directory → the error
}

// job is one training of the bench: a model with a seed.
type job struct {
	model string
	seed  uint64
	dir   string
}

// Run trains every model of cfg over every seed into out/runs/<model>/seed<k>, seed after seed (all
// models with the first seed, then the second…, so that partial results and the ETA come early), and
// then writes the report (see Report). A model the data does not suit (a sequence model on tabular
// data) is skipped with a line in the report; a run that fails (a diverged loss) is reported as
// failed and the others go on. out must not exist, unless cfg.Resume is set: then finished runs are
// kept and unfinished ones continue from their last checkpoint. Cancelling ctx stops the trainings in
// progress (their state saved) and returns an error wrapping train.ErrInterrupted.
func Run(ctx context.Context, cfg Config, out string) (*Results, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if out == "" {
		return nil, errors.New("bench: no output directory")
	}
	if err := prepareDir(cfg, out); err != nil {
		return nil, err
	}
	sp, err := train.LoadSplit(cfg.Data)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	st := status{Skipped: map[string]string{}, Failed: map[string]string{}}
	var benched []string
	for _, m := range cfg.Models {
		_, err := train.PrepareSplit(cfg.experiment(m, cfg.Seeds[0]), sp)
		var unsupported *models.UnsupportedError
		switch {
		case errors.As(err, &unsupported):
			st.Skipped[m] = unsupported.Error()
			cfg.logf("bench: skipping %s: %v", m, err)
		case err != nil:
			return nil, fmt.Errorf("bench: %s: %w", m, err)
		default:
			benched = append(benched, m)
		}
	}
	var jobs []job
	for _, s := range cfg.Seeds {
		for _, m := range benched {
			jobs = append(jobs, job{model: m, seed: s, dir: runDir(out, m, s)})
		}
	}
	if err := trainAll(ctx, cfg, jobs, &st); err != nil {
		return nil, err
	}
	if err := train.WriteJSON(filepath.Join(out, "status.json"), st); err != nil {
		return nil, err
	}
	return Report(out)
}

// runDir is the run directory of a model and seed.
func runDir(out, model string, seed uint64) string {
	return filepath.Join(out, "runs", model, fmt.Sprintf("seed%d", seed))
}

// prepareDir creates out with config.json and environment.json, or, on resume, checks that out
// holds the same bench.
func prepareDir(cfg Config, out string) error {
	rec := recorded{Command: cfg.Command, Config: cfg}
	path := filepath.Join(out, "config.json")
	if _, err := os.Stat(out); err == nil {
		if !cfg.Resume {
			return fmt.Errorf("bench: %s exists: resume it, replace it, or choose another output directory", out)
		}
		old, err := readRecorded(out)
		if err != nil {
			return err
		}
		// Any setting that changes results must match; the number of parallel jobs does not.
		was, now := old.Config, cfg
		was.Jobs, now.Jobs = 0, 0
		a, _ := json.Marshal(was)
		b, _ := json.Marshal(now)
		if string(a) != string(b) {
			return fmt.Errorf("bench: resume %s: %s describes another bench than the settings given:\n  saved: %s\n  given: %s", out, path, a, b)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := train.WriteJSON(path, rec); err != nil {
		return err
	}
	return train.WriteJSON(filepath.Join(out, "environment.json"), cfg.Environment)
}

func readRecorded(out string) (recorded, error) {
	var rec recorded
	path := filepath.Join(out, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return rec, fmt.Errorf("bench: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return rec, fmt.Errorf("bench: %s: %w", path, err)
	}
	return rec, nil
}

// trainAll runs the jobs, cfg.Jobs at a time, and records failed runs in st.
func trainAll(ctx context.Context, cfg Config, jobs []job, st *status) error {
	start := time.Now()
	var (
		mu       sync.Mutex
		took     = map[string][]time.Duration{} // by model: durations of finished runs
		firstErr error
	)
	eta := func(k int) string {
		// Remaining runs, each at the mean duration of its model's finished runs (or of all).
		var all []time.Duration
		for _, ds := range took {
			all = append(all, ds...)
		}
		if len(all) == 0 {
			return "ETA after the first run"
		}
		var left time.Duration
		for _, j := range jobs[k:] {
			ds := took[j.model]
			if len(ds) == 0 {
				ds = all
			}
			left += mean(ds)
		}
		return "ETA " + (left / time.Duration(cfg.Jobs)).Round(time.Second).String()
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				j := jobs[k]
				label := fmt.Sprintf("[%d/%d] %s seed %d", k+1, len(jobs), j.model, j.seed)
				if _, err := os.Stat(filepath.Join(j.dir, "summary.json")); err == nil {
					cfg.logf("bench: %s: finished before, kept", label)
					continue
				}
				mu.Lock()
				cfg.logf("bench: %s starts (elapsed %s, %s)", label, time.Since(start).Round(time.Second), eta(k))
				mu.Unlock()
				t0 := time.Now()
				err := trainOne(ctx, cfg, j, label)
				mu.Lock()
				switch {
				case errors.Is(err, train.ErrInterrupted) || ctx.Err() != nil:
					if firstErr == nil {
						firstErr = fmt.Errorf("bench: %s: %w", label, err)
					}
				case err != nil:
					st.Failed[j.dir] = err.Error()
					cfg.logf("bench: %s failed: %v", label, err)
				default:
					took[j.model] = append(took[j.model], time.Since(t0))
				}
				mu.Unlock()
			}
		}()
	}
	for k := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- k
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bench: %w: %w", train.ErrInterrupted, err)
	}
	cfg.logf("bench: %d runs in %s", len(jobs), time.Since(start).Round(time.Second))
	return nil
}

// trainOne trains one model and seed, continuing an unfinished run directory.
func trainOne(ctx context.Context, cfg Config, j job, label string) error {
	exp := cfg.experiment(j.model, j.seed)
	exp.Train.Progress = cfg.Progress
	exp.Train.ProgressBar = cfg.ProgressBar && cfg.Jobs == 1
	exp.Train.ProgressLabel = label
	_, err := os.Stat(filepath.Join(j.dir, "config.json"))
	resume := err == nil
	_, _, err = train.Start(ctx, exp, j.dir, resume)
	return err
}

func mean(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// logf writes one progress line.
func (c Config) logf(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", args...)
	}
}
