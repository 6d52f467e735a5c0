package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
)

var predictCommand = &command{
	name:    "predict",
	summary: "score sessions with a trained run (CSV out)",
	run:     runPredict,
}

func runPredict(e *env, args []string) int {
	fs := newFlags(e, "Score every session of a dataset with a trained run. Writes CSV: id, then P(task) for each task\nthe model predicts. The data is preprocessed as the run's training data was.")
	var dir, spec, out string
	var opts datasets.LoadOptions
	fs.StringVar(&dir, "run", "", "run directory written by 'intentlab train'")
	fs.StringVar(&spec, "data", "", "data spec of the sessions to score: "+datasets.DataSpecs)
	fs.StringVarP(&out, "out", "o", "-", "CSV file to write ('-': stdout)")
	fs.Uint64Var(&opts.Synthetic.Seed, "data-seed", 0, "random seed of synthetic data (with --data synth…)")
	skipBad := addEventFlags(fs, &opts)
	fs.require("run", "data")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	skipBad.apply(&opts)
	sr, err := train.OpenRun(dir)
	if err != nil {
		return e.fail(err)
	}
	raw, err := datasets.Load(spec, opts)
	var serr *datasets.SpecError
	if errors.As(err, &serr) {
		return e.usageError("%v", err)
	}
	if err != nil {
		return e.fail(err)
	}
	probs, tasks, err := sr.Predict(raw)
	if err != nil {
		return e.fail(err)
	}
	w := e.stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return e.fail(err)
		}
		defer f.Close()
		w = f
	}
	if err := writeScores(w, raw, tasks, probs); err != nil {
		return e.fail(fmt.Errorf("write %s: %w", out, err))
	}
	fmt.Fprintf(e.stderr, "scored %d sessions with %s\n", len(raw.Sessions), dir)
	return exitOK
}

// writeScores writes id,p_<task>... one row per session.
func writeScores(w io.Writer, d *datasets.Dataset, tasks []string, probs [][]float64) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("id")
	for _, t := range tasks {
		bw.WriteString(",p_" + t)
	}
	bw.WriteByte('\n')
	for i := range d.Sessions {
		id := d.Sessions[i].ID
		if strings.ContainsAny(id, ",\"\r\n") {
			id = `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
		}
		bw.WriteString(id)
		for k := range tasks {
			bw.WriteByte(',')
			bw.WriteString(strconv.FormatFloat(probs[k][i], 'g', -1, 64))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
