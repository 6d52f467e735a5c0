package models

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// seqTinyEvents and seqTinyStatic keep the sequence models' gradient checks small: two features per
// embedding.
var (
	seqTinyEvents = EventConfig{TypeDim: 2, ItemDim: 2, CategoryDim: 2}
	seqTinyStatic = StaticConfig{EmbedDim: 2}
)

// tinyRecurrent is a two-layer recurrent config small enough for a float64 gradient check.
func tinyRecurrent() RecurrentConfig {
	return RecurrentConfig{
		RecurrentEncoderConfig: RecurrentEncoderConfig{Events: seqTinyEvents, Hiddens: []int{3, 2}},
		Static:                 seqTinyStatic,
		Head:                   HeadConfig{Hidden: 3},
	}
}

func tinyLSTM() *LSTMConfig { c := LSTMConfig(tinyRecurrent()); return &c }

func TestLSTMGradients(t *testing.T) {
	checkModelGrads(t, "lstm", tinyLSTM(), tinyData(t, 40, 6), 8, 6)
}

func TestLSTMLearnablesInStore(t *testing.T) {
	d := tinyData(t, 40, 6)
	cfg := tinyLSTM()
	cfg.Dropout = 0.5 // the training graph then holds dropout masks, which are inputs, not parameters
	bl := build(t, "lstm", cfg, d, tensor.Float32, 8, 6, true)
	checkAllLearnablesInStore(t, bl.b)
}

func TestLSTMSequenceOnly(t *testing.T) {
	d := tinyData(t, 40, 6)
	cfg := tinyLSTM()
	cfg.SequenceOnly = true
	bl := build(t, "lstm", cfg, d, tensor.Float64, 8, 6, false)
	if n := bl.model.Needs(); n != (Needs{Sequence: true}) {
		t.Errorf("Needs() = %+v with SequenceOnly, want sequences only", n)
	}
	if bl.in.Numeric != nil || bl.in.Categorical != nil {
		t.Errorf("the graph declares static inputs for a sequence-only model")
	}
	for _, p := range bl.model.Store().Params() {
		if strings.Contains(p.Name, "static") {
			t.Errorf("sequence-only model declares %q", p.Name)
		}
	}
}

func TestLSTMLossFalls(t *testing.T) {
	seqLossFalls(t, "lstm", &LSTMConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{16, 8}}, Head: HeadConfig{Hidden: 16}})
}

func TestLSTMPaddingExact(t *testing.T) {
	seqPaddingExact(t, "lstm", tinyLSTM())
}

func TestLSTMConfigJSON(t *testing.T) {
	seqConfigJSON(t, "lstm")
}

func TestLSTMBadConfig(t *testing.T) {
	seqBadConfigs(t, "lstm", map[string]any{
		"hiddens[1] = 1":   &LSTMConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{4, 1}}},
		"hiddens is empty": &LSTMConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{}}},
		"dropout 1":        &LSTMConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Dropout: 1}},
		"head":             &LSTMConfig{Head: HeadConfig{Hidden: -2}},
	})
}

// The helpers below serve the tests of every sequence model (lstm, gru, transformer, fusion).

// seqLossFalls trains the named model (a config without dropout) with Adam for 8 epochs over 800
// synthetic sessions of up to 10 events, and checks that the mean training loss of the last epoch
// lies below the loss of the best constant predictor, Σ_k H(ȳ_k) (the entropy of each predicted task's
// base rate): reaching it only takes learning the bias, so ending below it shows the model found
// signal in its inputs; a model whose inputs it could not use would stay at or above it.
func seqLossFalls(t *testing.T, name string, cfg any) {
	t.Helper()
	d := tinyData(t, 800, 10)
	first, last := lossFalls(t, name, cfg, d, 64, 10, 8, 0.01)
	bl := build(t, name, cfg, d, tensor.Float32, 64, 10, false)
	floor := 0.0
	for _, task := range bl.out.Tasks {
		floor += baseRateEntropy(d, task)
	}
	t.Logf("%s: constant-predictor loss %.4f", name, floor)
	if !(last < floor-0.05) {
		t.Errorf("%s: last training loss %.4f (first %.4f), want below the constant predictor's %.4f by 0.05", name, last, first, floor)
	}
	if !(last < first) {
		t.Errorf("%s: training loss rose from %.4f to %.4f", name, first, last)
	}
}

