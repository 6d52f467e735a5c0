package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

var ensembleCommand = &command{
	name:    "ensemble",
	summary: "combine trained runs by averaging or stacking their scores",
	run:     runEnsemble,
}

func runEnsemble(e *env, args []string) int {
	fs := newFlags(e, "Combine the purchase scores of trained runs of the same data: their mean (average) or a logistic\nlayer over their logits fitted on validation (stack). Writes predictions.csv and summary.json to --out and\ncompares the ensemble with each run on the test split (DeLong's test).")
	var runs []string
	var cfg models.EnsembleConfig
	var out string
	var overwrite, asJSON bool
	fs.StringSliceVar(&runs, "runs", nil, "run directories written by 'intentlab train', comma-separated (at least two)")
	fs.StringVar(&cfg.Mode, "mode", "average", "average or stack")
	fs.StringVarP(&out, "out", "o", "", "directory to write predictions.csv and summary.json to")
	fs.BoolVar(&overwrite, "overwrite", false, "delete --out first if it exists")
	fs.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	fs.require("runs", "out")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if len(runs) < 2 {
		return e.usageError("--runs: %d run directories, want at least two", len(runs))
	}
	if _, err := models.NewEnsemble(len(runs), cfg); err != nil {
		return e.usageError("--mode: %v", err)
	}
	for _, r := range runs {
		if inside(r, out) {
			return e.usageError("--out %s holds the run %s: choose another directory", out, r)
		}
	}
	if _, err := os.Stat(out); err == nil {
		if !overwrite {
			return e.usageError("directory %s exists: pass --overwrite to replace it, or another --out", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return e.fail(err)
		}
	}
	res, err := train.Ensemble(runs, cfg, out)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stderr, "ensemble written to %s\n", out)
	if asJSON {
		return printJSON(e, res)
	}
	printEnsemble(e, res)
	return exitOK
}

// printEnsemble writes each member's test metrics, the ensemble's and the oracle's as a table, with
// DeLong's p-value of the ensemble against each member.
func printEnsemble(e *env, res *train.EnsembleResult) {
	fmt.Fprintf(e.stdout, "ensemble of %d runs (%s)", len(res.Runs), res.Mode)
	if w := res.Ensemble.Weights; w != nil {
		parts := make([]string, len(w))
		for i, v := range w {
			parts[i] = fmt.Sprintf("%.4f", v)
		}
		fmt.Fprintf(e.stdout, ": weights %s, bias %.4f", strings.Join(parts, " "), res.Ensemble.Bias)
	}
	fmt.Fprintf(e.stdout, "\nthreshold %.4f (F1-best on validation); purchase on the test split (%d sessions)\n\n", res.Threshold, res.Test.N)
	names := make([]string, len(res.Members))
	width := len("ensemble")
	for m, mr := range res.Members {
		names[m] = mr.Run
		if mr.Model != "" {
			names[m] += " (" + mr.Model + ")"
		}
		width = max(width, len(names[m]))
	}
	row := func(name string, r *metrics.Report, p string) {
		line := fmt.Sprintf("%-*s %8.4f %8.4f %8.4f %8.4f %10s", width, name, r.ROCAUC, r.PRAUC, r.LogLoss, r.F1, p)
		fmt.Fprintln(e.stdout, strings.TrimRight(line, " "))
	}
	fmt.Fprintf(e.stdout, "%-*s %8s %8s %8s %8s %10s\n", width, "scores", "ROC-AUC", "PR-AUC", "logloss", "F1", "DeLong p")
	for m := range res.Members {
		row(names[m], &res.Members[m].Test, fmt.Sprintf("%.3g", res.DeLong[m].P))
	}
	row("ensemble", &res.Test, "")
	if res.OracleTest != nil {
		row("oracle", res.OracleTest, "")
	}
	fmt.Fprintln(e.stdout, "\nDeLong p: two-sided test that the ensemble's ROC-AUC equals the run's")
}

// inside reports whether path is dir or lies below it, so that deleting dir would delete path.
func inside(path, dir string) bool {
	p, errP := filepath.Abs(path)
	d, errD := filepath.Abs(dir)
	if errP != nil || errD != nil {
		return filepath.Clean(path) == filepath.Clean(dir)
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
