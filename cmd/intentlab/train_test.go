package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

// tinyTrainArgs train a small MLP on 600 synthetic sessions in well under a second.
func tinyTrainArgs(out string) []string {
	return []string{"train", "--model", "mlp", "--model-config", `{"hidden":[8]}`, "--data", "synth:600",
		"--epochs", "2", "--batch", "64", "--lr", "0.01", "--out", out}
}

// TestTrainUsageErrors: each bad train flag is one line on stderr and exit 2 before anything runs; a
// missing data file is one line and exit 1.
func TestTrainUsageErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", "nosuch"}, 2, `unknown model "nosuch" (known: logreg, mlp`},
		{[]string{"--epochs", "-1"}, 2, "--epochs -1: want ≥ 0"},
		{[]string{"--lr", "abc"}, 2, `invalid argument "abc" for "--lr" flag`},
		{[]string{"--lr", "0"}, 2, "--lr 0: want a positive learning rate"},
		{[]string{"--split", "0.5,0.5"}, 2, "want three fractions"},
		{[]string{"--optimizer", "rmsprop"}, 2, `unknown name "rmsprop"`},
		{[]string{"--model", "mlp", "--model-config", `{"nope": 1}`}, 2, `unknown field "nope"`},
		{[]string{"--task-weight", "cart"}, 2, "want TASK=WEIGHT"},
		{[]string{"--gamma", "0.5"}, 2, "belong to --schedule step"},
		{[]string{"--data", "nosuch:x"}, 2, `unknown source "nosuch"`},
		{[]string{"--data", "uci:" + filepath.Join(t.TempDir(), "missing.csv")}, 1, "missing.csv: no such file or directory"},
	} {
		code, stdout, stderr := call(append([]string{"train", "--out", out}, tc.args...)...)
		if code != tc.code || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want %d and nothing", tc.args, code, stdout, tc.code)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed train left %s behind", out)
	}
}

// TestTrainEvalPredict runs the three commands as a user would: train writes a run directory, eval
// measures its test split with the numbers summary.json holds, predict scores new sessions.
func TestTrainEvalPredict(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	code, stdout, stderr := call(tinyTrainArgs(run)...)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"config.json", "preprocess.json", "metrics.csv", "predictions.csv", "summary.json", "checkpoint/final.ckpt", "checkpoint/last.ckpt"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Errorf("run directory lacks %s", f)
		}
	}
	if !strings.Contains(stdout, "purchase   test") || !strings.Contains(stdout, "purchase   oracle") {
		t.Errorf("train output lacks the test and oracle rows:\n%s", stdout)
	}
	var sum train.Result
	b, _ := os.ReadFile(filepath.Join(run, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}

	// A second train into the same directory is refused.
	if code, _, stderr := call(tinyTrainArgs(run)...); code != 2 || !strings.Contains(stderr, "exists: pass --resume") {
		t.Errorf("train into an existing run: exit %d, %q", code, stderr)
	}

	code, stdout, stderr = call("eval", "--run", run, "--json", "--bootstrap", "200")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	var ev train.Evaluation
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if got, want := ev.Tasks[0].Report, *sum.Tasks[0].Test; got != want {
		t.Errorf("eval of the test split: %+v\nsummary.json holds %+v", got, want)
	}
	if lo, hi, auc := ev.Tasks[0].ROCAUCLo, ev.Tasks[0].ROCAUCHi, ev.Tasks[0].Report.ROCAUC; !(lo < auc && auc < hi) {
		t.Errorf("bootstrap interval [%v, %v] does not contain the ROC-AUC %v", lo, hi, auc)
	}

	scores := filepath.Join(dir, "scores.csv")
	if code, _, stderr := call("predict", "--run", run, "--data", "synth:50", "--out", scores); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	f, err := os.Open(scores)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 51 || strings.Join(rows[0], ",") != "id,p_purchase" {
		t.Fatalf("predict wrote %d rows, header %v; want 51 and id,p_purchase", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[1] == "" || r[1] == "NaN" {
			t.Fatalf("row %v has no probability", r)
		}
	}
	if code, _, stderr := call("predict", "--run", filepath.Join(dir, "nosuch"), "--data", "synth:5"); code != 1 || !strings.Contains(stderr, "config.json") {
		t.Errorf("predict with a missing run: exit %d, %q", code, stderr)
	}
}

// TestModelsListing: 'intentlab models --json' lists every registered architecture, and each default
// config it prints is accepted back by --model-config.
func TestModelsListing(t *testing.T) {
	code, stdout, stderr := call("models", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var list []struct {
		Name   string          `json:"name"`
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range list {
		names = append(names, m.Name)
		if _, err := models.DecodeConfig(m.Name, m.Config); err != nil {
			t.Errorf("%s: printed defaults do not decode: %v", m.Name, err)
		}
	}
	if strings.Join(names, ",") != strings.Join(models.Names(), ",") {
		t.Errorf("listed %v, registry has %v", names, models.Names())
	}
}
