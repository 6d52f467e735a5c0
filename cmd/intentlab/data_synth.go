package main

import (
	"fmt"
	"path/filepath"

	"github.com/intentlab/intentlab/datasets"
)

var dataSynthCommand = &command{
	name:    "synth",
	summary: "write the synthetic clickstream as sessions.csv and events.csv",
	run:     runDataSynth,
}

func runDataSynth(e *env, args []string) int {
	fs := newFlags(e, "Write the synthetic clickstream (with its oracle probabilities) as two CSV files.")
	var cfg datasets.SyntheticConfig
	var out string
	fs.IntVar(&cfg.Sessions, "sessions", datasets.DefaultSyntheticSessions, "number of sessions")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed")
	fs.IntVar(&cfg.Window, "window", datasets.DefaultSyntheticWindow, "events a model sees per session")
	fs.Float64Var(&cfg.Difficulty, "difficulty", datasets.DefaultSyntheticDifficulty, "emission blur; larger is harder")
	fs.IntVar(&cfg.NumItems, "items", datasets.DefaultSyntheticItems, "number of raw items")
	fs.IntVar(&cfg.NumCategories, "categories", datasets.DefaultSyntheticCategories, "number of raw categories")
	fs.StringVar(&out, "out", "", "directory to write into (created if missing)")
	fs.require("out")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if _, err := datasets.SyntheticSchema(cfg); err != nil { // validates the configuration
		return e.usageError("%s", oneLine(err))
	}
	fmt.Fprintf(e.stderr, "writing %d sessions to %s\n", cfg.Sessions, out)
	if err := datasets.WriteSyntheticCSV(out, cfg); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "%s\n%s\n", filepath.Join(out, "sessions.csv"), filepath.Join(out, "events.csv"))
	return exitOK
}
