package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// Experiment is one training run described completely: the data and how it is split and
// preprocessed, the model, and the training settings. A run directory's config.json is an Experiment,
// so a run can be reproduced, resumed, evaluated and used for prediction from its directory alone.
type Experiment struct {
	Data  DataConfig  `json:"data"`
	Model ModelConfig `json:"model"`
	Train Config      `json:"train"`
	Dtype string      `json:"dtype"` // "float32" (default) or "float64"
}

// DataConfig says where the data comes from and how it is split and preprocessed.
type DataConfig struct {
	Spec    string               `json:"spec"` // datasets.Load spec: synth[:N], uci:PATH, yoochoose:C,B, events:PATH; "" is synth
	Options datasets.LoadOptions `json:"options"`
	// Split holds the train, validation and test fractions; default 0.6, 0.2, 0.2. Stratified by the
	// purchase label unless ByTime (event logs: the latest sessions are the test split).
	Split     [3]float64 `json:"split"`
	ByTime    bool       `json:"by_time"`
	SplitSeed uint64     `json:"split_seed"`
	// Folds > 0 selects fold Fold (1-based) of stratified Folds-fold cross-validation instead of Split:
	// the fold is the test split, and the other folds, split again stratified 80/20, train and validate.
	Folds      int                       `json:"folds,omitempty"`
	Fold       int                       `json:"fold,omitempty"`
	Preprocess datasets.PreprocessConfig `json:"preprocess"`
}

// ModelConfig names a registered architecture and its settings (JSON over the defaults; empty for
// the defaults).
type ModelConfig struct {
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config,omitempty"`
}

// DefaultExperiment is the named model with default settings on the default synthetic data.
func DefaultExperiment(model string) Experiment {
	return Experiment{
		Data:  DataConfig{Spec: "synth", Split: [3]float64{0.6, 0.2, 0.2}, Preprocess: datasets.PreprocessConfig{AutoLog1p: true}},
		Model: ModelConfig{Name: model},
		Dtype: "float32",
	}
}

// Prepared is an experiment's data, split and preprocessed, and its model built on a fresh store.
type Prepared struct {
	Data         Data
	Preprocessor *datasets.Preprocessor
	Schema       datasets.Schema // of the preprocessed data
	Model        models.Model
	ModelConfig  any // the decoded config (a pointer to the model's config type)
}

// Prepare loads the data, splits it, fits the preprocessing on the training split, applies it to all
// three, and builds the model with its weights drawn from the training seed.
func Prepare(exp Experiment) (*Prepared, error) {
	sp, err := LoadSplit(exp.Data)
	if err != nil {
		return nil, err
	}
	return PrepareSplit(exp, sp)
}

// LoadSplit loads the data dc names and splits it (before any preprocessing).
func LoadSplit(dc DataConfig) (datasets.Split, error) {
	d, err := datasets.Load(dc.Spec, dc.Options)
	if err != nil {
		return datasets.Split{}, err
	}
	if dc.Folds > 0 {
		return foldSplit(d, dc)
	}
	frac := dc.Split
	if frac == ([3]float64{}) {
		frac = [3]float64{0.6, 0.2, 0.2}
	}
	if dc.ByTime {
		return datasets.SplitByTime(d, frac)
	}
	return datasets.SplitStratified(d, frac, dc.SplitSeed)
}

// PrepareSplit is Prepare on a split made by the caller (cross-validation folds, for instance).
func PrepareSplit(exp Experiment, sp datasets.Split) (*Prepared, error) {
	pre, err := datasets.Fit(sp.Train, exp.Data.Preprocess)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Preprocessor: pre, Schema: pre.OutputSchema()}
	for _, part := range []struct {
		in  *datasets.Dataset
		out **datasets.Dataset
	}{{sp.Train, &p.Data.Train}, {sp.Val, &p.Data.Val}, {sp.Test, &p.Data.Test}} {
		if part.in == nil || len(part.in.Sessions) == 0 {
			*part.out = &datasets.Dataset{Schema: p.Schema}
			continue
		}
		if *part.out, err = pre.Apply(part.in); err != nil {
			return nil, err
		}
	}
	if p.ModelConfig, err = models.DecodeConfig(exp.Model.Name, exp.Model.Config); err != nil {
		return nil, err
	}
	if p.Model, err = buildModel(exp, &p.Schema, p.ModelConfig); err != nil {
		return nil, err
	}
	return p, nil
}

