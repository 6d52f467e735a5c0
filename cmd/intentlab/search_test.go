package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSearchBadInput: a space file naming a parameter the model lacks, an empty range, a log range
// that touches 0, and a study file that is not a study are each one line on stderr before anything
// trains.
func TestSearchBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	notStudy := write("notes.db", "these are my notes\n")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", "lstm", "--space", write("a.json", `{"model.hiden": {"choice": [[64]]}}`)}, 2, `the lstm config has no field "hiden"`},
		{[]string{"--space", write("b.json", `{"model.dropout": {"uniform": [0.5, 0.5]}}`)}, 2, "empty range [0.5, 0.5]"},
		{[]string{"--space", write("c.yaml", "train.lr:\n  log_uniform: [0, 0.1]\n")}, 2, "log range [0, 0.1] touches or crosses 0"},
		{[]string{"--space", write("d.json", `{"train.epochs": {"int": [1, 9]}}`)}, 2, `"train.epochs"`},
		{[]string{"--sampler", "bayes"}, 2, `unknown sampler "bayes"`},
		{[]string{"--pruner", "asha", "--epochs", "1"}, 2, "--pruner:"},
		{[]string{"--seed", "3"}, 2, "--seed does not apply to a search"},
		{[]string{"--model", "mlp", "--data", "synth:300", "--trials", "1", "--epochs", "1", "--study", notStudy}, 1, "is not an intentlab study file"},
	} {
		args := append([]string{"search", "--study", filepath.Join(dir, "s.db")}, tc.args...)
		code, stdout, stderr := call(args...)
		if code != tc.code || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want %d and nothing", tc.args, code, stdout, tc.code)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
	if b, _ := os.ReadFile(notStudy); string(b) != "these are my notes\n" {
		t.Errorf("the refused study file was changed: %q", b)
	}
}

// TestSearchAndShow runs a two-trial search as a user would, then lists it.
func TestSearchAndShow(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "mlp.db")
	space := filepath.Join(dir, "space.json")
	if err := os.WriteFile(space, []byte(`{"train.lr": {"log_uniform": [0.001, 0.03]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := call("search", "--model", "mlp", "--model-config", `{"hidden":[8]}`, "--data", "synth:600",
		"--epochs", "2", "--batch", "64", "--trials", "2", "--sampler", "random", "--space", space, "--study", study)
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"2 trials (2 complete", "train.lr", "best: trial", "its test split: ROC-AUC"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("search output lacks %q:\n%s", want, stdout)
		}
	}
	code, shown, stderr := call("search", "show", "--study", study)
	if code != 0 || !strings.Contains(shown, "model mlp, sampler random, pruner none") || !strings.Contains(shown, "best: trial") {
		t.Errorf("search show: exit %d (%s):\n%s", code, stderr, shown)
	}
	for _, f := range []string{"history.png", "params.png", "intermediate.png", "trial-0000/summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, "mlp", f)); err != nil {
			t.Errorf("the study directory lacks %s", f)
		}
	}
}
