package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

var trainCommand = &command{
	name:    "train",
	summary: "train one model and write a run directory",
	run:     runTrain,
}

// experimentFlags binds the flags that describe an experiment (data, model, training) to exp.
type experimentFlags struct {
	exp         train.Experiment
	modelConfig string
	split       string
	taskWeights []string
	skipBad     *skipBadFlag
}

func addExperimentFlags(fs *flags, model string) *experimentFlags {
	x := &experimentFlags{exp: train.DefaultExperiment(model)}
	def := train.Config{}.WithDefaults()
	d, t := &x.exp.Data, &x.exp.Train
	fs.StringVar(&x.exp.Model.Name, "model", model, "architecture: "+strings.Join(models.Names(), ", "))
	fs.StringVar(&x.modelConfig, "model-config", "", "model settings as JSON over the defaults, or @FILE (see 'intentlab models')")
	fs.StringVar(&d.Spec, "data", "synth", "data spec: "+datasets.DataSpecs)
	fs.Uint64Var(&d.Options.Synthetic.Seed, "data-seed", 0, "random seed of synthetic data")
	fs.StringVar(&x.split, "split", "0.6,0.2,0.2", "train,validation,test fractions")
	fs.BoolVar(&d.ByTime, "by-time", false, "split by session start time instead of stratified at random (event logs)")
	fs.Uint64Var(&d.SplitSeed, "split-seed", 0, "random seed of the stratified split")
	x.skipBad = addEventFlags(fs, &d.Options)

	fs.IntVar(&t.Epochs, "epochs", def.Epochs, "passes over the training split")
	fs.IntVar(&t.BatchSize, "batch", def.BatchSize, "training batch size")
	fs.IntVar(&t.MaxLen, "max-len", 0, "events kept per session, the most recent (0: the longest training session, at most 50)")
	fs.Float64Var(&t.LR, "lr", def.LR, "learning rate")
	fs.StringVar(&t.Optimizer.Name, "optimizer", def.Optimizer.Name, "sgd, adam or adamw")
	fs.Float64Var(&t.Optimizer.Momentum, "momentum", 0, "SGD momentum")
	fs.BoolVar(&t.Optimizer.Nesterov, "nesterov", false, "SGD with Nesterov momentum")
	fs.Float64Var(&t.Optimizer.WeightDecay, "weight-decay", 0, "weight decay (L2 for sgd and adam, decoupled for adamw)")
	fs.StringVar(&t.Schedule.Name, "schedule", "constant", "learning-rate schedule: constant, step or cosine")
	fs.IntVar(&t.Schedule.WarmupSteps, "warmup", 0, "linear warm-up steps")
	fs.IntVar(&t.Schedule.StepEpochs, "step-epochs", 10, "step schedule: epochs between decays")
	fs.Float64Var(&t.Schedule.Gamma, "gamma", 0.1, "step schedule: decay factor")
	fs.Float64Var(&t.Schedule.MinLR, "min-lr", 0, "cosine schedule: final learning rate")
	fs.Float64Var(&t.ClipNorm, "clip", 0, "clip gradients to this global L2 norm (0: off)")
	fs.BoolVar(&t.Balanced, "balanced", false, "weight classes by n / (2 n_class)")
	fs.Float64Var(&t.PosWeight, "pos-weight", 0, "weight of buyers' rows (0: 1)")
	fs.StringSliceVar(&x.taskWeights, "task-weight", nil, "loss weight of a task, TASK=W (repeatable)")
	fs.StringVar(&t.EarlyStop.Metric, "metric", def.EarlyStop.Metric, "validation metric for early stopping and the best epoch: roc_auc, pr_auc or log_loss")
	fs.IntVar(&t.EarlyStop.Patience, "patience", 0, "stop after this many epochs without improvement (0: never)")
	fs.BoolVar(&t.EarlyStop.NoRestore, "no-restore", false, "keep the last epoch's weights instead of the best epoch's")
	fs.Uint64Var(&t.Seed, "seed", 0, "random seed of the weights, shuffling and dropout")
	fs.StringVar(&x.exp.Dtype, "dtype", "float32", "float32 or float64")
	return x
}

// finish checks and converts the flags that need more than pflag's parsing.
func (x *experimentFlags) finish(fs *flags) error {
	x.skipBad.apply(&x.exp.Data.Options)
	if sc := &x.exp.Train.Schedule; sc.Name != "step" {
		// The step schedule's settings have defaults shown in --help; other schedules refuse them.
		if fs.Changed("step-epochs") || fs.Changed("gamma") {
			return fmt.Errorf("--step-epochs and --gamma belong to --schedule step, not %q", sc.Name)
		}
		sc.StepEpochs, sc.Gamma = 0, 0
	}
	if _, err := models.Lookup(x.exp.Model.Name); err != nil {
		return err
	}
	split, err := parseSplit(x.split)
	if err != nil {
		return err
	}
	x.exp.Data.Split = split
	for _, tw := range x.taskWeights {
		name, val, ok := strings.Cut(tw, "=")
		w, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil || !(w >= 0) {
			return fmt.Errorf("--task-weight %q: want TASK=WEIGHT with a weight ≥ 0", tw)
		}
		if x.exp.Train.TaskWeights == nil {
			x.exp.Train.TaskWeights = map[string]float64{}
		}
		x.exp.Train.TaskWeights[name] = w
	}
	if x.exp.Train.Epochs < 0 {
		return fmt.Errorf("--epochs %d: want ≥ 0", x.exp.Train.Epochs)
	}
	if !(x.exp.Train.LR > 0) {
		return fmt.Errorf("--lr %v: want a positive learning rate", x.exp.Train.LR)
	}
	if x.modelConfig != "" {
		raw := []byte(x.modelConfig)
		if path, ok := strings.CutPrefix(x.modelConfig, "@"); ok {
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("--model-config: %w", err)
			}
			raw = b
		}
		if _, err := models.DecodeConfig(x.exp.Model.Name, raw); err != nil {
			return fmt.Errorf("--model-config: %w", err)
		}
		x.exp.Model.Config = raw
	}
	if err := x.exp.Train.WithDefaults().Validate(); err != nil {
		return err
	}
	return nil
}

