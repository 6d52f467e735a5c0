package bench

import (
	"encoding/json"
	"fmt"
	"github.com/intentlab/intentlab/datasets"
	"io"
	"slices"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

// Config configures a benchmark. DefaultConfig gives the README's bench.
type Config struct {
	Data   train.DataConfig `json:"data"`
	Models []string         `json:"models"` // architectures by registry name; empty: every registered one
	Seeds  []uint64         `json:"seeds"`  // training seeds (weights, shuffling, dropout); the split is the same for all
	// Train is the recipe every model gets; its Seed is replaced by each seed.
	Train train.Config `json:"train"`
	// Overrides changes the recipe or the config of some models, by name.
	Overrides map[string]Override `json:"overrides,omitempty"`
	Dtype     string              `json:"dtype"` // "float32" (default) or "float64"
	// Jobs is how many trainings run at once; default 1. A Gorgonia training keeps about one core
	// busy, so on a machine with several cores, Jobs = the number of cores finishes sooner. The
	// results do not depend on it; the measured times and throughputs do (the runs share the cores).
	Jobs int `json:"jobs"`

	// Environment is recorded with the report (see DetectEnvironment).
	Environment Environment `json:"-"`
	// Command is the command line that ran the bench, recorded in the report; may be empty.
	Command string `json:"-"`
	// Resume keeps the finished runs of an existing report directory and continues the others.
	Resume bool `json:"-"`
	// Progress receives which run is training, its epochs and the bench's ETA; nil is silent.
	Progress    io.Writer `json:"-"`
	ProgressBar bool      `json:"-"` // redraw a bar in place (a terminal; only with Jobs = 1)
}

// Override is one model's departure from the common recipe. Zero fields keep the recipe's value.
type Override struct {
	Config    json.RawMessage `json:"config,omitempty"` // the model's config, JSON over its defaults
	LR        float64         `json:"lr,omitempty"`
	Epochs    int             `json:"epochs,omitempty"`
	BatchSize int             `json:"batch_size,omitempty"`
}

// DefaultConfig is the bench that `intentlab bench` runs with no flags: every registered model,
// seeds 1, 2 and 3, on 4,000 synthetic sessions split 60/20/20, Adam at 3e-3 with a cosine schedule
// for at most 8 epochs with patience 3, in batches of 64, two trainings at a time. (On 2,400 training
// sessions, batches of 256 give 10 steps an epoch, too few: the LSTM reached test ROC-AUC 0.816 with
// them and 0.860 with batches of 64, in the same time.) The two order-blind baselines, which
// take a fraction of a second per epoch, get more epochs and a larger rate so that they are trained
// to convergence.
func DefaultConfig() Config {
	return Config{
		Data: train.DataConfig{Spec: "synth:4000", Split: [3]float64{0.6, 0.2, 0.2},
			Preprocess: datasets.PreprocessConfig{AutoLog1p: true}}, // as train.DefaultExperiment
		Models: nil,
		Seeds:  []uint64{1, 2, 3},
		Train: train.Config{
			Epochs:    8,
			BatchSize: 64,
			LR:        3e-3,
			Schedule:  train.ScheduleConfig{Name: "cosine"},
			EarlyStop: train.EarlyStopConfig{Metric: "roc_auc", Patience: 3},
		},
		Overrides: map[string]Override{
			"logreg": {LR: 0.02, Epochs: 40},
			"mlp":    {Epochs: 40},
		},
		Jobs: 2,
	}
}

// withDefaults fills the models, seeds and jobs left empty.
func (c Config) withDefaults() Config {
	if len(c.Models) == 0 {
		c.Models = models.Names()
	}
	if len(c.Seeds) == 0 {
		c.Seeds = []uint64{1, 2, 3}
	}
	if c.Jobs <= 0 {
		c.Jobs = 1
	}
	if c.Dtype == "" {
		c.Dtype = "float32"
	}
	return c
}

// validate checks what can be checked before any training: known models and override names, seeds
// without repeats, a valid recipe.
func (c Config) validate() error {
	seen := map[string]bool{}
	for _, m := range c.Models {
		if _, err := models.Lookup(m); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if seen[m] {
			return fmt.Errorf("bench: model %q is listed twice", m)
		}
		seen[m] = true
	}
	for name, o := range c.Overrides {
		if !slices.Contains(c.Models, name) {
			continue // an override of a model not benched this time is harmless
		}
		if len(o.Config) > 0 {
			if _, err := models.DecodeConfig(name, o.Config); err != nil {
				return fmt.Errorf("bench: override of %s: %w", name, err)
			}
		}
		if o.LR < 0 || o.Epochs < 0 || o.BatchSize < 0 {
			return fmt.Errorf("bench: override of %s: lr, epochs and batch size must not be negative", name)
		}
	}
	for i, s := range c.Seeds {
		if slices.Contains(c.Seeds[:i], s) {
			return fmt.Errorf("bench: seed %d is listed twice", s)
		}
	}
	if err := c.Train.WithDefaults().Validate(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// experiment is the experiment of one model and seed.
func (c Config) experiment(model string, seed uint64) train.Experiment {
	exp := train.Experiment{Data: c.Data, Model: train.ModelConfig{Name: model}, Train: c.Train, Dtype: c.Dtype}
	exp.Train.Seed = seed
	exp.Train.Progress, exp.Train.ProgressBar, exp.Train.OnEpoch = nil, false, nil
	if o, ok := c.Overrides[model]; ok {
		exp.Model.Config = o.Config
		if o.LR > 0 {
			exp.Train.LR = o.LR
		}
		if o.Epochs > 0 {
			exp.Train.Epochs = o.Epochs
		}
		if o.BatchSize > 0 {
			exp.Train.BatchSize = o.BatchSize
		}
	}
	return exp
}
