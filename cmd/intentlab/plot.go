package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/intentlab/intentlab/train/bench"
)

var plotCommand = &command{
	name:    "plot",
	summary: "draw figures from run directories, or redraw a bench report",
	sub: []*command{
		plotKind("roc", "ROC curves of several runs on one axis (and the oracle's on synthetic data)"),
		plotKind("pr", "precision–recall curves of several runs, with the base rate"),
		plotKind("calibration", "reliability diagram of several runs"),
		plotKind("loss", "training and validation loss per epoch, one panel per run"),
		plotKind("metric", "a metric per epoch (--metric) of several runs on one axis"),
		plotKind("confusion", "the confusion matrix of one run at its threshold"),
		plotKind("attention", "the attention map of one Transformer run on a buyer's test session"),
		{name: "report", summary: "redraw a bench's report.md, results.csv and figures from its runs", run: runPlotReport},
	},
}

func plotKind(kind, summary string) *command {
	return &command{name: kind, summary: summary, run: func(e *env, args []string) int { return runPlot(e, kind, summary, args) }}
}

func runPlot(e *env, kind, summary string, args []string) int {
	fs := newFlags(e, "Draw "+summary+".\nThe format follows --out's extension: .png or .svg.")
	var runs, labels []string
	cfg := bench.FigureConfig{Kind: kind}
	var out string
	fs.StringSliceVar(&runs, "runs", nil, "run directories, comma-separated")
	fs.StringSliceVar(&labels, "labels", nil, "legend labels, one per run (default: the model names)")
	fs.StringVar(&cfg.Split, "split", "test", "roc, pr, calibration, confusion: test or val")
	fs.StringVar(&cfg.Metric, "metric", "val_roc_auc", "metric: val_roc_auc, val_pr_auc, val_loss, train_loss, lr or grad_norm")
	fs.StringVarP(&out, "out", "o", "", "figure file (.png or .svg)")
	fs.require("runs", "out")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".png" && ext != ".svg" {
		return e.usageError("--out %q: want a .png or .svg file", out)
	}
	if cfg.Split != "test" && cfg.Split != "val" {
		return e.usageError("--split %q: want test or val", cfg.Split)
	}
	cfg.Labels = labels
	f, err := bench.Figure(runs, cfg)
	if err != nil {
		return e.fail(err)
	}
	if err := f.Save(out); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stderr, "figure written to %s\n", out)
	return exitOK
}

func runPlotReport(e *env, args []string) int {
	fs := newFlags(e, "Read a bench directory's runs again and rewrite its report.md, results.csv and figures/.")
	var dir string
	fs.StringVar(&dir, "bench", "", "bench report directory")
	fs.require("bench")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if _, err := bench.Report(dir); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stderr, "report written to %s\n", filepath.Join(dir, "report.md"))
	return exitOK
}
