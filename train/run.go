package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train/metrics"
)

// ErrInterrupted is returned by Run when its context is cancelled: the state at the interruption is
// saved (when the run has a directory) and Resume continues from it.
var ErrInterrupted = errors.New("training interrupted")

// Data is the preprocessed splits a run trains, validates and tests on; they share one schema.
// Val may be empty (no early stopping, no validation metrics); Test may be empty.
type Data struct {
	Train, Val, Test *datasets.Dataset
}

// EpochMetrics is one row of metrics.csv.
type EpochMetrics struct {
	Epoch     int       `json:"epoch"` // 1-based
	TrainLoss float64   `json:"train_loss"`
	ValLoss   float64   `json:"val_loss"`
	ValROCAUC []float64 `json:"val_roc_auc"` // per predicted task
	ValPRAUC  float64   `json:"val_pr_auc"`  // purchase
	LR        float64   `json:"lr"`          // at the epoch's last step
	GradNorm  float64   `json:"grad_norm"`   // mean global norm before clipping
	Seconds   float64   `json:"seconds"`     // training time of the epoch (without validation)
}

// TaskResult holds the final metrics of one task.
type TaskResult struct {
	Task       string          `json:"task"`
	Val        *metrics.Report `json:"val,omitempty"`
	Test       *metrics.Report `json:"test,omitempty"`
	OracleTest *metrics.Report `json:"oracle_test,omitempty"` // synthetic data: the Bayes oracle on the same test sessions
}

// Result is what a run reports (summary.json).
type Result struct {
	Model        string         `json:"model"`
	Params       int            `json:"params"`
	Epochs       int            `json:"epochs"`     // epochs trained
	BestEpoch    int            `json:"best_epoch"` // whose weights the run ends with
	Stopped      string         `json:"stopped"`    // "completed" or "early stop"
	Threshold    float64        `json:"threshold"`  // purchase threshold: F1-best on validation (0.5 without validation)
	Tasks        []TaskResult   `json:"tasks"`
	TrainSeconds float64        `json:"train_seconds"`
	SeqPerSec    float64        `json:"seq_per_sec"` // training sequences per second
	History      []EpochMetrics `json:"history"`
	// Val and Test hold the scores of the final weights per task (Tasks order): not written to JSON.
	Val, Test [][]float64 `json:"-"`
}

// runState is what a checkpoint carries besides weights and optimizer: the history and early-stopping
// bookkeeping, and where in an epoch an interruption happened.
type runState struct {
	History      []EpochMetrics `json:"history"`
	BestScore    float64        `json:"best_score"` // of the best epoch so far; meaningful once BestEpoch > 0
	BestEpoch    int            `json:"best_epoch"`
	BadEpochs    int            `json:"bad_epochs"`
	Batch        int            `json:"batch"` // batches done in the epoch in progress
	LossSum      float64        `json:"loss_sum"`
	RowSum       float64        `json:"row_sum"`
	NormSum      float64        `json:"norm_sum"`
	EpochSeconds float64        `json:"epoch_seconds"`
	TrainSeconds float64        `json:"train_seconds"`
	Stopped      bool           `json:"stopped"` // early stopping fired
}

// Run trains m on data.Train, validates after every epoch on data.Val, and evaluates the final weights
// (the best epoch's unless EarlyStop.NoRestore) on data.Val and data.Test. See the package
// documentation for the run directory it writes when cfg.Out is set.
func Run(ctx context.Context, m models.Model, data Data, cfg Config) (*Result, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if data.Train == nil || len(data.Train.Sessions) == 0 {
		return nil, fmt.Errorf("train: the training split is empty")
	}
	if cfg.MaxLen == 0 {
		cfg.MaxLen = DefaultMaxLen(data.Train)
	}
	r, err := newRunner(m, data, cfg)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := r.restore(); err != nil {
		return nil, err
	}
	if err := r.loop(ctx); err != nil {
		return nil, err
	}
	return r.finish()
}

// DefaultMaxLen is the longest session of d, at most 50, and at least 1 when d has sequences (0 when
// it has none).
func DefaultMaxLen(d *datasets.Dataset) int {
	if !d.Schema.HasSequence {
		return 0
	}
	n := 1
	for i := range d.Sessions {
		n = max(n, len(d.Sessions[i].Events))
	}
	return min(n, 50)
}

// runner holds one run's graphs and state.
type runner struct {
	cfg    Config
	model  models.Model
	data   Data
	store  *graph.Store
	params []*graph.Param
	grads  []tensor.Tensor

	trainB  *graph.Builder
	trainIn *models.Inputs
	train   *graph.Program
	tasks   []string
	eval    *Predictor

	batcher *datasets.Batcher
	opt     Optimizer
	step    int
	epoch   int // epochs completed
	st      runState
	best    []Tensor // the best epoch's weights, kept in memory when the run has no directory
	prog    *progress
}

