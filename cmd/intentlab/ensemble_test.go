package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/train"
)

// TestEnsembleUsageErrors: each bad ensemble flag is one line on stderr and exit 2 before anything
// is read or written.
func TestEnsembleUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ens")
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", out}, "--runs is required"},
		{[]string{"--runs", a + "," + b}, "--out is required"},
		{[]string{"--runs", a, "--out", out}, "--runs: 1 run directories, want at least two"},
		{[]string{"--runs", a + "," + b, "--mode", "vote", "--out", out}, `--mode: ensemble: mode "vote", want average or stack`},
		{[]string{"--runs", a + "," + b, "--out", dir}, "holds the run " + a},
		{[]string{"--runs", a + "," + b, "--out", out, "--nope"}, "unknown flag: --nope"},
	} {
		code, stdout, stderr := call(append([]string{"ensemble"}, tc.args...)...)
		if code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", tc.args, code, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused ensemble left %s behind", out)
	}
}

// TestEnsembleCommand trains two small runs and ensembles them as a user would: the JSON is what
// summary.json holds, the table prints its numbers, an existing --out needs --overwrite, and a
// directory that is not a run is a one-line failure.
func TestEnsembleCommand(t *testing.T) {
	dir := t.TempDir()
	var runs []string
	for _, seed := range []string{"1", "2"} {
		run := filepath.Join(dir, "run"+seed)
		if code, _, stderr := call(append(tinyTrainArgs(run), "--seed", seed)...); code != 0 {
			t.Fatalf("train: exit %d: %s", code, stderr)
		}
		runs = append(runs, run)
	}
	out := filepath.Join(dir, "ens")
	args := []string{"ensemble", "--runs", strings.Join(runs, ","), "--mode", "stack", "--out", out}
	code, stdout, stderr := call(append(args, "--json")...)
	if code != 0 {
		t.Fatalf("ensemble: exit %d: %s", code, stderr)
	}
	var res train.EnsembleResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	var sum train.EnsembleResult
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if res.Test != sum.Test || res.Mode != "stack" || len(res.Members) != 2 || len(res.DeLong) != 2 || res.OracleTest == nil {
		t.Errorf("--json printed %+v\nsummary.json holds %+v", res, sum)
	}
	if _, err := os.Stat(filepath.Join(out, "predictions.csv")); err != nil {
		t.Errorf("no predictions.csv: %v", err)
	}

	if code, _, stderr := call(args...); code != 2 || !strings.Contains(stderr, "exists: pass --overwrite") {
		t.Errorf("ensemble into an existing directory: exit %d, %q", code, stderr)
	}
	code, stdout, stderr = call(append(args, "--overwrite")...)
	if code != 0 {
		t.Fatalf("ensemble --overwrite: exit %d: %s", code, stderr)
	}
	// The table prints the numbers of summary.json (the same computation again: stacking is deterministic).
	r := res.Test
	for _, want := range []string{
		runs[0] + " (mlp)", runs[1] + " (mlp)",
		fmt.Sprintf("%8.4f %8.4f %8.4f %8.4f", r.ROCAUC, r.PRAUC, r.LogLoss, r.F1),
		fmt.Sprintf("%.3g", res.DeLong[0].P), fmt.Sprintf("%.4f", res.OracleTest.ROCAUC),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, stderr = call("ensemble", "--runs", runs[0]+","+dir, "--out", filepath.Join(dir, "ens2"))
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, filepath.Join(dir, "predictions.csv")) {
		t.Errorf("a directory without predictions.csv: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
