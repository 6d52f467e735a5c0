package plots

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// fixSweep is a validation ROC-AUC against the learning rate for two optimizers, as the optimizers
// notebook draws it.
func fixSweep() []Series {
	lrs := []float64{0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1}
	return []Series{
		{Label: "SGD", X: lrs, Y: []float64{0.55, 0.61, 0.70, 0.78, 0.83, 0.85, 0.84}},
		{Label: "Adam", X: lrs[:6], Y: []float64{0.84, 0.86, 0.86, 0.82, 0.70, 0.52}},
	}
}

// The x axis is logarithmic: the scale maps each decade to the same width, and the decades in range
// are labelled ticks.
func TestLinesLogX(t *testing.T) {
	f, err := LinesLogX(LinesConfig{Title: "validation ROC-AUC by learning rate", X: "learning rate", Y: "ROC-AUC"}, fixSweep())
	if err != nil {
		t.Fatal(err)
	}
	p := f.panels[0][0]
	if _, ok := p.X.Scale.(plot.LogScale); !ok {
		t.Fatalf("x scale %T, want plot.LogScale", p.X.Scale)
	}
	// A linear axis would put 0.01 at 0.009 of the way from 0.001 to 1; a log axis at 1/3.
	if got := p.X.Scale.Normalize(0.001, 1, 0.01); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("0.01 normalised on [0.001, 1] = %v, want 1/3", got)
	}
	labels := []string{}
	for _, tk := range p.X.Tick.Marker.Ticks(0.001, 1) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "0.001 0.01 0.1 1"; got != want {
		t.Errorf("labelled x ticks %q, want %q", got, want)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil || buf.Len() == 0 {
		t.Errorf("encoding: %d bytes, %v", buf.Len(), err)
	}
}

func TestLinesLogXErrors(t *testing.T) {
	cases := []struct {
		name   string
		series []Series
		want   string
	}{
		{"zero", []Series{{Label: "a", X: []float64{0, 1}, Y: []float64{1, 2}}}, "want every x > 0"},
		{"negative", []Series{{Label: "a", X: []float64{-1}, Y: []float64{1}}}, "want every x > 0"},
		{"NaN", []Series{{Label: "a", X: []float64{math.NaN()}, Y: []float64{1}}}, "want every x > 0"},
		{"none", nil, "no series"},
		{"ragged", []Series{{Label: "a", X: []float64{1, 2}, Y: []float64{1}}}, "want equal lengths"},
	}
	for _, c := range cases {
		_, err := LinesLogX(LinesConfig{Title: "t"}, c.series)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
