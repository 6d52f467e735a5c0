package bench

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
)

// FigureKinds are the figures Figure draws from run directories.
var FigureKinds = []string{"roc", "pr", "calibration", "loss", "metric", "attention", "confusion"}

// FigureConfig chooses what Figure draws.
type FigureConfig struct {
	Kind   string   // one of FigureKinds
	Labels []string // legend labels, one per run; empty: each run's model name (with its directory when two share one)
	Split  string   // roc, pr, calibration, confusion: "test" (default) or "val"
	// Metric is what "metric" draws per epoch: val_roc_auc (default), val_pr_auc, val_loss,
	// train_loss, lr or grad_norm.
	Metric string
}

// Figure draws one figure from finished run directories (train or bench runs): ROC, precision–recall
// or calibration curves of several runs on one axis (with the oracle's on synthetic data), loss
// panels, a metric per epoch, the confusion matrix of one run, or the attention map of one
// Transformer run.
func Figure(dirs []string, cfg FigureConfig) (*plots.Figure, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("figure: no runs")
	}
	if !slices.Contains(FigureKinds, cfg.Kind) {
		return nil, fmt.Errorf("figure: unknown kind %q (known: %v)", cfg.Kind, FigureKinds)
	}
	if cfg.Split == "" {
		cfg.Split = "test"
	}
	if len(cfg.Labels) > 0 && len(cfg.Labels) != len(dirs) {
		return nil, fmt.Errorf("figure: %d labels for %d runs", len(cfg.Labels), len(dirs))
	}
	if (cfg.Kind == "attention" || cfg.Kind == "confusion") && len(dirs) != 1 {
		return nil, fmt.Errorf("figure: %s draws one run, got %d", cfg.Kind, len(dirs))
	}
	if cfg.Kind == "attention" {
		title, w, q, k, err := attentionMap(dirs[0])
		if err != nil {
			return nil, err
		}
		return plots.Attention(title, w, q, k)
	}
	runs := make([]*RunResult, len(dirs))
	for i, dir := range dirs {
		sum, err := train.ReadSummary(dir)
		if err != nil {
			return nil, err
		}
		sc, err := train.ReadScores(dir, cfg.Split)
		if err != nil {
			return nil, err
		}
		runs[i] = &RunResult{Dir: dir, Summary: sum, Test: sc}
	}
	names := cfg.Labels
	if len(names) == 0 {
		names = runLabels(runs)
	}
	switch cfg.Kind {
	case "roc":
		return plots.ROC(rocCurves(runs, names))
	case "pr":
		cs, base, err := prCurves(runs, names)
		if err != nil {
			return nil, err
		}
		return plots.PR(cs, base)
	case "calibration":
		cs, err := calibrationCurves(runs, names)
		if err != nil {
			return nil, err
		}
		return plots.Calibration(cs)
	case "loss":
		return plots.Loss(lossPanels(runs, names))
	case "confusion":
		r := report(runs[0], cfg.Split)
		if r == nil {
			return nil, fmt.Errorf("figure: run %s has no %s metrics", dirs[0], cfg.Split)
		}
		return plots.Confusion(fmt.Sprintf("%s, %s split", names[0], cfg.Split), r.Confusion, r.Threshold)
	default: // metric
		return metricFigure(runs, names, cfg.Metric)
	}
}

// runLabels names runs by model, adding the directory where two runs share a model.
func runLabels(runs []*RunResult) []string {
	count := map[string]int{}
	for _, r := range runs {
		count[r.Summary.Model]++
	}
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Summary.Model
		if count[r.Summary.Model] > 1 {
			names[i] += " (" + filepath.Base(r.Dir) + ")"
		}
	}
	return names
}

// metricFigure draws one metric of metrics.csv per epoch for every run.
func metricFigure(runs []*RunResult, names []string, metric string) (*plots.Figure, error) {
	if metric == "" {
		metric = "val_roc_auc"
	}
	get := map[string]func(h train.EpochMetrics) (float64, bool){
		"val_roc_auc": func(h train.EpochMetrics) (float64, bool) {
			if h.ValROCAUC == nil {
				return 0, false
			}
			return h.ValROCAUC[0], true
		},
		"val_pr_auc": func(h train.EpochMetrics) (float64, bool) { return h.ValPRAUC, h.ValROCAUC != nil },
		"val_loss":   func(h train.EpochMetrics) (float64, bool) { return h.ValLoss, h.ValROCAUC != nil },
		"train_loss": func(h train.EpochMetrics) (float64, bool) { return h.TrainLoss, true },
		"lr":         func(h train.EpochMetrics) (float64, bool) { return h.LR, true },
		"grad_norm":  func(h train.EpochMetrics) (float64, bool) { return h.GradNorm, true },
	}
	f, ok := get[metric]
	if !ok {
		return nil, fmt.Errorf("figure: unknown metric %q (known: val_roc_auc, val_pr_auc, val_loss, train_loss, lr, grad_norm)", metric)
	}
	var ss []plots.Series
	for i, run := range runs {
		s := plots.Series{Label: names[i]}
		for _, h := range run.Summary.History {
			if v, ok := f(h); ok {
				s.X = append(s.X, float64(h.Epoch))
				s.Y = append(s.Y, v)
			}
		}
		if len(s.X) == 0 {
			return nil, fmt.Errorf("figure: run %s has no %s per epoch", run.Dir, metric)
		}
		ss = append(ss, s)
	}
	return plots.MetricByEpoch(metricLabels[metric], ss)
}

var metricLabels = map[string]string{
	"val_roc_auc": "validation ROC-AUC", "val_pr_auc": "validation PR-AUC", "val_loss": "validation loss",
	"train_loss": "training loss", "lr": "learning rate", "grad_norm": "gradient norm (before clipping)",
}
