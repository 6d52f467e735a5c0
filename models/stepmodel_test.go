package models

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// TestStepInputs reads the step inputs x (B, T, D) of an LSTM with StaticEachStep off the graph: at a
// padded step the event part is exactly 0 and the static part is the row's static vector, the same
// as at its first step (what StepModel's doc says). ForwardSteps without x is an error.
func TestStepInputs(t *testing.T) {
	d := tinyData(t, 40, 6)
	cfg := tinyLSTM()
	cfg.StaticEachStep = true
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(3, 4)))
	m, err := NewLSTM(store, &d.Schema, *cfg)
	if err != nil {
		t.Fatal(err)
	}
	const batch, maxLen = 8, 6
	b := graph.NewBuilder(store, graph.BuilderConfig{})
	in, err := NewInputs(b, &d.Schema, m.Needs(), batch, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	x, err := m.StepInputs(b, in)
	if err != nil {
		t.Fatal(err)
	}
	E, S := m.enc.events.Dim, m.enc.static.Dim
	if D := x.Shape()[2]; D != E+S {
		t.Fatalf("step inputs %v, want D = %d + %d", x.Shape(), E, S)
	}
	p, bat := runFirstBatch(t, b, in, d, x)
	xs := p.Output(0)
	padded := 0
	for r := range bat.Rows {
		first := xs[r*maxLen*(E+S) : (r*maxLen+1)*(E+S)]
		for step := bat.Lengths[r]; step < maxLen; step++ {
			v := xs[(r*maxLen+step)*(E+S) : (r*maxLen+step+1)*(E+S)]
			for k := range E {
				if v[k] != 0 {
					t.Fatalf("row %d, padded step %d: event feature %d = %v, want 0", r, step, k, v[k])
				}
			}
			for k := E; k < E+S; k++ {
				if v[k] != first[k] {
					t.Fatalf("row %d, padded step %d: static feature %d = %v, at step 0 %v", r, step, k-E, v[k], first[k])
				}
			}
			padded++
		}
	}
	if padded == 0 {
		t.Fatal("no padded step in the first batch: nothing checked")
	}
	if _, err := m.ForwardSteps(b, in, nil); err == nil || !strings.Contains(err.Error(), "step inputs") {
		t.Errorf("ForwardSteps without x: error %v", err)
	}
}
