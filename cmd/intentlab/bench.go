package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train/bench"
)

var benchCommand = &command{
	name:    "bench",
	summary: "train several models over several seeds and write a report",
	run:     runBench,
}

func runBench(e *env, args []string) int {
	fs := newFlags(e, "Train every model (or --models) over several seeds on one dataset with one recipe, and write a\nreport directory: report.md, results.csv, figures/, config.json, environment.json and runs/.\nWith no flags: every architecture, seeds 1,2,3, 4,000 synthetic sessions, two trainings at a time.")
	cfg := bench.DefaultConfig()
	def := cfg
	var modelList, seeds, split, overrides, out string
	var overwrite, resume, asJSON bool
	fs.StringVar(&modelList, "models", "all", "comma-separated architectures ("+strings.Join(models.Names(), ", ")+") or all")
	fs.StringVar(&seeds, "seeds", "1,2,3", "training seeds: a list (1,2,3) or a range (1-5)")
	fs.StringVar(&cfg.Data.Spec, "data", def.Data.Spec, "data spec: "+datasets.DataSpecs)
	fs.Uint64Var(&cfg.Data.Options.Synthetic.Seed, "data-seed", 0, "random seed of synthetic data")
	fs.StringVar(&split, "split", "0.6,0.2,0.2", "train,validation,test fractions")
	fs.BoolVar(&cfg.Data.ByTime, "by-time", false, "split by session start time (event logs)")
	fs.Uint64Var(&cfg.Data.SplitSeed, "split-seed", 0, "random seed of the stratified split")
	skipBad := addEventFlags(fs, &cfg.Data.Options)
	t := &cfg.Train
	fs.IntVar(&t.Epochs, "epochs", def.Train.Epochs, "most passes over the training split")
	fs.IntVar(&t.BatchSize, "batch", def.Train.BatchSize, "training batch size")
	fs.IntVar(&t.MaxLen, "max-len", 0, "events kept per session (0: the longest training session, at most 50)")
	fs.Float64Var(&t.LR, "lr", def.Train.LR, "learning rate")
	fs.StringVar(&t.Optimizer.Name, "optimizer", "adam", "sgd, adam or adamw")
	fs.Float64Var(&t.Optimizer.WeightDecay, "weight-decay", 0, "weight decay")
	fs.StringVar(&t.Schedule.Name, "schedule", def.Train.Schedule.Name, "learning-rate schedule: constant or cosine")
	fs.StringVar(&t.EarlyStop.Metric, "metric", def.Train.EarlyStop.Metric, "validation metric for early stopping: roc_auc, pr_auc or log_loss")
	fs.IntVar(&t.EarlyStop.Patience, "patience", def.Train.EarlyStop.Patience, "stop after this many epochs without improvement (0: never)")
	fs.StringVar(&overrides, "overrides", `{"logreg":{"lr":0.02,"epochs":40},"mlp":{"epochs":40}}`, "per-model changes to the recipe as JSON, or @FILE: {\"MODEL\":{\"lr\":…,\"epochs\":…,\"batch_size\":…,\"config\":{…}}}")
	fs.StringVar(&cfg.Dtype, "dtype", "float32", "float32 or float64")
	fs.IntVarP(&cfg.Jobs, "jobs", "j", def.Jobs, "trainings at once (each keeps about one core busy)")
	fs.StringVarP(&out, "out", "o", "runs/bench", "report directory")
	fs.BoolVar(&overwrite, "overwrite", false, "delete --out first if it exists")
	fs.BoolVar(&resume, "resume", false, "continue the bench in --out: keep finished runs, resume the others")
	fs.BoolVar(&asJSON, "json", false, "print the results as JSON")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	skipBad.apply(&cfg.Data.Options)
	var err error
	if cfg.Models, err = parseModels(modelList); err != nil {
		return e.usageError("%v", err)
	}
	if cfg.Seeds, err = parseSeeds(seeds); err != nil {
		return e.usageError("%v", err)
	}
	if cfg.Data.Split, err = parseSplit(split); err != nil {
		return e.usageError("%v", err)
	}
	if cfg.Overrides, err = parseOverrides(overrides); err != nil {
		return e.usageError("%v", err)
	}
	if cfg.Jobs < 1 {
		return e.usageError("--jobs %d: want ≥ 1", cfg.Jobs)
	}
	if t.Epochs < 1 {
		return e.usageError("--epochs %d: want ≥ 1", t.Epochs)
	}
	if resume && overwrite {
		return e.usageError("--resume and --overwrite exclude each other")
	}
	if _, err := os.Stat(out); err == nil && !resume {
		if !overwrite {
			return e.usageError("report directory %s exists: pass --resume to continue it, --overwrite to replace it, or another --out", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return e.fail(err)
		}
	}
	cfg.Resume = resume
	cfg.Progress, cfg.ProgressBar = e.stderr, isTerminal(e.stderr)
	cfg.Environment = bench.DetectEnvironment()
	cfg.Command = "intentlab bench " + strings.Join(args, " ")

	ctx, stop := interruptible()
	defer stop()
	res, err := bench.Run(ctx, cfg, out)
	if err != nil {
		return e.runError(err, "(run it again with --resume to continue)")
	}
	fmt.Fprintf(e.stderr, "report written to %s/report.md\n", out)
	if asJSON {
		return printJSON(e, res)
	}
	printBench(e, res)
	return exitOK
}

// printBench writes the main table of the report.
func printBench(e *env, r *bench.Results) {
	fmt.Fprintf(e.stdout, "%s: test split, mean ± std over %d seeds\n", r.Dataset.Name, len(r.Config.Seeds))
	if r.Oracle != nil {
		fmt.Fprintf(e.stdout, "oracle ROC-AUC %.4f (the ceiling)\n", r.Oracle.ROCAUC)
	}
	fmt.Fprintf(e.stdout, "%-12s %9s %17s %17s %17s %10s %12s\n", "model", "params", "ROC-AUC", "PR-AUC", "log loss", "train s", "DeLong p")
	for _, m := range r.Models {
		p := "best"
		if m.Model != r.Best {
			p = fmt.Sprintf("%.3g", m.DeLongP)
		}
		fmt.Fprintf(e.stdout, "%-12s %9d %17s %17s %17s %10.1f %12s\n", m.Model, m.Params, m.ROCAUC, m.PRAUC, m.LogLoss, m.TrainSeconds.Mean, p)
	}
	for _, name := range sortedNames(r.Skipped) {
		fmt.Fprintf(e.stdout, "%-12s skipped: %s\n", name, r.Skipped[name])
	}
	for _, dir := range sortedNames(r.Failed) {
		fmt.Fprintf(e.stdout, "%s failed: %s\n", dir, oneLine(errors.New(r.Failed[dir])))
	}
}

// parseModels turns "all" or a comma-separated list into registry names.
func parseModels(s string) ([]string, error) {
	if strings.TrimSpace(s) == "all" {
		return models.Names(), nil
	}
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if _, err := models.Lookup(m); err != nil {
			return nil, fmt.Errorf("--models: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// parseSeeds reads "1,2,3" or "1-5" (or a mix: "1-3,7").
func parseSeeds(s string) ([]uint64, error) {
	var seeds []uint64
	bad := func(part string) error {
		return fmt.Errorf("--seeds %q: %q is not a seed or a range (want non-negative integers like 1,2,3 or 1-5)", s, part)
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, bad(part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a || b-a > 1000 {
				return nil, bad(part)
			}
		}
		for v := a; v <= b; v++ {
			seeds = append(seeds, v)
		}
	}
	return seeds, nil
}

// parseSplit reads three fractions TRAIN,VAL,TEST.
func parseSplit(s string) ([3]float64, error) {
	var f [3]float64
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return f, fmt.Errorf("--split %q: want three fractions TRAIN,VAL,TEST", s)
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || v > 1 {
			return f, fmt.Errorf("--split %q: %q is not a fraction in [0, 1]", s, p)
		}
		f[i] = v
	}
	return f, nil
}

// parseOverrides reads per-model recipe changes from JSON or @FILE.
func parseOverrides(s string) (map[string]bench.Override, error) {
	raw := []byte(s)
	if path, ok := strings.CutPrefix(s, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--overrides: %w", err)
		}
		raw = b
	}
	var o map[string]bench.Override
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("--overrides: %w (want {\"MODEL\":{\"lr\":…,\"epochs\":…,\"batch_size\":…,\"config\":{…}}})", err)
	}
	for name := range o {
		if _, err := models.Lookup(name); err != nil {
			return nil, fmt.Errorf("--overrides: %w", err)
		}
	}
	return o, nil
}

func sortedNames(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
