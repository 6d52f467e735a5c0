package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/intentlab/intentlab/datasets"
)

var dataInspectCommand = &command{
	name:    "inspect",
	summary: "load a dataset and print its statistics",
	run:     runDataInspect,
}

// inspectResult is the --json output of data inspect.
type inspectResult struct {
	Stats datasets.Stats        `json:"stats"`
	Load  *datasets.LoadSummary `json:"load,omitempty"` // event logs only
}

func runDataInspect(e *env, args []string) int {
	fs := newFlags(e, "Load a dataset and print its statistics (and, for event logs, what the loader kept and dropped).\nData specs: "+datasets.DataSpecs+".")
	var opts datasets.LoadOptions
	var spec string
	var asJSON bool
	fs.StringVar(&spec, "data", "synth", "data spec: "+datasets.DataSpecs)
	fs.BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	fs.Uint64Var(&opts.Synthetic.Seed, "seed", 0, "random seed of synthetic data")
	skipBad := addEventFlags(fs, &opts)
	if code, ok := fs.parse(args); !ok {
		return code
	}
	skipBad.apply(&opts)

	start := time.Now()
	d, sum, err := datasets.LoadWithSummary(spec, opts)
	var serr *datasets.SpecError
	if errors.As(err, &serr) {
		return e.usageError("%v", err)
	}
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stderr, "loaded %s: %d sessions in %.1fs\n", spec, len(d.Sessions), time.Since(start).Seconds())
	res := inspectResult{Stats: datasets.Describe(d), Load: sum}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return e.fail(err)
		}
		return exitOK
	}
	fmt.Fprint(e.stdout, res.Stats.String())
	if sum != nil {
		fmt.Fprintf(e.stdout, "\nload summary\n%s", sum.String())
	}
	return exitOK
}
