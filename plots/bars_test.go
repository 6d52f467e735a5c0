package plots

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBars renders a ranking with whiskers and a negative bar (pass -smoke-dir to look at it), and
// the figure grows with the number of bars.
func TestBars(t *testing.T) {
	bars := []Bar{{"PageValues", 0.21, 0.01}, {"ExitRates", 0.012, 0.003}, {"Month", 0.004, 0}, {"Region", -0.001, 0.002}}
	f, err := Bars(BarsConfig{Title: "Permutation importance", X: "drop in ROC-AUC"}, bars)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil || buf.Len() == 0 {
		t.Fatalf("encode: %v", err)
	}
	if *smokeDir != "" {
		if err := os.WriteFile(filepath.Join(*smokeDir, "bars.png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var many []Bar
	for range 30 {
		many = append(many, Bar{Label: "feature", Value: 1})
	}
	big, err := Bars(BarsConfig{}, many)
	if err != nil {
		t.Fatal(err)
	}
	_, h4 := f.size()
	_, h30 := big.size()
	if !(h30 > h4) {
		t.Errorf("30 bars are %v high, 4 bars %v: want the figure to grow", h30, h4)
	}
}

func TestBarsErrors(t *testing.T) {
	for _, c := range []struct {
		bars []Bar
		want string
	}{
		{nil, "no bars"},
		{[]Bar{{"", 1, 0}}, "empty label"},
		{[]Bar{{"a", math.NaN(), 0}}, "finite"},
		{[]Bar{{"a", 1, -1}}, "Err ≥ 0"},
		{[]Bar{{"a", 1, math.Inf(1)}}, "finite"},
	} {
		if _, err := Bars(BarsConfig{Title: "t"}, c.bars); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one with %q", c.bars, err, c.want)
		}
	}
}
