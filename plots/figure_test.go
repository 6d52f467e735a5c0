package plots

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/intentlab/intentlab/train/metrics"
)

func TestSaveSVG(t *testing.T) {
	f, err := Confusion("lstm", metrics.Confusion{TP: 120, FN: 30, FP: 85, TN: 765}, 0.42)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "confusion.SVG") // the extension is matched in any case
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var texts []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			texts = append(texts, string(cd))
		}
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"lstm (threshold 0.42)", "TP 120", "Predicted class"} {
		if !strings.Contains(all, want) {
			t.Errorf("SVG text %q lacks %q", all, want)
		}
	}
}

func TestSaveRejectsUnknownExtension(t *testing.T) {
	f, err := ROC(fixROC())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "roc.jpeg")
	err = f.Save(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Save(%q) = %v, want an error naming the path", path, err)
	}
	if _, statErr := os.Stat(path); !os.IsNotExist(statErr) {
		t.Errorf("Save wrote %s despite the error", path)
	}
}

func TestEncodeEmptyFigure(t *testing.T) {
	if err := new(Figure).Encode(io.Discard, "png"); err == nil {
		t.Fatal("encoding a zero Figure succeeded, want an error")
	}
}

// Same data, same bytes: nothing in a figure depends on time, maps or randomness.
func TestDeterministic(t *testing.T) {
	var out [2][]byte
	for i := range out {
		f, err := ParamScores(fixParams(), "AUC")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Encode(&buf, "png"); err != nil {
			t.Fatal(err)
		}
		out[i] = buf.Bytes()
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("two renderings of the same figure differ")
	}
}

// Image sizes follow from the documented defaults: one panel is 6 in wide, a grid 3.3 in per
// column; at 150 dpi that is 900 and 3 × 3.3 × 150 = 1485 pixels.
func TestSizes(t *testing.T) {
	single, err := ROC(fixROC())
	if err != nil {
		t.Fatal(err)
	}
	grid, err := Loss(fixLoss())
	if err != nil {
		t.Fatal(err)
	}
	custom, err := ROC(fixROC())
	if err != nil {
		t.Fatal(err)
	}
	custom.Width, custom.Height, custom.DPI = 4*vg.Inch, 3*vg.Inch, 100
	for _, c := range []struct {
		name string
		f    *Figure
		w, h int // h = 0: only the width is fixed (the header adds height)
	}{{"single", single, 900, 0}, {"grid", grid, 1485, 0}, {"custom", custom, 400, 300}} {
		var buf bytes.Buffer
		if err := c.f.Encode(&buf, "png"); err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != c.w || (c.h != 0 && cfg.Height != c.h) {
			t.Errorf("%s: %d × %d pixels, want %d wide (and %d high unless 0)", c.name, cfg.Width, cfg.Height, c.w, c.h)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi  float64
		integer bool
		want    []string
	}{
		{0.7, 0.88, false, []string{"0.70", "0.75", "0.80", "0.85"}}, // span/6 = 0.03 → step 0.05
		{1, 12, true, []string{"2", "4", "6", "8", "10", "12"}},      // 11/6 = 1.8 → step 2
		{1, 3, true, []string{"1", "2", "3"}},                        // step 0.5 raised to 1
		{-0.02, 0.5, false, []string{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5"}},
	} {
		var got []string
		for _, tk := range (niceTicks{integer: c.integer}).Ticks(c.lo, c.hi) {
			got = append(got, tk.Label)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("ticks on [%g, %g]: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var got []string
		for _, tk := range (logTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		return got
	}
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{2e-4, 1.5e-2, []string{"0.001", "0.01"}}, // two powers of ten inside
		{0.15, 0.9, []string{"0.2", "0.5"}},       // none inside: 1, 2, 5 ×
		{0.3, 0.45, []string{"0.3", "0.4"}},       // still fewer than two: every multiple
		{1, 100, []string{"1", "10", "100"}},      // the ends count
	} {
		if got := labels(c.lo, c.hi); !slices.Equal(got, c.want) {
			t.Errorf("log ticks on [%g, %g]: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

// Categories are ordered numerically when they are all numbers, otherwise alphabetically, and
// each value sits within 0.2 of its category's position.
func TestCategoricalPositions(t *testing.T) {
	pp := ParamPanel{Name: "layers", Values: []any{"10", "2", "1", "2"}, Scores: []float64{1, 2, 3, 4}}
	x, p, err := paramAxis("test", pp)
	if err != nil {
		t.Fatal(err)
	}
	ticks := p.X.Tick.Marker.Ticks(0, 0)
	var names []string
	for _, tk := range ticks {
		names = append(names, tk.Label)
	}
	if want := []string{"1", "2", "10"}; !slices.Equal(names, want) {
		t.Fatalf("categories %q, want %q", names, want)
	}
	for k, want := range []float64{2, 1, 0, 1} {
		if math.Abs(x[k]-want) > 0.2 {
			t.Errorf("value %d at x = %g, want within 0.2 of %g", k, x[k], want)
		}
	}
	mixed := []string{"b", "10", "a", "9"}
	slices.SortFunc(mixed, compareLabels)
	if want := []string{"9", "10", "a", "b"}; !slices.Equal(mixed, want) {
		t.Errorf("mixed labels sorted to %q, want %q", mixed, want)
	}
}

// The fixture's brute-force ROC agrees with train/metrics, so the golden ROC shows true AUCs.
func TestFixtureAUCMatchesMetrics(t *testing.T) {
	for _, m := range fixModels {
		_, _, brute := bruteROC(fixScores[m], fixLabels)
		want, err := metrics.ROCAUC(fixScores[m], fixLabels)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(brute-want) > 1e-12 {
			t.Errorf("%s: brute-force AUC %v, metrics.ROCAUC %v", m, brute, want)
		}
	}
}

// The search history's best-so-far line steps up exactly at the complete trials that improve:
// in fixTrials those are 0 (0.842), 2 (0.861), 6 (0.874) and 10 (0.879), extended to trial 11.
func TestSearchHistoryBestSoFar(t *testing.T) {
	f, err := SearchHistory(fixTrials(), "AUC")
	if err != nil {
		t.Fatal(err)
	}
	if got := legendLabels(f); !slices.Equal(got, []string{"complete", "pruned (last value)", "best so far"}) {
		t.Errorf("legend %q", got)
	}
	want := plotter.XYs{{X: 0, Y: 0.842}, {X: 2, Y: 0.861}, {X: 6, Y: 0.874}, {X: 10, Y: 0.879}, {X: 11, Y: 0.879}}
	if got := bestSoFar(fixTrials()); !slices.Equal(got, want) {
		t.Errorf("best so far %v, want %v", got, want)
	}
}

func legendLabels(f *Figure) []string {
	var ls []string
	for _, e := range f.legend {
		ls = append(ls, e.label)
	}
	return ls
}
