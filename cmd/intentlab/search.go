package main

import (
	"fmt"

	"github.com/intentlab/intentlab/train/search"
)

var searchCommand = &command{
	name:    "search",
	summary: "tune a model's hyperparameters (a study that survives being killed); 'search show' lists one",
	run:     runSearch,
}

func runSearch(e *env, args []string) int {
	if len(args) > 0 && args[0] == "show" {
		return runSearchShow(&env{path: e.path + " show", stdout: e.stdout, stderr: e.stderr}, args[1:])
	}
	fs := newFlags(e, "Search hyperparameters of one model: each trial trains the model with values drawn from a space\n"+
		"(--space FILE, or the model's default space), scored on validation every epoch; a pruner stops bad\n"+
		"trials early. The study lives in an SQLite file: running the same command again resumes it.\n"+
		"'intentlab search show --study FILE' lists its trials. The training flags set the base recipe;\n"+
		"--epochs is the most epochs a trial trains.")
	x := addExperimentFlags(fs, "lstm")
	var cfg search.Config
	var spaceFile string
	fs.StringVar(&spaceFile, "space", "", "search space file, JSON or YAML (default: the model's default space)")
	fs.IntVar(&cfg.Trials, "trials", 20, "trials in the study, earlier ones included")
	fs.IntVar(&cfg.MaxEpochs, "max-epochs", 0, "stop starting trials once all trials together trained this many epochs (0: no limit)")
	fs.StringVar(&cfg.Sampler, "sampler", "tpe", "grid, random or tpe")
	fs.IntVar(&cfg.SamplerConfig.StartupTrials, "startup", 10, "tpe: random trials before the model of good and bad trials")
	fs.IntVar(&cfg.SamplerConfig.GridPoints, "grid-points", 3, "grid: points per continuous parameter")
	fs.StringVar(&cfg.Pruner, "pruner", "none", "none, median or asha")
	fs.IntVar(&cfg.PrunerConfig.MinResource, "min-epochs", 1, "asha: epochs of the first rung")
	fs.IntVar(&cfg.PrunerConfig.Reduction, "reduction", 3, "asha: keep the best 1/η at each rung")
	fs.IntVar(&cfg.PrunerConfig.StartupTrials, "prune-after", 5, "median: trials that must reach an epoch before pruning there")
	fs.IntVar(&cfg.Workers, "workers", 1, "trials at once")
	fs.Uint64Var(&cfg.Seed, "search-seed", 0, "seed of the sampler and of the trials' training seeds")
	fs.StringVar(&cfg.Study, "study", "", "study file (SQLite), created or resumed (default runs/<model>-study.db)")
	fs.StringVarP(&cfg.Out, "out", "o", "", "trial run directories and figures (default: the study file without .db)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if err := x.finish(fs); err != nil {
		return e.usageError("%v", err)
	}
	if fs.Changed("seed") {
		return e.usageError("--seed does not apply to a search: each trial gets its own seed from --search-seed")
	}
	if cfg.Study == "" {
		cfg.Study = "runs/" + x.exp.Model.Name + "-study.db"
	}
	var err error
	if spaceFile != "" {
		cfg.Space, err = search.LoadSpace(spaceFile)
	} else {
		cfg.Space, err = search.DefaultSpace(x.exp.Model.Name)
	}
	if err == nil {
		err = cfg.Space.Check(x.exp) // a parameter the model or recipe lacks fails before anything trains
	}
	if err != nil {
		return e.usageError("%v", oneLine(err))
	}
	if _, err := search.NewSampler(cfg.Sampler, cfg.SamplerConfig); err != nil {
		return e.usageError("--sampler: %v", err)
	}
	pc := cfg.PrunerConfig
	pc.MaxResource = x.exp.Train.Epochs
	if _, err := search.NewPruner(cfg.Pruner, pc); err != nil {
		return e.usageError("--pruner: %v", err)
	}
	if cfg.Trials < 1 {
		return e.usageError("--trials %d: want ≥ 1", cfg.Trials)
	}
	if cfg.Workers < 1 {
		return e.usageError("--workers %d: want ≥ 1", cfg.Workers)
	}
	cfg.Experiment = x.exp
	cfg.Progress = e.stderr
	ctx, stop := interruptible()
	defer stop()
	res, err := search.Run(ctx, cfg)
	if err != nil {
		return e.runError(err, "(run the same command again to continue the study)")
	}
	printSearch(e, cfg.Space, res)
	return exitOK
}

// printSearch writes the trials and the best one.
func printSearch(e *env, space *search.Space, r *search.Result) {
	fmt.Fprintf(e.stdout, "study %s: %d trials (%d complete, %d pruned, %d failed), score = %s\n\n", r.Study, len(r.Trials),
		r.States[search.Complete], r.States[search.Pruned], r.States[search.Failed], r.Metric)
	search.WriteTable(e.stdout, space, r.Trials)
	if r.Best == nil {
		fmt.Fprintln(e.stdout, "\nno trial completed")
		return
	}
	fmt.Fprintf(e.stdout, "\nbest: trial %d, %s %.4f, run %s\n", r.Best.Number, r.Metric, r.Best.Score, r.BestRun)
	if s := r.BestTest; s != nil && len(s.Tasks) > 0 && s.Tasks[0].Test != nil {
		fmt.Fprintf(e.stdout, "its test split: ROC-AUC %.4f, PR-AUC %.4f, log loss %.4f", s.Tasks[0].Test.ROCAUC, s.Tasks[0].Test.PRAUC, s.Tasks[0].Test.LogLoss)
		if o := s.Tasks[0].OracleTest; o != nil {
			fmt.Fprintf(e.stdout, " (oracle %.4f)", o.ROCAUC)
		}
		fmt.Fprintln(e.stdout)
	}
	for _, f := range r.Figures {
		fmt.Fprintf(e.stderr, "figure written to %s\n", f)
	}
}

func runSearchShow(e *env, args []string) int {
	fs := newFlags(e, "List the trials of a study (it may be running), best marked with *, and redraw its figures.")
	var studyPath, out string
	fs.StringVar(&studyPath, "study", "", "study file (SQLite)")
	fs.StringVarP(&out, "out", "o", "", "where the study's trial runs and figures are (default: the study file without .db)")
	fs.require("study")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if out == "" {
		out = trimExt(studyPath)
	}
	st, info, err := search.OpenStudyReadOnly(studyPath)
	if err != nil {
		return e.fail(err)
	}
	st.Close()
	var space search.Space
	if err := space.UnmarshalJSON(info.Space); err != nil {
		return e.fail(err)
	}
	res, err := search.Summarise(studyPath, out)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "model %s, sampler %s, pruner %s, seed %d\n", info.Model, info.Sampler, info.Pruner, info.Seed)
	printSearch(e, &space, res)
	return exitOK
}

func trimExt(path string) string {
	for i := len(path) - 1; i >= 0 && path[i] != '/'; i-- {
		if path[i] == '.' {
			return path[:i]
		}
	}
	return path
}
