package train

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train/metrics"
)

// ImportanceConfig configures PermutationImportance.
type ImportanceConfig struct {
	Task    string // the task scored; default datasets.TaskPurchase
	Metric  string // "roc_auc" (default), "pr_auc" or "log_loss"
	Repeats int    // permutations per feature; default 5
	Seed    uint64 // of the permutations
	// Events, when the schema has a sequence, adds one more feature, "event_sequence": each
	// session's whole event sequence moved to another session.
	Events bool
}

// FeatureImportance is one feature's permutation importance.
type FeatureImportance struct {
	Feature string    `json:"feature"` // the schema's name, or "event_sequence"
	Kind    string    `json:"kind"`    // "numeric", "categorical" or "events"
	Drops   []float64 `json:"drops"`   // the loss of metric per repeat (positive: the feature helped)
	Drop    MeanStd   `json:"drop"`    // the mean and sample std of Drops
}

// Importance is the result of PermutationImportance, features sorted by mean drop, largest first
// (ties keep the schema's order).
type Importance struct {
	Metric   string              `json:"metric"`
	Baseline float64             `json:"baseline"` // the metric on the data as it is
	Features []FeatureImportance `json:"features"`
}

// PermutationImportance measures how much a model relies on each static feature (Breiman 2001;
// Fisher, Rudin & Dominici 2019): it scores d as it is, then, for each feature and repeat, moves
// that feature's values between the sessions by a random permutation (every other feature stays in
// place, so the feature's distribution is kept and only its link to the label is cut) and scores
// again. A feature's drop is baseline − permuted for ROC-AUC and PR-AUC and permuted − baseline for
// log loss, so a positive drop always means the model got worse. A feature the model ignores has a
// drop of exactly 0; a feature it reads but that carries no signal has drops around 0 of either sign.
//
// score returns P(label = 1) for the task for every session of the dataset it is given, in order
// (a Predictor, or SavedRun.PredictPrepared); d must be what score expects (preprocessed for a
// model), and is not changed. Use a test split: importance on the training data measures what the
// model memorised.
func PermutationImportance(score func(*datasets.Dataset) ([]float64, error), d *datasets.Dataset, cfg ImportanceConfig) (*Importance, error) {
	if cfg.Task == "" {
		cfg.Task = datasets.TaskPurchase
	}
	if cfg.Metric == "" {
		cfg.Metric = "roc_auc"
	}
	if cfg.Repeats == 0 {
		cfg.Repeats = 5
	}
	if cfg.Repeats < 0 {
		return nil, fmt.Errorf("permutation importance: %d repeats, want > 0", cfg.Repeats)
	}
	var metric func(p, y []float64) (float64, error)
	sign := 1.0
	switch cfg.Metric {
	case "roc_auc":
		metric = metrics.ROCAUC
	case "pr_auc":
		metric = metrics.AveragePrecision
	case "log_loss":
		metric, sign = metrics.LogLoss, -1
	default:
		return nil, fmt.Errorf("permutation importance: metric %q, want roc_auc, pr_auc or log_loss", cfg.Metric)
	}
	if d == nil || len(d.Sessions) < 2 {
		return nil, fmt.Errorf("permutation importance: want at least 2 sessions")
	}
	y, err := Labels(d, cfg.Task)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	eval := func(data *datasets.Dataset) (float64, error) {
		p, err := score(data)
		if err != nil {
			return 0, err
		}
		if len(p) != len(y) {
			return 0, fmt.Errorf("score returned %d probabilities for %d sessions", len(p), len(y))
		}
		return metric(p, y)
	}
	base, err := eval(d)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	type feature struct {
		name, kind string
		index      int
	}
	var feats []feature
	for j, n := range d.Schema.Numeric {
		feats = append(feats, feature{n, "numeric", j})
	}
	for j, n := range d.Schema.Categorical {
		feats = append(feats, feature{n, "categorical", j})
	}
	if cfg.Events && d.Schema.HasSequence {
		feats = append(feats, feature{"event_sequence", "events", 0})
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7065726d))
	out := &Importance{Metric: cfg.Metric, Baseline: base}
	perm := &datasets.Dataset{Schema: d.Schema, Sessions: make([]datasets.Session, len(d.Sessions))}
	for _, f := range feats {
		fi := FeatureImportance{Feature: f.name, Kind: f.kind}
		for range cfg.Repeats {
			order := rng.Perm(len(d.Sessions))
			for i, s := range d.Sessions {
				from := &d.Sessions[order[i]]
				switch f.kind {
				case "numeric":
					s.Numeric = slices.Clone(s.Numeric)
					s.Numeric[f.index] = from.Numeric[f.index]
				case "categorical":
					s.Categorical = slices.Clone(s.Categorical)
					s.Categorical[f.index] = from.Categorical[f.index]
				case "events":
					s.Events = from.Events
				}
				perm.Sessions[i] = s
			}
			m, err := eval(perm)
			if err != nil {
				return nil, fmt.Errorf("permutation importance: feature %q: %w", f.name, err)
			}
			fi.Drops = append(fi.Drops, sign*(base-m))
		}
		fi.Drop = NewMeanStd(fi.Drops)
		out.Features = append(out.Features, fi)
	}
	slices.SortStableFunc(out.Features, func(a, b FeatureImportance) int { return cmp.Compare(b.Drop.Mean, a.Drop.Mean) })
	return out, nil
}

