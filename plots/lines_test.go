package plots

import (
	"math"
	"strings"
	"testing"
)

// fixLines is two probabilities after each event of a session, as a notebook draws them.
func fixLines() []Series {
	return []Series{
		{Label: "buyer", X: []float64{1, 2, 3, 4, 5}, Y: []float64{0.10, 0.18, 0.35, 0.62, 0.81}},
		{Label: "non-buyer", X: []float64{1, 2, 3, 4}, Y: []float64{0.12, 0.09, 0.05, 0.02}},
	}
}

func TestGoldenLines(t *testing.T) {
	f, err := Lines(LinesConfig{Title: "P(purchase) after each event", X: "event", Y: "P(purchase)", YMin: 0, YMax: 1}, fixLines())
	checkGolden(t, "lines", f, err)
}

func TestLinesErrors(t *testing.T) {
	cases := []struct {
		name   string
		cfg    LinesConfig
		series []Series
		want   string
	}{
		{"none", LinesConfig{}, nil, "no series"},
		{"no label", LinesConfig{}, []Series{{X: []float64{1}, Y: []float64{1}}}, "empty label"},
		{"ragged", LinesConfig{}, []Series{{Label: "a", X: []float64{1, 2}, Y: []float64{1}}}, "want equal lengths"},
		{"NaN", LinesConfig{}, []Series{{Label: "a", X: []float64{1, 2}, Y: []float64{0.5, math.NaN()}}}, "Y[1] is NaN"},
		{"outside the axis", LinesConfig{YMin: 0, YMax: 1}, []Series{{Label: "a", X: []float64{1}, Y: []float64{1.5}}}, "outside the fixed axis"},
	}
	for _, c := range cases {
		_, err := Lines(c.cfg, c.series)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
