package main

import (
	"errors"
	"fmt"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
)

var evalCommand = &command{
	name:    "eval",
	summary: "measure a trained run on its test split or on other data",
	run:     runEval,
}

func runEval(e *env, args []string) int {
	fs := newFlags(e, "Measure a trained run: ROC-AUC, PR-AUC, log loss, Brier, F1 at the run's threshold, with a bootstrap\ninterval, the oracle's ceiling on synthetic data, and DeLong's test against a second run (--compare).")
	var dir, spec, split, compare string
	var opts datasets.LoadOptions
	var cfg train.EvalConfig
	var asJSON bool
	fs.StringVar(&dir, "run", "", "run directory written by 'intentlab train'")
	fs.StringVar(&spec, "data", "", "data spec to score instead of the run's own split: "+datasets.DataSpecs)
	fs.StringVar(&split, "split", "test", "split of the run's own data to score: val or test")
	fs.StringVar(&compare, "compare", "", "second run directory to compare with (DeLong test)")
	fs.IntVar(&cfg.Bootstrap, "bootstrap", 1000, "bootstrap resamples for the ROC-AUC interval (0: none)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed of the bootstrap")
	fs.Float64Var(&cfg.Threshold, "threshold", 0, "decision threshold (0: the run's F1-best validation threshold)")
	fs.BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	fs.Uint64Var(&opts.Synthetic.Seed, "data-seed", 0, "random seed of synthetic data (with --data synth…)")
	skipBad := addEventFlags(fs, &opts)
	fs.require("run")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	skipBad.apply(&opts)
	if split != "val" && split != "test" {
		return e.usageError("--split %q: want val or test", split)
	}
	if cfg.Bootstrap < 0 {
		return e.usageError("--bootstrap %d: want ≥ 0", cfg.Bootstrap)
	}
	sr, err := train.OpenRun(dir)
	if err != nil {
		return e.fail(err)
	}
	if compare != "" {
		if cfg.Compare, err = train.OpenRun(compare); err != nil {
			return e.fail(err)
		}
	}
	raw, err := evalData(sr, spec, split, opts)
	var serr *datasets.SpecError
	if errors.As(err, &serr) {
		return e.usageError("%v", err)
	}
	if err != nil {
		return e.fail(err)
	}
	ev, err := sr.Evaluate(raw, cfg)
	if err != nil {
		return e.fail(err)
	}
	if asJSON {
		return printJSON(e, ev)
	}
	fmt.Fprintf(e.stdout, "run %s on %d sessions, threshold %.4f\n\n", ev.Run, ev.Sessions, ev.Threshold)
	fmt.Fprintf(e.stdout, "%-10s %-7s %8s %17s %8s %8s %8s %8s\n", "task", "scores", "ROC-AUC", "95% interval", "PR-AUC", "logloss", "Brier", "F1")
	for _, t := range ev.Tasks {
		r := t.Report
		ci := ""
		if cfg.Bootstrap > 0 {
			ci = fmt.Sprintf("[%.4f, %.4f]", t.ROCAUCLo, t.ROCAUCHi)
		}
		fmt.Fprintf(e.stdout, "%-10s %-7s %8.4f %17s %8.4f %8.4f %8.4f %8.4f\n", t.Task, "model", r.ROCAUC, ci, r.PRAUC, r.LogLoss, r.Brier, r.F1)
		if o := t.Oracle; o != nil {
			fmt.Fprintf(e.stdout, "%-10s %-7s %8.4f %17s %8.4f %8.4f %8.4f %8.4f\n", t.Task, "oracle", o.ROCAUC, "", o.PRAUC, o.LogLoss, o.Brier, o.F1)
		}
	}
	if c := ev.Compare; c != nil {
		d := c.DeLong
		fmt.Fprintf(e.stdout, "\ncompared with %s: purchase ROC-AUC %.4f vs %.4f, difference %+.4f (SE %.4f), DeLong z = %.2f, p = %.3g\n",
			c.Run, d.AUCA, d.AUCB, d.Diff, d.SE, d.Z, d.P)
	}
	return exitOK
}

// evalData is the raw data to score: the run's own split, or the dataset spec names.
func evalData(sr *train.SavedRun, spec, split string, opts datasets.LoadOptions) (*datasets.Dataset, error) {
	if spec != "" {
		return datasets.Load(spec, opts)
	}
	sp, err := train.LoadSplit(sr.Experiment.Data)
	if err != nil {
		return nil, err
	}
	if split == "val" {
		return sp.Val, nil
	}
	return sp.Test, nil
}
