package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchUsageErrors: a bad --models, --seeds, --overrides or an existing output directory is one
// line on stderr and exit 2, before any training.
func TestBenchUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "bench")
	exists := filepath.Join(dir, "exists")
	if err := os.Mkdir(exists, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--models", "lstm,nosuch", "--out", out}, `--models: unknown model "nosuch" (known: logreg, mlp`},
		{[]string{"--seeds", "1,x", "--out", out}, `--seeds "1,x": "x" is not a seed or a range`},
		{[]string{"--seeds", "5-2", "--out", out}, `"5-2" is not a seed or a range`},
		{[]string{"--seeds", "", "--out", out}, `--seeds "": "" is not a seed`},
		{[]string{"--overrides", `{"lstm":{"lr":"fast"}}`, "--out", out}, "--overrides: json: cannot unmarshal"},
		{[]string{"--overrides", `{"nosuch":{}}`, "--out", out}, `--overrides: unknown model "nosuch"`},
		{[]string{"--jobs", "0", "--out", out}, "--jobs 0: want ≥ 1"},
		{[]string{"--out", exists}, "exists: pass --resume to continue it, --overwrite to replace it"},
	} {
		code, stdout, stderr := call(append([]string{"bench"}, tc.args...)...)
		if code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", tc.args, code, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused bench left %s behind", out)
	}
}

// TestBenchAndPlot runs a small bench as a user would, then redraws one of its figures from the runs.
func TestBenchAndPlot(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "bench")
	args := []string{"bench", "--models", "logreg,gru", "--seeds", "1,2", "--data", "synth:600", "--epochs", "1",
		"--batch", "64", "--overrides", `{"gru":{"config":{"hiddens":[8]}}}`, "--out", out}
	code, stdout, stderr := call(args...)
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"oracle ROC-AUC", "logreg", "gru", "best"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("bench output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"report.md", "results.csv", "config.json", "environment.json", "figures/roc.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the report lacks %s", f)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(md), "intentlab bench --models logreg,gru") {
		t.Errorf("report.md does not record the command")
	}
	roc := filepath.Join(dir, "roc.svg")
	runs := filepath.Join(out, "runs", "gru", "seed1") + "," + filepath.Join(out, "runs", "logreg", "seed1")
	if code, _, stderr := call("plot", "roc", "--runs", runs, "--out", roc); code != 0 {
		t.Fatalf("plot roc: exit %d: %s", code, stderr)
	}
	svg, err := os.ReadFile(roc)
	if err != nil || !strings.Contains(string(svg), "<svg") {
		t.Errorf("plot roc wrote no SVG: %v", err)
	}
	if code, _, stderr := call("plot", "roc", "--runs", runs, "--out", filepath.Join(dir, "roc.pdf")); code != 2 || !strings.Contains(stderr, "want a .png or .svg file") {
		t.Errorf("plot to a .pdf: exit %d, %q", code, stderr)
	}
	// --json prints the results; the best model's p-value against itself is null, not NaN.
	code, js, stderr := call(append(args, "--resume", "--json")...)
	var got struct {
		Best   string `json:"best"`
		Models []struct {
			Model   string   `json:"model"`
			DeLongP *float64 `json:"delong_p"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(js), &got); code != 0 || err != nil || len(got.Models) != 2 {
		t.Fatalf("bench --json: exit %d (%s), %v:\n%s", code, stderr, err, js)
	}
	if got.Models[0].Model != got.Best || got.Models[0].DeLongP != nil || got.Models[1].DeLongP == nil {
		t.Errorf("bench --json: best %s, models %+v", got.Best, got.Models)
	}
	// Resuming a finished bench keeps every run and writes the same table.
	code, again, stderr := call(append(args, "--resume")...)
	if code != 0 || again != stdout {
		t.Errorf("resume of a finished bench: exit %d (%s), output\n%s\nwant\n%s", code, stderr, again, stdout)
	}
}
