package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/train/perf"
)

// TestMain serves perf.ChildFlag, so that the test binary measures the jobs Compare starts it with,
// as the command does.
func TestMain(m *testing.M) {
	if slices.Contains(os.Args[1:], perf.ChildFlag) {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--steps", "x"},
		{"--models", "cnn"},
		{"--batch", "-1"},
		{"stray"},
	} {
		var out, errs strings.Builder
		if code := run(context.Background(), args, &out, &errs); code != 2 {
			t.Errorf("%v: exit code %d, want 2 (stderr %q)", args, code, errs.String())
		}
		if errs.Len() == 0 {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
}

// TestNoTorch measures one tiny training job through a child process, without PyTorch.
func TestNoTorch(t *testing.T) {
	var out, errs strings.Builder
	args := []string{"--models", "transformer", "--batch", "4", "--length", "3", "--warmup", "0", "--steps", "2", "--threads", "1", "--no-torch"}
	if code := run(context.Background(), args, &out, &errs); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s\nstdout:\n%s", code, errs.String(), out.String())
	}
	for _, s := range []string{"Training step (batch 4, 3 events, float32, 1 thread)", "PyTorch not run (--no-torch)", "| transformer |"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("no %q in\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "error") {
		t.Errorf("a measurement failed:\n%s", out.String())
	}
}
