package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

// Results is a bench read back from its report directory: what report.md and results.csv say.
type Results struct {
	Dir         string            `json:"dir"`
	Command     string            `json:"command,omitempty"`
	Config      Config            `json:"config"`
	Environment Environment       `json:"environment"`
	Dataset     DatasetSummary    `json:"dataset"`
	Oracle      *metrics.Report   `json:"oracle,omitempty"`  // the Bayes oracle on the test split (synthetic data); nil otherwise
	Models      []*ModelResult    `json:"models"`            // the benched models, best mean test ROC-AUC first
	Best        string            `json:"best"`              // the model with the best mean test ROC-AUC
	Skipped     map[string]string `json:"skipped,omitempty"` // models the data does not suit, with the reason
	Failed      map[string]string `json:"failed,omitempty"`  // run directories whose training failed, with the error
}

// DatasetSummary describes the benched data and its split.
type DatasetSummary struct {
	Spec        string             `json:"spec"`
	Name        string             `json:"name"`
	Sessions    int                `json:"sessions"`
	Buyers      int                `json:"buyers"`
	BuyerRate   float64            `json:"buyer_rate"`
	HasSequence bool               `json:"has_sequence"`
	Events      int                `json:"events"`
	Length      datasets.Quantiles `json:"length"` // events per session
	Train       int                `json:"train"`
	Val         int                `json:"val"`
	Test        int                `json:"test"`
	TestBuyers  int                `json:"test_buyers"`
}

// ModelResult gathers one model's runs, one per seed, and their mean ± sample standard deviation.
type ModelResult struct {
	Model string       `json:"model"`
	Runs  []*RunResult `json:"runs"` // in seed order

	Params       int           `json:"params"`
	ValROCAUC    train.MeanStd `json:"val_roc_auc"`
	ROCAUC       train.MeanStd `json:"roc_auc"` // this and the rest but the times: on the test split
	PRAUC        train.MeanStd `json:"pr_auc"`
	LogLoss      train.MeanStd `json:"log_loss"`
	Brier        train.MeanStd `json:"brier"`
	F1           train.MeanStd `json:"f1"`
	Regret       train.MeanStd `json:"regret"` // oracle test ROC-AUC − the model's (synthetic data)
	TrainSeconds train.MeanStd `json:"train_seconds"`
	SeqPerSec    train.MeanStd `json:"seq_per_sec"`
	Epochs       train.MeanStd `json:"epochs"`
	Best         train.MeanStd `json:"best_epoch"` // the epoch whose weights the run kept
	// DeLongP is the median over seeds of the two-sided DeLong p-value of the model's test ROC-AUC
	// against the best model's with the same seed; NaN for the best model itself. Below is how many
	// seeds gave p < 0.05.
	DeLongP float64 `json:"-"` // in JSON: delong_p, null for the best model
	Below   int     `json:"delong_below_005"`
}

// RunResult is one model and seed: its summary.json and test scores.
type RunResult struct {
	Seed    uint64                `json:"seed"`
	Dir     string                `json:"dir"`
	Summary *train.Result         `json:"-"` // the run's summary.json
	Test    *train.Scores         `json:"-"`
	Regret  float64               `json:"regret"`           // NaN without an oracle
	DeLong  *metrics.DeLongResult `json:"delong,omitempty"` // against the best model with the same seed; nil for the best
}

// Read reads the bench in dir: its config, the status of skipped and failed runs, and every
// finished run, and computes the summaries and DeLong tests. It loads the data again (cheaply, from
// the recorded spec) only to describe it.
func Read(dir string) (*Results, error) {
	rec, err := readRecorded(dir)
	if err != nil {
		return nil, err
	}
	r := &Results{Dir: dir, Command: rec.Command, Config: rec.Config.withDefaults(), Skipped: map[string]string{}, Failed: map[string]string{}}
	if err := readJSONFile(filepath.Join(dir, "environment.json"), &r.Environment); err != nil {
		return nil, err
	}
	var st status
	if err := readJSONFile(filepath.Join(dir, "status.json"), &st); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for k, v := range st.Skipped {
		r.Skipped[k] = v
	}
	for k, v := range st.Failed {
		r.Failed[k] = v
	}
	if r.Dataset, err = describe(r.Config.Data); err != nil {
		return nil, err
	}
	for _, m := range r.Config.Models {
		if _, skipped := r.Skipped[m]; skipped {
			continue
		}
		mr := &ModelResult{Model: m}
		for _, s := range r.Config.Seeds {
			rd := runDir(dir, m, s)
			if _, failed := r.Failed[rd]; failed {
				continue
			}
			run, err := readRun(rd, s)
			if err != nil {
				return nil, fmt.Errorf("bench %s: %w (resume the bench to finish it)", dir, err)
			}
			if r.Oracle == nil && run.Summary.Tasks[0].OracleTest != nil {
				r.Oracle = run.Summary.Tasks[0].OracleTest
			}
			mr.Runs = append(mr.Runs, run)
		}
		if len(mr.Runs) > 0 {
			r.Models = append(r.Models, mr)
		}
	}
	if len(r.Models) == 0 {
		return nil, fmt.Errorf("bench %s: no finished run to report", dir)
	}
	if err := r.summarise(); err != nil {
		return nil, err
	}
	return r, nil
}