func newRunner(m models.Model, data Data, cfg Config) (_ *runner, err error) {
	r := &runner{cfg: cfg, model: m, data: data, store: m.Store()}
	defer func() {
		if err != nil {
			r.close() // the compiled programs of a runner that will not run
		}
	}()
	r.params = r.store.Params()
	r.grads = make([]tensor.Tensor, len(r.params))
	schema := &data.Train.Schema

	r.trainB = graph.NewBuilder(r.store, graph.BuilderConfig{Train: true, Seed: cfg.Seed ^ 0x64726f70})
	if r.trainIn, err = models.NewInputs(r.trainB, schema, m.Needs(), cfg.BatchSize, cfg.MaxLen); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	out, err := m.Forward(r.trainB, r.trainIn)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	r.tasks = out.Tasks
	var tw []float64
	for _, t := range out.Tasks {
		w, ok := cfg.TaskWeights[t]
		if !ok {
			w = 1
		}
		tw = append(tw, w)
	}
	for t := range cfg.TaskWeights {
		if schema.TaskIndex(t) < 0 {
			return nil, fmt.Errorf("train: task weight for %q: the data has no such task (tasks %v)", t, schema.Tasks)
		}
	}
	loss, err := models.Loss(r.trainIn, out, tw)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if r.train, err = graph.Compile(r.trainB, loss); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	evalRows := max(size(data.Val), size(data.Test), 1)
	if r.eval, err = NewPredictor(m, schema, min(cfg.EvalBatchSize, evalRows), cfg.MaxLen); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}

	bc := datasets.BatcherConfig{BatchSize: cfg.BatchSize, MaxLen: cfg.MaxLen, Shuffle: true, Seed: cfg.Seed}
	switch {
	case cfg.Balanced:
		if bc.ClassWeights, err = datasets.BalancedClassWeights(data.Train); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	case cfg.PosWeight > 0:
		bc.ClassWeights = []float64{1, cfg.PosWeight}
	}
	if r.batcher, err = datasets.NewBatcher(data.Train, bc); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if r.opt, err = NewOptimizer(cfg.Optimizer); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	label := cfg.ProgressLabel
	if label == "" {
		label = m.Name()
	}
	r.prog = newProgress(cfg.Progress, cfg.ProgressBar, label)
	return r, nil
}

// size is the number of sessions of d; 0 for nil.
func size(d *datasets.Dataset) int {
	if d == nil {
		return 0
	}
	return len(d.Sessions)
}

func (r *runner) close() {
	if r.train != nil {
		r.train.Close()
	}
	if r.eval != nil {
		r.eval.Close()
	}
}

// loop trains the remaining epochs.
func (r *runner) loop(ctx context.Context) error {
	perEpoch := r.batcher.Len()
	total := perEpoch * r.cfg.Epochs
	for r.epoch < r.cfg.Epochs && !r.st.Stopped {
		r.prog.startEpoch(r.epoch+1, r.cfg.Epochs, perEpoch, r.st.Batch)
		start := time.Now()
		lr := 0.0
		for {
			if ctx.Err() != nil {
				r.st.EpochSeconds += time.Since(start).Seconds()
				return r.interrupt()
			}
			batch, ok := r.batcher.Next()
			if !ok {
				break
			}
			if err := r.trainIn.Feed(r.train, batch); err != nil {
				return fmt.Errorf("train: epoch %d: %w", r.epoch+1, err)
			}
			if err := r.train.Run(); err != nil {
				return fmt.Errorf("train: epoch %d, batch %d: %w", r.epoch+1, r.st.Batch+1, err)
			}
			loss := r.train.Loss()
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return r.diverged(loss)
			}
			paramGrads(r.train, r.params, r.grads)
			norm, err := ClipGlobalNorm(r.grads, r.cfg.ClipNorm)
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			if math.IsNaN(norm) || math.IsInf(norm, 0) {
				return r.diverged(norm)
			}
			lr = r.cfg.Schedule.LR(r.cfg.LR, r.step, perEpoch, total)
			if err := r.opt.Step(r.params, r.grads, lr); err != nil {
				return fmt.Errorf("train: %w", err)
			}
			r.step++
			r.st.Batch++
			r.st.LossSum += loss * float64(batch.Rows)
			r.st.RowSum += float64(batch.Rows)
			r.st.NormSum += norm
			r.prog.batch(r.st.Batch, r.st.LossSum/r.st.RowSum)
			if r.cfg.afterBatch != nil {
				r.cfg.afterBatch(r.epoch+1, r.st.Batch)
			}
		}
		r.st.EpochSeconds += time.Since(start).Seconds()
		if err := r.endEpoch(lr); err != nil {
			return err
		}
	}
	return nil
}