// baseRateEntropy is H(ȳ) = −ȳ log ȳ − (1 − ȳ) log(1 − ȳ), the log loss of predicting the task's mean
// label ȳ over d for every session.
func baseRateEntropy(d *datasets.Dataset, task string) float64 {
	k := d.Schema.TaskIndex(task)
	p := 0.0
	for _, s := range d.Sessions {
		p += s.Labels[k]
	}
	p /= float64(len(d.Sessions))
	return -p*math.Log(p) - (1-p)*math.Log(1-p)
}

// seqPaddingExact builds the named model twice in float64 on the same initial weights, for batches of
// 6 and of 9 event positions, and checks that the first 8 sessions of a window-6 dataset (so nothing is
// cut at 6) get bit-for-bit the same probabilities: 3 more padded steps change nothing.
func seqPaddingExact(t *testing.T, name string, cfg any) {
	t.Helper()
	d := tinyData(t, 40, 6)
	var probs [2][][]float64
	for i, maxLen := range []int{6, 9} {
		bl := build(t, name, cfg, d, tensor.Float64, 8, maxLen, false)
		bl.feedFirst(t, d)
		if err := bl.prog.Run(); err != nil {
			t.Fatal(err)
		}
		for k := range bl.out.Probs {
			probs[i] = append(probs[i], append([]float64(nil), bl.prog.Output(k)...))
		}
	}
	for k := range probs[0] {
		for r := range probs[0][k] {
			if a, b := probs[0][k][r], probs[1][k][r]; a != b {
				t.Errorf("%s: output %d row %d: %.17g at max length 6, %.17g at 9", name, k, r, a, b)
			}
		}
	}
}

// seqConfigJSON checks that the named model's default config survives a JSON round trip through
// DecodeConfig, and that an unknown field is an error naming it.
func seqConfigJSON(t *testing.T, name string) {
	t.Helper()
	def, err := DefaultConfig(name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeConfig(name, raw)
	if err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	if !reflect.DeepEqual(got, def) {
		t.Errorf("%s: round trip of %s gives %+v, want %+v", name, raw, got, def)
	}
	if _, err := DecodeConfig(name, []byte(`{"hidens": [3]}`)); err == nil || !strings.Contains(err.Error(), "hidens") {
		t.Errorf("%s: unknown field: error %v, want one naming \"hidens\"", name, err)
	}
	if _, err := New(name, seqStore(), &tinyData(t, 10, 4).Schema, def); err != nil {
		t.Errorf("%s: the registered defaults do not build: %v", name, err)
	}
}

// seqStore is an empty float32 store.
func seqStore() *graph.Store { return graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2))) }

// seqBadConfigs checks that New refuses each config with an error containing its key.
func seqBadConfigs(t *testing.T, name string, bad map[string]any) {
	t.Helper()
	d := tinyData(t, 10, 4)
	for want, cfg := range bad {
		_, err := New(name, seqStore(), &d.Schema, cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s %+v: error %v, want one containing %q", name, cfg, err, want)
		}
	}
}

// TestLSTMStaticEachStep: with the static vector appended to every event's input, the model reads the
// static features even when its head does not, and the gradient check passes through the repeated
// vector (its gradient is the sum over steps).
func TestLSTMStaticEachStep(t *testing.T) {
	cfg := tinyLSTM()
	cfg.StaticEachStep, cfg.SequenceOnly = true, true
	d := tinyData(t, 40, 4)
	checkModelGrads(t, "lstm", cfg, d, 4, 4)
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2)))
	m, err := New("lstm", store, &d.Schema, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Needs(); !n.Static || !n.Sequence {
		t.Errorf("Needs() = %+v, want static and sequence inputs", n)
	}
	if _, ok := store.Get("lstm.step_static.visitor_type.e"); !ok {
		t.Error("no lstm.step_static parameters")
	}
}
