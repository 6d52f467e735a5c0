package search

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Environment of the child process of TestStudyKill: the study file it runs, and the trial in
// whose epoch 2 it stops to wait (for its kill) if any.
const (
	killStudyEnv = "INTENTLAB_STUDY_KILL_HELPER"
	killPauseEnv = "INTENTLAB_STUDY_KILL_PAUSE"
)

// TestStudyKillHelper is not a test: run by TestStudyKill in a child process, it resumes the
// interrupted trials of the study, then runs new ones, each of three epochs scoring
// number+epoch/10, until it is killed. It prints "finished N" after Finish of trial N returns,
// and "paused" once it has reported epoch 2 of the trial named by killPauseEnv, then waits.
func TestStudyKillHelper(t *testing.T) {
	path := os.Getenv(killStudyEnv)
	if path == "" {
		t.Skip("the child process of TestStudyKill")
	}
	pause := -1
	fmt.Sscan(os.Getenv(killPauseEnv), &pause)
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(2)
	}
	s, err := OpenStudy(path, testInfo())
	if err != nil {
		fail(err)
	}
	todo, err := s.Interrupted()
	if err != nil {
		fail(err)
	}
	for range 10000 { // bounded in case the parent never kills it
		var tr Trial
		if len(todo) > 0 {
			tr, todo = todo[0], todo[1:]
		} else if tr, err = s.Begin(Values{"lr": 0.01}, 1); err != nil {
			fail(err)
		}
		for e := 1; e <= 3; e++ { // a resumed trial re-reports from epoch 1
			if err := s.Report(tr.Number, e, float64(tr.Number)+float64(e)/10); err != nil {
				fail(err)
			}
			if tr.Number == pause && e == 2 {
				fmt.Println("paused")
				io.ReadAll(os.Stdin) // until killed
			}
		}
		if err := s.Finish(tr.Number, Complete, float64(tr.Number)+0.3, ""); err != nil {
			fail(err)
		}
		fmt.Println("finished", tr.Number)
	}
	os.Exit(3)
}

// TestStudyKill runs a study in a child process and kills it with SIGKILL twice: first in the
// middle of trial 8 (paused after its epoch 2), then, after a resume, wherever the child is
// once it has printed 8 more finished trials. After each kill every trial the child said it had
// finished must be in the file, complete with its scores, numbers must run 0, 1, 2, … with no
// duplicate, and only the last trial may be left running, for Interrupted to return.
func TestStudyKill(t *testing.T) {
	if os.Getenv(killStudyEnv) != "" {
		t.Skip("in the child process")
	}
	path := filepath.Join(t.TempDir(), "study.db")
	finished := map[int]bool{}

	runChild(t, path, "8", finished, func(line string) bool { return line == "paused" })
	trials := checkKilled(t, path, finished)
	if len(finished) != 8 || len(trials) != 9 || !reflect.DeepEqual(trials[8].Intermediate, []float64{8.1, 8.2}) {
		t.Fatalf("after the first kill: %d finished, %d trials, trial 8 %+v; want 8, 9 and trial 8 running with [8.1 8.2]",
			len(finished), len(trials), trials[len(trials)-1])
	}

	// The resumed child re-runs trial 8 first; it is killed wherever it happens to be.
	runChild(t, path, "", finished, func(string) bool { return len(finished) == 16 })
	trials = checkKilled(t, path, finished)
	if !finished[8] || len(trials) < 16 {
		t.Errorf("after the second kill: %d trials, trial 8 finished %v; want 16 or more and true", len(trials), finished[8])
	}
}

// runChild runs TestStudyKillHelper on path, recording the trials it says it finished, and
// kills it once kill says so of a line it printed.
func runChild(t *testing.T, path, pause string, finished map[int]bool, kill func(line string) bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStudyKillHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), killStudyEnv+"="+path, killPauseEnv+"="+pause)
	stdin, _ := cmd.StdinPipe() // kept open: a paused child waits on it
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		var n int
		if _, err := fmt.Sscanf(lines.Text(), "finished %d", &n); err == nil {
			if finished[n] {
				t.Errorf("child finished trial %d twice", n)
			}
			finished[n] = true
			if len(finished) == 1 {
				checkWhileRunning(t, path)
			}
		} else if lines.Text() != "paused" {
			t.Errorf("child said %q", lines.Text())
		}
		if kill(lines.Text()) {
			cmd.Process.Kill() // SIGKILL: no deferred code, no Close
		}
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child ended with %v, want killed", err)
	}
}

// checkKilled reopens the study at path after its process was killed and checks it against
// the trials the process said it finished.
func checkKilled(t *testing.T, path string, finished map[int]bool) []Trial {
	t.Helper()
	s := mustOpen(t, path, testInfo()) // the kernel released the dead process's lock
	defer s.Close()
	trials, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	var running []int
	for i, tr := range trials {
		if tr.Number != i {
			t.Fatalf("trial %d has number %d, want numbers 0, 1, 2, … each once", i, tr.Number)
		}
		want := []float64{float64(i) + 0.1, float64(i) + 0.2, float64(i) + 0.3}
		switch {
		case tr.State == Running:
			running = append(running, i)
			if len(tr.Intermediate) > len(want) || !slices.Equal(tr.Intermediate, want[:len(tr.Intermediate)]) { // nil when killed before epoch 1
				t.Errorf("running trial %d has scores %v, want a prefix of %v", i, tr.Intermediate, want)
			}
		case tr.State != Complete || tr.Score != float64(i)+0.3 || !reflect.DeepEqual(tr.Intermediate, want):
			t.Errorf("trial %d reads %+v, want complete with %v", i, tr, want)
		}
	}
	for n := range finished {
		if n >= len(trials) || trials[n].State != Complete {
			t.Errorf("trial %d, finished before the kill, is not complete in the file", n)
		}
	}
	if len(running) > 1 || len(running) == 1 && running[0] != len(trials)-1 {
		t.Errorf("running trials %v of %d, want at most the last", running, len(trials))
	}
	interrupted, err := s.Interrupted()
	if err != nil || len(interrupted) != len(running) || len(running) == 1 && interrupted[0].Number != running[0] {
		t.Errorf("Interrupted = %+v, %v; want trials %v", interrupted, err, running)
	}
	return trials
}

// checkWhileRunning checks, while the child runs the study at path, that it cannot be opened
// to run it a second time, and that it can be read.
func checkWhileRunning(t *testing.T, path string) {
	t.Helper()
	if s, err := OpenStudy(path, testInfo()); err == nil || !strings.Contains(err.Error(), "being run by another process") {
		if err == nil {
			s.Close()
		}
		t.Errorf("OpenStudy while another process runs it: %v, want refused", err)
	}
	ro, _, err := OpenStudyReadOnly(path)
	if err != nil {
		t.Errorf("OpenStudyReadOnly while another process runs it: %v", err)
		return
	}
	defer ro.Close()
	if trials, err := ro.Trials(); err != nil || len(trials) == 0 || trials[0].State != Complete {
		t.Errorf("reading a running study: %v, %v; want trial 0 complete", trials, err)
	}
}