// paramGrads sets grads[i] to the gradient of params[i] from prog's last run, nil for a parameter the
// loss does not reach (the optimizers skip it).
func paramGrads(prog *graph.Program, params []*graph.Param, grads []tensor.Tensor) {
	for i, p := range params {
		grads[i] = nil
		if g, err := prog.Grad(p.Name); err == nil {
			grads[i] = g
		}
	}
}

// diverged reports a non-finite loss or gradient; the checkpoint of the last completed epoch stays.
func (r *runner) diverged(v float64) error {
	r.prog.done()
	where := "no checkpoint was written yet"
	if r.cfg.Out != "" && r.epoch > 0 {
		where = fmt.Sprintf("the checkpoint of epoch %d is kept in %s", r.epoch, r.checkpointPath("last"))
	}
	return fmt.Errorf("train: epoch %d, batch %d: the loss or gradient is %v: training diverged (try a lower learning rate or --clip); %s",
		r.epoch+1, r.st.Batch+1, v, where)
}

// endEpoch validates, updates early stopping, writes metrics.csv and the checkpoints.
func (r *runner) endEpoch(lr float64) error {
	r.epoch++
	em := EpochMetrics{
		Epoch: r.epoch, TrainLoss: r.st.LossSum / r.st.RowSum, LR: lr,
		GradNorm: r.st.NormSum / float64(max(r.st.Batch, 1)), Seconds: r.st.EpochSeconds,
	}
	r.st.TrainSeconds += r.st.EpochSeconds
	r.st.Batch, r.st.LossSum, r.st.RowSum, r.st.NormSum, r.st.EpochSeconds = 0, 0, 0, 0, 0
	improved := true
	if size(r.data.Val) > 0 {
		v, err := r.validate()
		if err != nil {
			return err
		}
		em.ValLoss, em.ValROCAUC, em.ValPRAUC = v.loss, v.auc, v.prauc
		score := v.score(r.cfg.EarlyStop.Metric)
		improved = r.st.BestEpoch == 0 || score > r.st.BestScore
		if improved {
			r.st.BestScore = score
		}
	}
	if improved {
		r.st.BestEpoch, r.st.BadEpochs = r.epoch, 0
	} else {
		r.st.BadEpochs++
		if p := r.cfg.EarlyStop.Patience; p > 0 && r.st.BadEpochs >= p {
			r.st.Stopped = true
		}
	}
	r.st.History = append(r.st.History, em)
	r.prog.endEpoch(em, r.tasks)
	if r.cfg.Out == "" {
		if improved && !r.cfg.EarlyStop.NoRestore {
			r.best = ParamsOf(r.store)
		}
		return r.onEpoch(em)
	}
	if err := writeMetricsCSV(filepath.Join(r.cfg.Out, "metrics.csv"), r.st.History, r.tasks); err != nil {
		return err
	}
	if improved {
		if err := r.save("best"); err != nil {
			return err
		}
	}
	if err := r.save("last"); err != nil {
		return err
	}
	return r.onEpoch(em)
}

func (r *runner) onEpoch(em EpochMetrics) error {
	if r.cfg.OnEpoch == nil {
		return nil
	}
	return r.cfg.OnEpoch(em)
}

// validation is one pass over the validation split.
type validation struct {
	loss, prauc float64
	auc         []float64
}

func (v validation) score(metric string) float64 {
	switch metric {
	case "pr_auc":
		return v.prauc
	case "log_loss":
		return -v.loss
	}
	return v.auc[0]
}

// validate scores the validation split: loss Σ_k λ_k · log loss_k (rows unweighted), ROC-AUC per
// task, PR-AUC of purchase.
func (r *runner) validate() (validation, error) {
	probs, err := r.eval.Predict(r.data.Val)
	if err != nil {
		return validation{}, fmt.Errorf("train: validation: %w", err)
	}
	var v validation
	for k, task := range r.tasks {
		y, err := Labels(r.data.Val, task)
		if err != nil {
			return v, err
		}
		ll, err := metrics.LogLoss(probs[k], y)
		if err != nil {
			return v, fmt.Errorf("train: validation %s: %w", task, err)
		}
		w, ok := r.cfg.TaskWeights[task]
		if !ok {
			w = 1
		}
		v.loss += w * ll
		auc, err := metrics.ROCAUC(probs[k], y)
		if err != nil {
			return v, fmt.Errorf("train: validation %s: %w", task, err)
		}
		v.auc = append(v.auc, auc)
		if k == 0 {
			if v.prauc, err = metrics.AveragePrecision(probs[k], y); err != nil {
				return v, fmt.Errorf("train: validation %s: %w", task, err)
			}
		}
	}
	return v, nil
}