func runTrain(e *env, args []string) int {
	fs := newFlags(e, "Train one model on one dataset and write a run directory (config.json, metrics.csv,\ncheckpoint/, predictions.csv, summary.json). Ctrl-C saves a checkpoint; --resume continues it.")
	x := addExperimentFlags(fs, "lstm")
	var out string
	var resume, overwrite, asJSON bool
	var folds int
	fs.StringVarP(&out, "out", "o", "", "run directory (default runs/<model>)")
	fs.IntVar(&folds, "folds", 0, "stratified k-fold cross-validation: one run per fold in --out/fold<i>, mean ± std over folds (0: one train/val/test split)")
	fs.BoolVar(&resume, "resume", false, "continue the run in --out from its last checkpoint")
	fs.BoolVar(&overwrite, "overwrite", false, "delete --out first if it exists")
	fs.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if err := x.finish(fs); err != nil {
		return e.usageError("%v", err)
	}
	if out == "" {
		out = "runs/" + x.exp.Model.Name
	}
	if folds == 1 || folds < 0 {
		return e.usageError("--folds %d: want 0 (no cross-validation) or at least 2", folds)
	}
	if folds > 0 && resume {
		return e.usageError("--resume does not apply to --folds")
	}
	if resume && overwrite {
		return e.usageError("--resume and --overwrite exclude each other")
	}
	if _, err := os.Stat(out); err == nil && !resume {
		if !overwrite {
			return e.usageError("run directory %s exists: pass --resume to continue it, --overwrite to replace it, or another --out", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return e.fail(err)
		}
	}
	x.exp.Train.Progress = e.stderr
	x.exp.Train.ProgressBar = isTerminal(e.stderr)

	ctx, stop := interruptible()
	defer stop()
	if folds > 0 {
		return runCrossValidation(e, ctx, x.exp, folds, out, asJSON)
	}
	res, _, err := train.Start(ctx, x.exp, out, resume)
	if err != nil {
		return e.runError(err, "")
	}
	fmt.Fprintf(e.stderr, "run written to %s\n", out)
	if asJSON {
		return printJSON(e, res)
	}
	printSummary(e, res)
	return exitOK
}

// printSummary writes the final metrics of each task as a small table.
func printSummary(e *env, res *train.Result) {
	fmt.Fprintf(e.stdout, "model %s: %d parameters, %d epochs (best %d, %s), %.1fs, %.0f sequences/s\n",
		res.Model, res.Params, res.Epochs, res.BestEpoch, res.Stopped, res.TrainSeconds, res.SeqPerSec)
	if len(res.Tasks) > 0 && res.Tasks[0].Val != nil {
		fmt.Fprintf(e.stdout, "threshold %.4f (F1-best on validation)\n\n", res.Threshold)
	} else {
		fmt.Fprintf(e.stdout, "threshold %.4f (no validation split to choose it on)\n\n", res.Threshold)
	}
	if len(res.Tasks) > 0 && res.Tasks[0].Val == nil && res.Tasks[0].Test == nil {
		fmt.Fprintln(e.stdout, "no validation or test split: nothing was measured (see --split)")
		return
	}
	fmt.Fprintf(e.stdout, "%-10s %-6s %8s %8s %8s %8s %8s\n", "task", "split", "ROC-AUC", "PR-AUC", "logloss", "Brier", "F1")
	for _, t := range res.Tasks {
		printReportRow(e, t.Task, "val", t.Val)
		printReportRow(e, t.Task, "test", t.Test)
		printReportRow(e, t.Task, "oracle", t.OracleTest)
	}
}

func printReportRow(e *env, task, split string, r *metrics.Report) {
	if r == nil {
		return
	}
	fmt.Fprintf(e.stdout, "%-10s %-6s %8.4f %8.4f %8.4f %8.4f %8.4f\n", task, split, r.ROCAUC, r.PRAUC, r.LogLoss, r.Brier, r.F1)
}

func printJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// isTerminal reports whether w is a terminal (then progress is a bar redrawn in place).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func runCrossValidation(e *env, ctx context.Context, exp train.Experiment, k int, out string, asJSON bool) int {
	cv, err := train.CrossValidate(ctx, exp, k, out)
	if errors.Is(err, train.ErrInterrupted) {
		fmt.Fprintf(e.stderr, "%s: %v\n", e.path, err)
		return 130
	}
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stderr, "folds written to %s\n", out)
	if asJSON {
		return printJSON(e, cv)
	}
	fmt.Fprintf(e.stdout, "model %s, %d-fold cross-validation, purchase on each test fold (mean ± std):\n", exp.Model.Name, k)
	for _, m := range []string{"roc_auc", "pr_auc", "f1", "log_loss", "brier"} {
		fmt.Fprintf(e.stdout, "  %-8s %s\n", m, cv.Summary[m])
	}
	return exitOK
}
