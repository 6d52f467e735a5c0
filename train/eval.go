package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train/metrics"
)

// EvalConfig configures SavedRun.Evaluate. The zero value computes the metrics alone.
type EvalConfig struct {
	Bootstrap int     // resamples for a 95% percentile interval of each ROC-AUC; 0 for none
	Seed      uint64  // of the bootstrap
	Threshold float64 // decision threshold; 0 takes the run's (F1-best on validation), or 0.5
	// Compare, when set, scores the same sessions with a second run and tests the difference of the
	// two purchase ROC-AUCs with DeLong's test.
	Compare *SavedRun
}

// Evaluation is the result of SavedRun.Evaluate.
type Evaluation struct {
	Run       string      `json:"run"`
	Sessions  int         `json:"sessions"`
	Threshold float64     `json:"threshold"`
	Tasks     []TaskEval  `json:"tasks"`
	Compare   *Comparison `json:"compare,omitempty"`
}

// TaskEval holds one task's metrics, with a bootstrap interval of the ROC-AUC when asked for, and the
// oracle's metrics on synthetic data.
type TaskEval struct {
	Task     string          `json:"task"`
	Report   metrics.Report  `json:"report"`
	ROCAUCLo float64         `json:"roc_auc_lo,omitempty"`
	ROCAUCHi float64         `json:"roc_auc_hi,omitempty"`
	Oracle   *metrics.Report `json:"oracle,omitempty"`
}

// Comparison is a second run's purchase metrics on the same sessions and DeLong's test of the two
// ROC-AUCs (A is the evaluated run, B the compared one).
type Comparison struct {
	Run    string               `json:"run"`
	Report metrics.Report       `json:"report"`
	DeLong metrics.DeLongResult `json:"delong"`
}

// Evaluate scores raw sessions (as loaded) and measures every predicted task.
func (sr *SavedRun) Evaluate(raw *datasets.Dataset, cfg EvalConfig) (*Evaluation, error) {
	probs, tasks, err := sr.Predict(raw)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Run: sr.Dir, Sessions: len(raw.Sessions), Threshold: cfg.Threshold}
	if ev.Threshold == 0 {
		ev.Threshold = 0.5
		if sr.Summary != nil && sr.Summary.Threshold > 0 {
			ev.Threshold = sr.Summary.Threshold
		}
	}
	var purchaseLabels []float64
	for k, task := range tasks {
		y, err := Labels(raw, task)
		if err != nil {
			return nil, err
		}
		if k == 0 {
			purchaseLabels = y
		}
		te := TaskEval{Task: task}
		if te.Report, err = metrics.Evaluate(probs[k], y, ev.Threshold); err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", task, err)
		}
		if cfg.Bootstrap > 0 {
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(k)))
			s, l := make([]float64, len(y)), make([]float64, len(y))
			stat := func(idx []int) (float64, error) {
				for i, j := range idx {
					s[i], l[i] = probs[k][j], y[j]
				}
				return metrics.ROCAUC(s, l)
			}
			if te.ROCAUCLo, te.ROCAUCHi, err = metrics.BootstrapCI(len(y), stat, cfg.Bootstrap, 0.95, rng); err != nil {
				return nil, fmt.Errorf("evaluate %s: bootstrap: %w", task, err)
			}
		}
		if o := OracleScores(raw, task); o != nil {
			rep, err := metrics.Evaluate(o, y, ev.Threshold)
			if err != nil {
				return nil, fmt.Errorf("evaluate %s: oracle: %w", task, err)
			}
			te.Oracle = &rep
		}
		ev.Tasks = append(ev.Tasks, te)
	}
	if cfg.Compare != nil {
		other, _, err := cfg.Compare.Predict(raw)
		if err != nil {
			return nil, fmt.Errorf("evaluate: compared run %s: %w", cfg.Compare.Dir, err)
		}
		c := &Comparison{Run: cfg.Compare.Dir}
		if c.Report, err = metrics.Evaluate(other[0], purchaseLabels, ev.Threshold); err != nil {
			return nil, fmt.Errorf("evaluate: compared run %s: %w", cfg.Compare.Dir, err)
		}
		if c.DeLong, err = metrics.DeLong(probs[0], other[0], purchaseLabels); err != nil {
			return nil, fmt.Errorf("evaluate: DeLong test: %w", err)
		}
		ev.Compare = c
	}
	return ev, nil
}
