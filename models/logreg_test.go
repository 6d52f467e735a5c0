package models

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
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
		if name == "logreg" || name == "mlp" {
			continue // static models: they run on tabular data
		}
		store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 1)))
		_, err := New(name, store, &d.Schema, nil)
		if err == nil || !strings.Contains(err.Error(), "has none (tabular only)") {
			t.Errorf("%s on tabular data: error %v, want one saying the dataset has no sequences", name, err)
		}
	}
}

// TestFusionWithoutEncoderOnTabularData: "encoder": "none" makes fusion the static branch with its
// heads, which runs on tabular data and passes the gradient check.
func TestFusionWithoutEncoderOnTabularData(t *testing.T) {
	cfg := &FusionConfig{Encoder: EncoderNone, Hidden: []int{4}, Head: HeadConfig{Hidden: 3}}
	checkGradsOffKinks(t, "fusion", cfg, tabularData(t, 40), 8, 0) // two ReLU layers in a row: see checkGradsOffKinks
	gate := &FusionConfig{Encoder: EncoderNone, Fuse: FuseGate}
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 1)))
	if _, err := New("fusion", store, &tabularData(t, 20).Schema, gate); err == nil || !strings.Contains(err.Error(), "needs a sequence encoder") {
		t.Errorf("gate without an encoder: error %v", err)
	}
}