// readRun reads a finished run's summary and test scores.
func readRun(dir string, seed uint64) (*RunResult, error) {
	sum, err := train.ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	if len(sum.Tasks) == 0 || sum.Tasks[0].Test == nil {
		return nil, fmt.Errorf("run %s: summary.json has no test metrics (a bench needs a test split)", dir)
	}
	test, err := train.ReadScores(dir, "test")
	if err != nil {
		return nil, err
	}
	return &RunResult{Seed: seed, Dir: dir, Summary: sum, Test: test, Regret: math.NaN()}, nil
}

// summarise computes each model's mean ± std, the best model, and the DeLong tests against it.
func (r *Results) summarise() error {
	for _, m := range r.Models {
		col := func(f func(run *RunResult) float64) train.MeanStd {
			xs := make([]float64, len(m.Runs))
			for i, run := range m.Runs {
				xs[i] = f(run)
			}
			return train.NewMeanStd(xs)
		}
		test := func(run *RunResult) *metrics.Report { return run.Summary.Tasks[0].Test }
		m.Params = m.Runs[0].Summary.Params
		m.ROCAUC = col(func(run *RunResult) float64 { return test(run).ROCAUC })
		m.PRAUC = col(func(run *RunResult) float64 { return test(run).PRAUC })
		m.LogLoss = col(func(run *RunResult) float64 { return test(run).LogLoss })
		m.Brier = col(func(run *RunResult) float64 { return test(run).Brier })
		m.F1 = col(func(run *RunResult) float64 { return test(run).F1 })
		m.ValROCAUC = col(func(run *RunResult) float64 {
			if v := run.Summary.Tasks[0].Val; v != nil {
				return v.ROCAUC
			}
			return math.NaN()
		})
		m.TrainSeconds = col(func(run *RunResult) float64 { return run.Summary.TrainSeconds })
		m.SeqPerSec = col(func(run *RunResult) float64 { return run.Summary.SeqPerSec })
		m.Epochs = col(func(run *RunResult) float64 { return float64(run.Summary.Epochs) })
		m.Best = col(func(run *RunResult) float64 { return float64(run.Summary.BestEpoch) })
		if r.Oracle != nil {
			for _, run := range m.Runs {
				run.Regret = r.Oracle.ROCAUC - test(run).ROCAUC
			}
			m.Regret = col(func(run *RunResult) float64 { return run.Regret })
		}
	}
	sort.SliceStable(r.Models, func(i, j int) bool { return r.Models[i].ROCAUC.Mean > r.Models[j].ROCAUC.Mean })
	best := r.Models[0]
	r.Best = best.Model
	bySeed := map[uint64]*RunResult{}
	for _, run := range best.Runs {
		bySeed[run.Seed] = run
	}
	for _, m := range r.Models {
		m.DeLongP = math.NaN()
		if m == best {
			continue
		}
		var ps []float64
		for _, run := range m.Runs {
			b, ok := bySeed[run.Seed]
			if !ok {
				continue
			}
			if !slices.Equal(run.Test.Labels, b.Test.Labels) {
				return fmt.Errorf("bench: runs %s and %s scored different test sessions", run.Dir, b.Dir)
			}
			d, err := metrics.DeLong(run.Test.Scores, b.Test.Scores, run.Test.Labels)
			if err != nil {
				return fmt.Errorf("bench: DeLong test of %s against %s: %w", run.Dir, b.Dir, err)
			}
			run.DeLong = &d
			ps = append(ps, d.P)
			if d.P < 0.05 {
				m.Below++
			}
		}
		if len(ps) > 0 {
			m.DeLongP = metrics.Median(ps)
		}
	}
	return nil
}

// describe loads the data of dc and its split, and summarises them.
func describe(dc train.DataConfig) (DatasetSummary, error) {
	sp, err := train.LoadSplit(dc)
	if err != nil {
		return DatasetSummary{}, fmt.Errorf("bench: %w", err)
	}
	all := &datasets.Dataset{Schema: sp.Train.Schema}
	for _, part := range []*datasets.Dataset{sp.Train, sp.Val, sp.Test} {
		if part != nil {
			all.Sessions = append(all.Sessions, part.Sessions...)
		}
	}
	st := datasets.Describe(all)
	ds := DatasetSummary{
		Spec: dc.Spec, Name: st.Name, Sessions: st.Sessions, Buyers: st.Buyers, BuyerRate: st.BuyerRate,
		HasSequence: all.Schema.HasSequence, Events: st.Events, Length: st.Length,
		Train: size(sp.Train), Val: size(sp.Val), Test: size(sp.Test),
	}
	if sp.Test != nil {
		ds.TestBuyers = datasets.Describe(sp.Test).Buyers
	}
	return ds, nil
}

func size(d *datasets.Dataset) int {
	if d == nil {
		return 0
	}
	return len(d.Sessions)
}

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// MarshalJSON writes the model's results with a NaN p-value (the best model's) as null.
func (m *ModelResult) MarshalJSON() ([]byte, error) {
	type plain ModelResult
	return json.Marshal(struct {
		*plain
		DeLongP *float64 `json:"delong_p"`
	}{(*plain)(m), finite(m.DeLongP)})
}

// MarshalJSON writes the run's results with a NaN regret (no oracle) as null.
func (r *RunResult) MarshalJSON() ([]byte, error) {
	type plain RunResult
	return json.Marshal(struct {
		*plain
		Regret *float64 `json:"regret"`
	}{(*plain)(r), finite(r.Regret)})
}

// finite is &v, or nil for NaN (JSON null).
func finite(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}
