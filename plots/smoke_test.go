package plots

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var smokeDir = flag.String("smoke-dir", "", "write the images of TestLargeAndEdgeInputsRender to this directory")

// Paths the goldens do not take: a 20 × 20 attention map (no cell text, upright key labels),
// more complete trials than palette colours, a single-category parameter and a constant log
// parameter. Each must render without error; pass -smoke-dir to look at the images.
func TestLargeAndEdgeInputsRender(t *testing.T) {
	n := 20
	w := make([][]float64, n)
	labels := make([]string, n)
	for q := range w {
		w[q] = make([]float64, n)
		labels[q] = fmt.Sprintf("%d:add_to_cart", q)
		for k := 0; k <= q; k++ { // causal: uniform over the first q+1 keys
			w[q][k] = 1 / float64(q+1)
		}
	}
	att, err := Attention("20 events", w, labels, labels)
	if err != nil {
		t.Fatal(err)
	}
	var trials []Trial
	for i := range 14 {
		trials = append(trials, Trial{Number: i, State: StateComplete, Score: 0.8 + 0.005*float64(i),
			Intermediate: decay(6, 0.8+0.005*float64(i), -0.2, 0.5, 0)})
	}
	inter, err := Intermediate(trials, "AUC")
	if err != nil {
		t.Fatal(err)
	}
	params, err := ParamScores([]ParamPanel{
		{Name: "optimizer", Values: []any{"adam", "adam"}, Scores: []float64{0.8, 0.81}},
		{Name: "lr", Log: true, Values: []any{1e-3, 1e-3}, Scores: []float64{0.8, 0.81}},
	}, "AUC")
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*Figure{"attention20": att, "intermediate14": inter, "params_edge": params} {
		var buf bytes.Buffer
		if err := f.Encode(&buf, "png"); err != nil || buf.Len() == 0 {
			t.Fatalf("%s: %v", name, err)
		}
		if *smokeDir != "" {
			if err := os.WriteFile(filepath.Join(*smokeDir, name+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(inter.legend) != 1 {
		t.Errorf("legend of 14 complete trials has %d entries, want one \"complete\" entry", len(inter.legend))
	}
}
