package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// call runs the command line in-process and returns the exit code, stdout and stderr.
func call(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: intentlab <command>", "data"}},
		{[]string{"data", "--help"}, []string{"Usage: intentlab data <command>", "synth", "inspect"}},
		{[]string{"data", "synth", "--help"}, []string{"--sessions int", "(default 20000)", "--out string", "(required)"}},
		{[]string{"data", "inspect", "-h"}, []string{"--data string", `(default "synth")`, "--gap duration", "(default 30m0s)"}},
	} {
		code, out, errs := call(tc.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

// TestHelpShowsDefaults: every flag line of every leaf command states its default (or that it is
// required).
func TestHelpShowsDefaults(t *testing.T) {
	for _, leaf := range [][]string{{"data", "synth"}, {"data", "inspect"}, {"train"}, {"eval"}, {"predict"}, {"models"}, {"ensemble"}} {
		_, out, _ := call(append(leaf, "--help")...)
		_, flagsPart, _ := strings.Cut(out, "Flags:\n")
		for _, line := range strings.Split(strings.TrimSpace(flagsPart), "\n") {
			if strings.Contains(line, "--help") {
				continue
			}
			if !strings.Contains(line, "(default ") && !strings.Contains(line, "(required)") {
				t.Errorf("%v: no default shown in %q", leaf, line)
			}
		}
	}
}

// TestUsageErrors: a bad command, flag or value is exit 2 with exactly one line on stderr and
// nothing on stdout.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, ""},
		{[]string{"frobnicate"}, `intentlab: unknown command "frobnicate" (want data, train, eval, predict, models, ensemble, bench, plot, search)`},
		{[]string{"data", "synth", "--sessions", "x", "--out", "d"}, `invalid argument "x" for "--sessions"`},
		{[]string{"data", "synth", "--nope"}, "unknown flag: --nope"},
		{[]string{"data", "synth"}, "--out is required"},
		{[]string{"data", "synth", "--out", "d", "--sessions", "-5"}, "Sessions = -5"},
		{[]string{"data", "synth", "--out", "d", "extra"}, `unexpected argument "extra"`},
		{[]string{"data", "inspect", "--data", "foo:bar"}, `unknown source "foo"`},
		{[]string{"data", "inspect", "--gap", "soon"}, `"--gap"`},
	} {
		code, out, errs := call(tc.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", tc.args, code, out)
		}
		if len(tc.args) == 0 {
			continue // bare intentlab prints the usage to stderr
		}
		if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, errs, tc.want)
		}
	}
}

func TestDataSynth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "synth")
	code, out, errs := call("data", "synth", "--sessions", "30", "--seed", "4", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != filepath.Join(dir, "sessions.csv")+"\n"+filepath.Join(dir, "events.csv")+"\n" {
		t.Errorf("stdout %q", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "sessions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 31 { // header + 30 sessions
		t.Errorf("sessions.csv has %d lines, want 31", n)
	}
}

func TestDataInspectJSON(t *testing.T) {
	code, out, errs := call("data", "inspect", "--data", "synth:40", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Stats struct {
			Name     string
			Sessions int
		}
		Load *struct{}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if res.Stats.Sessions != 40 || res.Stats.Name != "synthetic" || res.Load != nil {
		t.Errorf("result %+v", res)
	}
}

// TestDataInspectYooChoose reads the loader fixtures; the counts are those of
// datasets.TestYooChooseFixture.
func TestDataInspectYooChoose(t *testing.T) {
	spec := "yoochoose:../../datasets/testdata/yoochoose/clicks.dat,../../datasets/testdata/yoochoose/buys.dat"
	code, out, errs := call("data", "inspect", "--data", spec)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"rows read: 13", "sessions: 3 (buyers: 1)", "dropped sessions (buy before any event): 1"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if !strings.HasPrefix(errs, "loaded yoochoose:") {
		t.Errorf("progress on stderr: %q", errs)
	}
	code, out, errs = call("data", "inspect", "--data", "yoochoose:../../datasets/testdata/yoochoose/clicks_bad.dat,../../datasets/testdata/yoochoose/buys.dat")
	if code != 1 || out != "" || !strings.Contains(errs, `clicks_bad.dat:3: column 2 (timestamp): want ISO-8601 time, got "yesterday"`) {
		t.Errorf("bad file: exit %d stdout %q stderr %q", code, out, errs)
	}
	code, out, _ = call("data", "inspect", "--skip-bad", "--json", "--data", "yoochoose:../../datasets/testdata/yoochoose/clicks_bad.dat,../../datasets/testdata/yoochoose/buys.dat")
	if code != 0 || !strings.Contains(out, `"BadRows": 3`) {
		t.Errorf("--skip-bad: exit %d:\n%s", code, out)
	}
}

// TestDataInspectEvents passes the column flags through to the events loader; counts as in
// datasets.TestEventsSessions.
func TestDataInspectEvents(t *testing.T) {
	code, out, errs := call("data", "inspect", "--json", "--data", "events:../../datasets/testdata/events/sessions.csv",
		"--session-col", "session", "--time-col", "ts", "--type-col", "event", "--item-col", "item",
		"--category-col", "cat", "--price-col", "price")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Stats struct {
			Sessions, Buyers int
			TypeNames        []string
		}
		Load struct{ Rows, BuyRows int }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Stats.Sessions != 2 || res.Stats.Buyers != 1 || strings.Join(res.Stats.TypeNames, ",") != "cart,view" ||
		res.Load.Rows != 5 || res.Load.BuyRows != 1 {
		t.Errorf("result %+v", res)
	}
	// The default columns are RetailRocket's; this file has none of them.
	code, _, errs = call("data", "inspect", "--data", "events:../../datasets/testdata/events/sessions.csv")
	if code != 1 || !strings.Contains(errs, `no column "visitorid"`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