// buildModel makes the store (dtype and seed from exp) and the model on it.
func buildModel(exp Experiment, schema *datasets.Schema, cfg any) (models.Model, error) {
	var dt tensor.Dtype
	switch exp.Dtype {
	case "", "float32":
		dt = tensor.Float32
	case "float64":
		dt = tensor.Float64
	default:
		return nil, fmt.Errorf("dtype %q: want float32 or float64", exp.Dtype)
	}
	store := graph.NewStore(dt, rand.New(rand.NewPCG(exp.Train.Seed, 0x696e6974)))
	return models.New(exp.Model.Name, store, schema, cfg)
}

// Start runs an experiment in directory out: it writes config.json and preprocess.json (or, with
// resume, checks that they describe the same experiment), then trains with Run. progress settings
// come from cfg.Progress and cfg.ProgressBar of exp.Train.
func Start(ctx context.Context, exp Experiment, out string, resume bool) (*Result, *Prepared, error) {
	p, err := Prepare(exp)
	if err != nil {
		return nil, nil, err
	}
	// Record every setting as it will run, defaults included.
	exp.Train = exp.Train.WithDefaults()
	if exp.Train.MaxLen == 0 {
		exp.Train.MaxLen = DefaultMaxLen(p.Data.Train)
	}
	if exp.Dtype == "" {
		exp.Dtype = "float32"
	}
	cfg := exp.Train
	cfg.Out, cfg.Resume = out, resume
	if out != "" {
		if err := writeExperiment(exp, p, out, resume); err != nil {
			return nil, nil, err
		}
	}
	res, err := Run(ctx, p.Model, p.Data, cfg)
	if err != nil {
		return nil, p, err
	}
	if out != "" {
		c := &Checkpoint{Epoch: res.Epochs, Params: ParamsOf(p.Model.Store())}
		if err := Save(filepath.Join(out, "checkpoint", "final.ckpt"), c); err != nil {
			return nil, p, err
		}
	}
	return res, p, nil
}

// writeExperiment records exp and the fitted preprocessing in out.
func writeExperiment(exp Experiment, p *Prepared, out string, resume bool) error {
	cfgPath := filepath.Join(out, "config.json")
	// Record the model config in full (defaults included), so the file says exactly what ran.
	full, err := json.Marshal(p.ModelConfig)
	if err != nil {
		return err
	}
	exp.Model.Config = full
	if resume {
		old, err := readExperiment(out)
		if err == nil {
			// Only the number of epochs may change: a finished run can be trained further.
			old.Train.Epochs = exp.Train.Epochs
			a, _ := json.Marshal(old)
			b, _ := json.Marshal(exp)
			if string(a) != string(b) {
				return fmt.Errorf("resume %s: config.json describes a different experiment than the settings given (only --epochs may change on resume):\n  saved: %s\n  given: %s", out, a, b)
			}
			return writeJSON(cfgPath, exp)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := writeJSON(cfgPath, exp); err != nil {
		return err
	}
	return writeJSON(filepath.Join(out, "preprocess.json"), p.Preprocessor)
}

// readExperiment reads a run directory's config.json.
func readExperiment(dir string) (Experiment, error) {
	var exp Experiment
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return exp, err
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		return exp, fmt.Errorf("%s: %w", filepath.Join(dir, "config.json"), err)
	}
	return exp, nil
}

// foldSplit is fold dc.Fold of dc.Folds: the fold tests; the rest splits 80/20 into train and validation.
func foldSplit(d *datasets.Dataset, dc DataConfig) (datasets.Split, error) {
	if dc.Fold < 1 || dc.Fold > dc.Folds {
		return datasets.Split{}, fmt.Errorf("cross-validation: fold %d of %d: want 1 ≤ fold ≤ folds", dc.Fold, dc.Folds)
	}
	folds, err := datasets.KFold(d, dc.Folds, dc.SplitSeed)
	if err != nil {
		return datasets.Split{}, err
	}
	f := folds[dc.Fold-1]
	inner, err := datasets.SplitStratified(d.Subset(f.Train), [3]float64{0.8, 0.2, 0}, dc.SplitSeed+uint64(dc.Fold))
	if err != nil {
		return datasets.Split{}, fmt.Errorf("fold %d: %w", dc.Fold, err)
	}
	return datasets.Split{Train: inner.Train, Val: inner.Val, Test: d.Subset(f.Val)}, nil
}
