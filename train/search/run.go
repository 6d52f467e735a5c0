package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/intentlab/intentlab/train"
)

// Config configures a search.
type Config struct {
	// Experiment is the base every trial starts from: the data and its split, the model, and the
	// training recipe. Its Train.Epochs is the most epochs a trial trains (the pruner's budget), and
	// its Train.EarlyStop.Metric the validation score maximised (roc_auc, pr_auc, or log_loss, whose
	// negative is maximised).
	Experiment train.Experiment
	Space      *Space
	Trials     int // the study's budget: trials in all, finished ones of earlier runs included; default 20
	// MaxEpochs, when positive, is a second budget: no trial starts once the study's trials have
	// trained this many epochs together (pruning spends it on more trials).
	MaxEpochs int
	Sampler   string // grid, random or tpe (default)
	SamplerConfig
	Pruner string // none (default), median or asha
	PrunerConfig
	Workers int    // trials at once, each with its own graph and seed; default 1
	Seed    uint64 // the study's seed: of the sampler, and of each trial's training seed
	Study   string // the SQLite file of the study; required
	// Out holds a run directory per trial (Out/trial-0007) and the study's figures and summary;
	// default: the study file's path without its extension.
	Out string
	// Progress receives a line per trial and per epoch; nil is silent.
	Progress io.Writer
}

// Result is what a search found: the study's trials and the best one, whose run directory holds its
// test metrics.
type Result struct {
	Study    string        `json:"study"`
	Metric   string        `json:"metric"` // the validation score maximised
	Trials   []Trial       `json:"-"`
	States   map[State]int `json:"states"` // trials per state
	Best     *Trial        `json:"best"`   // the complete trial with the highest score; nil when none completed
	BestRun  string        `json:"best_run,omitempty"`
	BestTest *train.Result `json:"best_summary,omitempty"` // the best run's summary.json: its test metrics
	Figures  []string      `json:"figures,omitempty"`
}

// errPruned ends a trial's training when the pruner says so.
var errPruned = errors.New("search: trial pruned")

// TrialSeed is the training seed of trial n of a study with the given seed.
func TrialSeed(studySeed uint64, n int) uint64 {
	return rand.New(rand.NewPCG(studySeed, uint64(n)^0x5eed)).Uint64() >> 1
}

// Run runs a study: it opens (or creates) the study file, re-runs the trials a killed search left
// running (continuing each from its last checkpoint), then proposes and trains new trials, Workers at
// a time, until the study holds Trials trials (or a grid is exhausted). Every epoch's validation score
// is written to the study as it happens, and the pruner may stop a trial after any epoch. Cancelling
// ctx stops the trials in progress (their state saved; they stay running in the study, so the next
// Run continues them) and returns an error wrapping train.ErrInterrupted. At the end it writes the
// study's figures and summary.json into Out and returns the best trial, whose run directory holds
// its test metrics: the test split is looked at for that one trial only, never to choose it.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := cfg.Space.Check(cfg.Experiment); err != nil {
		return nil, err
	}
	sampler, err := NewSampler(cfg.Sampler, cfg.SamplerConfig)
	if err != nil {
		return nil, err
	}
	pc := cfg.PrunerConfig
	if pc.MaxResource == 0 {
		pc.MaxResource = cfg.Experiment.Train.Epochs
	}
	pruner, err := NewPruner(cfg.Pruner, pc)
	if err != nil {
		return nil, err
	}
	info, err := cfg.info()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Study), 0o755); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	study, err := OpenStudy(cfg.Study, info)
	if err != nil {
		return nil, err
	}
	defer study.Close()
	s := &searcher{cfg: cfg, study: study, sampler: sampler, pruner: pruner}
	if s.redo, err = study.Interrupted(); err != nil {
		return nil, err
	}
	if len(s.redo) > 0 {
		s.logf("search: %d trial(s) were left running by an earlier search: continuing them", len(s.redo))
	}
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx)
		}()
	}
	wg.Wait()
	// Close before summarising: the last connection to close folds the write-ahead log into the
	// study file, so that the .db file alone holds the study.
	if err := study.Close(); err != nil && s.err == nil {
		s.err = err
	}
	if s.err != nil {
		return nil, s.err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("search: %w: %w", train.ErrInterrupted, err)
	}
	return Summarise(cfg.Study, cfg.Out)
}

