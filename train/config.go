package train

import (
	"fmt"
	"io"
	"slices"
)

// Config configures Run. The zero value trains for 10 epochs with Adam at 1e-3, batches of 256, and no
// early stopping; see each field for its default.
type Config struct {
	Epochs        int     `json:"epochs"`          // passes over the training split; default 10
	BatchSize     int     `json:"batch_size"`      // training batch; default 256
	EvalBatchSize int     `json:"eval_batch_size"` // evaluation batch; default 512
	MaxLen        int     `json:"max_len"`         // event positions per session; default: the longest training session, at most 50
	LR            float64 `json:"lr"`              // base learning rate; default 1e-3
	ClipNorm      float64 `json:"clip_norm"`       // clip gradients to this global L2 norm; default 0 (no clipping)
	Seed          uint64  `json:"seed"`            // initial weights, shuffling and dropout; every value is valid

	Optimizer OptimizerConfig `json:"optimizer"`
	Schedule  ScheduleConfig  `json:"schedule"`

	// Balanced weights each class by n / (2 n_class) (datasets.BalancedClassWeights); PosWeight, when
	// positive, weights buyers by PosWeight and the others by 1 instead. Both off: every row weighs 1.
	Balanced  bool    `json:"balanced"`
	PosWeight float64 `json:"pos_weight"`
	// TaskWeights scales each task's loss by name (multi-task models); absent tasks weigh 1.
	TaskWeights map[string]float64 `json:"task_weights,omitempty"`

	EarlyStop EarlyStopConfig `json:"early_stop"`

	// Out is the run directory; empty writes nothing (no checkpoints, no resume).
	Out string `json:"-"`
	// Resume continues from Out/checkpoint/last.ckpt when it exists.
	Resume bool `json:"-"`
	// Progress receives progress: a bar redrawn in place when ProgressBar is set (a terminal),
	// plain lines otherwise; nil is silent.
	Progress    io.Writer `json:"-"`
	ProgressBar bool      `json:"-"`
	// ProgressLabel starts every progress line; empty is the model's name.
	ProgressLabel string `json:"-"`
	// OnEpoch, when set, is called after every epoch (and its checkpoint); an error it returns ends
	// training and is returned by Run (a search pruner stops a trial this way).
	OnEpoch func(EpochMetrics) error `json:"-"`

	afterBatch func(epoch, batch int) // tests: called after every optimizer step (1-based epoch and batch)
}

// EarlyStopConfig configures early stopping on a validation metric.
type EarlyStopConfig struct {
	Metric   string `json:"metric"`   // "roc_auc" (default), "pr_auc" or "log_loss" (the validation loss)
	Patience int    `json:"patience"` // stop after this many epochs without improvement; 0 never stops early
	// NoRestore keeps the last epoch's weights instead of restoring the best epoch's at the end.
	NoRestore bool `json:"no_restore"`
}

// Validation metrics EarlyStopConfig.Metric may name.
var earlyStopMetrics = []string{"roc_auc", "pr_auc", "log_loss"}

// WithDefaults returns c with every zero field that has a default filled in.
func (c Config) WithDefaults() Config {
	if c.Epochs == 0 {
		c.Epochs = 10
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.EvalBatchSize == 0 {
		c.EvalBatchSize = 512
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.EarlyStop.Metric == "" {
		c.EarlyStop.Metric = "roc_auc"
	}
	c.Optimizer = c.Optimizer.WithDefaults()
	return c
}

// Validate returns an error naming the first bad field of a config with its defaults filled in.
func (c Config) Validate() error {
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("train config: epochs = %d, want ≥ 0", c.Epochs)
	case c.BatchSize < 0:
		return fmt.Errorf("train config: batch size = %d, want > 0", c.BatchSize)
	case c.EvalBatchSize < 0:
		return fmt.Errorf("train config: eval batch size = %d, want > 0", c.EvalBatchSize)
	case c.MaxLen < 0:
		return fmt.Errorf("train config: max length = %d, want ≥ 0 (0: from the data)", c.MaxLen)
	case !(c.LR > 0) || c.LR > 10:
		return fmt.Errorf("train config: learning rate = %v, want a number in (0, 10]", c.LR)
	case !(c.ClipNorm >= 0):
		return fmt.Errorf("train config: clip norm = %v, want ≥ 0", c.ClipNorm)
	case !(c.PosWeight >= 0):
		return fmt.Errorf("train config: positive-class weight = %v, want ≥ 0", c.PosWeight)
	case c.Balanced && c.PosWeight > 0:
		return fmt.Errorf("train config: balanced class weights and a positive-class weight exclude each other")
	case c.EarlyStop.Patience < 0:
		return fmt.Errorf("train config: early-stopping patience = %d, want ≥ 0", c.EarlyStop.Patience)
	}
	if c.EarlyStop.Metric != "" && !slices.Contains(earlyStopMetrics, c.EarlyStop.Metric) {
		return fmt.Errorf("train config: early-stopping metric %q, want one of %v", c.EarlyStop.Metric, earlyStopMetrics)
	}
	for task, w := range c.TaskWeights {
		if !(w >= 0) {
			return fmt.Errorf("train config: task weight of %q = %v, want ≥ 0", task, w)
		}
	}
	if err := c.Optimizer.Validate(); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	if err := c.Schedule.Validate(); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	return nil
}
