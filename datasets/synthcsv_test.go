package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func synthReadCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestWriteSyntheticCSV: the files hold exactly the sessions Synthetic returns (floats read
// back bit for bit), the same seed gives byte-identical files whatever GOMAXPROCS is, and
// another seed gives other files.
func TestWriteSyntheticCSV(t *testing.T) {
	cfg := SyntheticConfig{Sessions: 1300, Window: 7, Seed: 9} // 1300 spans three chunks
	dirA, dirB, dirC := t.TempDir(), t.TempDir(), t.TempDir()
	if err := WriteSyntheticCSV(dirA, cfg); err != nil {
		t.Fatal(err)
	}
	old := runtime.GOMAXPROCS(1)
	err := WriteSyntheticCSV(dirB, cfg)
	runtime.GOMAXPROCS(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sessions.csv", "events.csv"} {
		a, _ := os.ReadFile(filepath.Join(dirA, name))
		b, _ := os.ReadFile(filepath.Join(dirB, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("%s: same seed gave different files (%d and %d bytes)", name, len(a), len(b))
		}
	}
	other := cfg
	other.Seed = 10
	if err := WriteSyntheticCSV(dirC, other); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dirA, "events.csv"))
	c, _ := os.ReadFile(filepath.Join(dirC, "events.csv"))
	if bytes.Equal(a, c) {
		t.Fatal("seeds 9 and 10 gave the same events.csv")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dirA, "*.tmp*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}

	d, err := Synthetic(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sessions := synthReadCSV(t, filepath.Join(dirA, "sessions.csv"))
	events := synthReadCSV(t, filepath.Join(dirA, "events.csv"))
	if got := len(sessions) - 1; got != len(d.Sessions) {
		t.Fatalf("sessions.csv has %d rows, want %d", got, len(d.Sessions))
	}
	num := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	e := 1
	for i, s := range d.Sessions {
		row := sessions[i+1]
		want := []float64{float64(s.Start), s.Numeric[0], s.Numeric[2], s.Numeric[1], s.Labels[0], s.Labels[1], s.Oracle[0], s.Oracle[1]}
		got := []float64{num(row[1]), num(row[6]), num(row[7]), num(row[8]), num(row[9]), num(row[10]), num(row[11]), num(row[12])}
		if row[0] != s.ID || row[2] != synthVisitors[s.Categorical[0]-1] || row[5] != strconv.Itoa(s.Categorical[3]) {
			t.Fatalf("sessions.csv row %d: %v", i+1, row)
		}
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("sessions.csv row %d column %d: %v, want %v", i+1, k, got[k], want[k])
			}
		}
		for p, ev := range s.Events {
			row := events[e]
			e++
			if row[0] != s.ID || row[1] != strconv.Itoa(p) || row[3] != synthEventTypes[ev.Type-2] ||
				num(row[2]) != float64(ev.Time) || num(row[4]) != float64(ev.Item) || num(row[5]) != float64(ev.Category) ||
				num(row[6]) != ev.Dwell || num(row[7]) != ev.Price {
				t.Fatalf("events.csv row %d: %v, want session %s event %d %+v", e-1, row, s.ID, p, ev)
			}
		}
	}
	if e != len(events) {
		t.Fatalf("events.csv has %d rows, sessions have %d events", len(events)-1, e-1)
	}
}

func TestWriteSyntheticCSVErrors(t *testing.T) {
	if err := WriteSyntheticCSV(t.TempDir(), SyntheticConfig{Window: -1}); err == nil {
		t.Error("bad config accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if err := WriteSyntheticCSV(filepath.Join(file, "sub"), SyntheticConfig{Sessions: 10}); err == nil {
		t.Error("writing under a regular file succeeded")
	}
}

// BenchmarkWriteSyntheticCSV measures the CSV writer end to end at the default configuration
// (all CPUs): go test -run '^$' -bench WriteSyntheticCSV ./datasets
func BenchmarkWriteSyntheticCSV(b *testing.B) {
	dir := b.TempDir()
	const n = 20000
	for b.Loop() {
		if err := WriteSyntheticCSV(dir, SyntheticConfig{Sessions: n}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sessions/s")
}

type synthFailWriter struct{ after int }

func (w *synthFailWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestSyntheticCSVWriteError: a failing writer stops the workers and returns the error,
// without deadlock, while most of the sessions are still to be generated.
func TestSyntheticCSVWriteError(t *testing.T) {
	g, err := NewSyntheticStream(SyntheticConfig{Sessions: 200 * synthChunk})
	if err != nil {
		t.Fatal(err)
	}
	sw := bufio.NewWriterSize(&synthFailWriter{after: 100000}, 4096)
	ew := bufio.NewWriterSize(&synthFailWriter{after: 1 << 40}, 4096)
	err = g.writeChunks(sw, ew)
	if err == nil || !strings.Contains(err.Error(), "sessions.csv: disk full") {
		t.Fatalf("error %v, want sessions.csv: disk full", err)
	}
}