// withDefaults fills the defaults and checks the settings that need no study.
func (c Config) withDefaults() (Config, error) {
	if c.Study == "" {
		return c, errors.New("search: no study file")
	}
	if c.Space == nil {
		return c, errors.New("search: no space")
	}
	if err := c.Space.Validate(); err != nil {
		return c, err
	}
	if c.Trials == 0 {
		c.Trials = 20
	}
	if c.Trials < 0 {
		return c, fmt.Errorf("search: %d trials, want ≥ 1", c.Trials)
	}
	if c.Sampler == "" {
		c.Sampler = "tpe"
	}
	if c.Pruner == "" {
		c.Pruner = "none"
	}
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.Out == "" {
		c.Out = strings.TrimSuffix(c.Study, filepath.Ext(c.Study))
	}
	c.Experiment.Train = c.Experiment.Train.WithDefaults()
	if err := c.Experiment.Train.Validate(); err != nil {
		return c, fmt.Errorf("search: %w", err)
	}
	return c, nil
}

// info is what identifies the study: a resumed search must have the same.
func (c Config) info() (StudyInfo, error) {
	space, err := json.Marshal(c.Space)
	if err != nil {
		return StudyInfo{}, err
	}
	exp := c.Experiment
	exp.Train.Progress, exp.Train.ProgressBar, exp.Train.OnEpoch = nil, false, nil
	e, err := json.Marshal(exp)
	if err != nil {
		return StudyInfo{}, err
	}
	return StudyInfo{
		Name: filepath.Base(c.Out), Model: exp.Model.Name, Metric: "val_" + exp.Train.EarlyStop.Metric,
		Space: space, Sampler: c.Sampler, Pruner: c.Pruner, Seed: c.Seed, Experiment: e,
	}, nil
}

// searcher is a running search: the workers share it.
type searcher struct {
	cfg     Config
	study   *Study
	sampler Sampler
	pruner  Pruner

	mu   sync.Mutex // guards redo, done, err and the proposal of new trials
	redo []Trial    // interrupted trials still to continue
	done bool       // no more trials to start (budget reached, grid exhausted, or an error)
	err  error
}

// work takes trials until there are none left.
func (s *searcher) work(ctx context.Context) {
	for ctx.Err() == nil {
		t, ok := s.next()
		if !ok {
			return
		}
		if err := s.run(ctx, t); err != nil {
			s.fail(err)
			return
		}
	}
}

// next is the next trial to train: an interrupted one, or a new proposal.
func (s *searcher) next() (Trial, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return Trial{}, false
	}
	if len(s.redo) > 0 {
		t := s.redo[0]
		s.redo = s.redo[1:]
		return t, true
	}
	trials, err := s.study.Trials()
	if err != nil {
		s.done, s.err = true, err
		return Trial{}, false
	}
	if len(trials) >= s.cfg.Trials || (s.cfg.MaxEpochs > 0 && epochsTrained(trials) >= s.cfg.MaxEpochs) {
		s.done = true
		return Trial{}, false
	}
	n := len(trials)
	rng := rand.New(rand.NewPCG(s.cfg.Seed, uint64(n)))
	params, err := s.sampler.Sample(s.cfg.Space, trials, rng)
	if errors.Is(err, ErrGridExhausted) {
		s.logf("search: the grid is exhausted after %d trials", n)
		s.done = true
		return Trial{}, false
	}
	if err != nil {
		s.done, s.err = true, err
		return Trial{}, false
	}
	t, err := s.study.Begin(params, TrialSeed(s.cfg.Seed, n))
	if err != nil {
		s.done, s.err = true, err
		return Trial{}, false
	}
	return t, true
}

func (s *searcher) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	s.done = true
}

// TrialDir is the run directory of trial n in a study's output directory.
func TrialDir(out string, n int) string { return filepath.Join(out, fmt.Sprintf("trial-%04d", n)) }

