package models

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestLogRegGradients(t *testing.T) {
	checkModelGrads(t, "logreg", nil, tinyData(t, 40, 6), 8, 6)
}

func TestLogRegGradientsTabular(t *testing.T) {
	checkModelGrads(t, "logreg", nil, tabularData(t, 40), 8, 0)
}

func TestLogRegLearnablesInStore(t *testing.T) {
	d := tinyData(t, 40, 6)
	bl := build(t, "logreg", nil, d, tensor.Float32, 8, 6, true)
	checkAllLearnablesInStore(t, bl.b)
}

// The synthetic purchase label depends on the static features and the event counts, so a logistic
// regression's training loss must fall well below its starting value.
func TestLogRegLossFalls(t *testing.T) {
	d := tinyData(t, 800, 10)
	first, last := lossFalls(t, "logreg", nil, d, 64, 10, 8, 0.05)
	if !(last < 0.8*first) {
		t.Errorf("training loss went from %.4f to %.4f; want a fall of at least 20%%", first, last)
	}
}

func TestSequenceModelOnTabularData(t *testing.T) {
	d := tabularData(t, 20)
	for _, name := range Names() {
		e, _ := Lookup(name)
		if !e.Needs.Sequence {
			continue
		}
		_, err := New(name, nil, &d.Schema, nil)
		if err == nil || !strings.Contains(err.Error(), "has none (tabular only)") {
			t.Errorf("%s on tabular data: error %v, want one saying the dataset has no sequences", name, err)
		}
	}
}