// PermutationImportance is PermutationImportance of the run's model on raw sessions (as loaded, like
// the data the run was trained on): it preprocesses them once and scores through one predictor.
func (sr *SavedRun) PermutationImportance(raw *datasets.Dataset, cfg ImportanceConfig) (*Importance, error) {
	d, err := sr.Preprocessor.Apply(raw)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	if cfg.Task == "" {
		cfg.Task = datasets.TaskPurchase
	}
	p, err := sr.newPredictor(len(d.Sessions))
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	defer p.Close()
	k := slices.Index(p.Tasks, cfg.Task)
	if k < 0 {
		return nil, fmt.Errorf("permutation importance: the model predicts %v, not %q", p.Tasks, cfg.Task)
	}
	return PermutationImportance(func(d *datasets.Dataset) ([]float64, error) {
		probs, err := p.Predict(d)
		if err != nil {
			return nil, err
		}
		return probs[k], nil
	}, d, cfg)
}

// CrossValidatedImportance is the permutation importance of a cross-validation's models, each on its
// own test fold: dir is the out directory CrossValidate wrote (dir/fold1 … dir/fold<folds>). Each fold
// is permuted with its own seed (cfg.Seed + fold); a feature's Drops pool every fold's repeats, and
// Baseline is the mean of the folds' baselines.
func CrossValidatedImportance(dir string, folds int, cfg ImportanceConfig) (*Importance, error) {
	if folds < 1 {
		return nil, fmt.Errorf("cross-validated importance: %d folds, want at least 1", folds)
	}
	var out *Importance
	at := map[string]int{}
	for i := 1; i <= folds; i++ {
		sr, err := OpenRun(filepath.Join(dir, fmt.Sprintf("fold%d", i)))
		if err != nil {
			return nil, fmt.Errorf("cross-validated importance: %w", err)
		}
		sp, err := LoadSplit(sr.Experiment.Data)
		if err != nil {
			return nil, fmt.Errorf("cross-validated importance: fold %d: %w", i, err)
		}
		fc := cfg
		fc.Seed += uint64(i)
		imp, err := sr.PermutationImportance(sp.Test, fc)
		if err != nil {
			return nil, fmt.Errorf("cross-validated importance: fold %d: %w", i, err)
		}
		if out == nil {
			out = &Importance{Metric: imp.Metric}
			for k, f := range imp.Features {
				at[f.Feature] = k
				out.Features = append(out.Features, FeatureImportance{Feature: f.Feature, Kind: f.Kind})
			}
		}
		if len(imp.Features) != len(out.Features) {
			return nil, fmt.Errorf("cross-validated importance: fold %d has %d features, fold 1 %d", i, len(imp.Features), len(out.Features))
		}
		out.Baseline += imp.Baseline / float64(folds)
		for _, f := range imp.Features {
			k, ok := at[f.Feature]
			if !ok {
				return nil, fmt.Errorf("cross-validated importance: fold %d has feature %q, fold 1 does not", i, f.Feature)
			}
			out.Features[k].Drops = append(out.Features[k].Drops, f.Drops...)
		}
	}
	for k := range out.Features {
		out.Features[k].Drop = NewMeanStd(out.Features[k].Drops)
	}
	slices.SortStableFunc(out.Features, func(a, b FeatureImportance) int { return cmp.Compare(b.Drop.Mean, a.Drop.Mean) })
	return out, nil
}