// run trains one trial to its end (complete, pruned or failed) and records it. It returns an error
// only for what must stop the whole search: the study cannot be written.
func (s *searcher) run(ctx context.Context, t Trial) error {
	exp, err := s.cfg.Space.Apply(s.cfg.Experiment, t.Params)
	if err != nil {
		return s.study.Finish(t.Number, Failed, math.NaN(), err.Error())
	}
	exp.Train.Seed = t.Seed
	dir := TrialDir(s.cfg.Out, t.Number)
	_, statErr := os.Stat(filepath.Join(dir, "config.json"))
	resume := statErr == nil
	if resume {
		// A trial continued from its last checkpoint reports again from there: its study values
		// become those of the checkpoint's history, then the new epochs follow.
		history, err := train.ReadHistory(dir)
		if err != nil {
			return s.study.Finish(t.Number, Failed, math.NaN(), err.Error())
		}
		if err := s.study.Truncate(t.Number, len(history)); err != nil {
			return err
		}
		for _, em := range history {
			if v, ok := score(em, exp.Train.EarlyStop.Metric); ok {
				if err := s.study.Report(t.Number, em.Epoch, v); err != nil {
					return err
				}
			}
		}
	}
	label := fmt.Sprintf("trial %d", t.Number)
	s.logf("search: %s starts: %s", label, formatParams(s.cfg.Space, t.Params))
	exp.Train.Progress = s.cfg.Progress
	exp.Train.ProgressLabel = label
	metric := exp.Train.EarlyStop.Metric
	var last float64
	exp.Train.OnEpoch = func(em train.EpochMetrics) error {
		v, ok := score(em, metric)
		if !ok {
			return fmt.Errorf("search: trial %d has no validation split to score", t.Number)
		}
		last = v
		if err := s.study.Report(t.Number, em.Epoch, v); err != nil {
			return err
		}
		trials, err := s.study.Trials()
		if err != nil {
			return err
		}
		for _, u := range trials {
			if u.Number == t.Number && s.pruner.Prune(u, trials) {
				return errPruned
			}
		}
		return nil
	}
	res, _, err := train.Start(ctx, exp, dir, resume)
	switch {
	case errors.Is(err, errPruned):
		s.logf("search: %s pruned after %s %.4f", label, metric, last)
		return s.study.Finish(t.Number, Pruned, last, "")
	case errors.Is(err, train.ErrInterrupted) || ctx.Err() != nil:
		return nil // left running: the next search continues it
	case err != nil:
		s.logf("search: %s failed: %v", label, err)
		return s.study.Finish(t.Number, Failed, math.NaN(), err.Error())
	}
	// Record every epoch from the run's history: a trial continued from a checkpoint may have been
	// killed between its checkpoint and its report.
	best := math.Inf(-1)
	for _, em := range res.History {
		if v, ok := score(em, metric); ok {
			if err := s.study.Report(t.Number, em.Epoch, v); err != nil {
				return err
			}
			best = max(best, v)
		}
	}
	s.logf("search: %s complete: best %s %.4f", label, metric, best)
	return s.study.Finish(t.Number, Complete, best, "")
}

// score is an epoch's validation score, to maximise.
func score(em train.EpochMetrics, metric string) (float64, bool) {
	if em.ValROCAUC == nil {
		return 0, false
	}
	switch metric {
	case "pr_auc":
		return em.ValPRAUC, true
	case "log_loss":
		return -em.ValLoss, true
	default:
		return em.ValROCAUC[0], true
	}
}

// formatParams writes a trial's parameters in the space's order.
func formatParams(space *Space, v Values) string {
	parts := make([]string, 0, len(space.Params))
	for _, p := range space.Params {
		b, _ := json.Marshal(v[p.Name])
		parts = append(parts, p.Name+"="+string(b))
	}
	return strings.Join(parts, " ")
}

func (s *searcher) logf(format string, args ...any) {
	if s.cfg.Progress != nil {
		fmt.Fprintf(s.cfg.Progress, format+"\n", args...)
	}
}

// epochsTrained is the number of epochs the trials have trained together.
func epochsTrained(trials []Trial) int {
	n := 0
	for _, t := range trials {
		n += len(t.Intermediate)
	}
	return n
}
