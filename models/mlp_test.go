package models

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// smallMLP keeps the float64 gradient check quick: 2-wide embeddings, hidden layers of 4 and 3.
func smallMLP(act layers.Activation) *MLPConfig {
	return &MLPConfig{Hidden: []int{4, 3}, Dropout: 0.1, Activation: act, Static: StaticConfig{EmbedDim: 2}}
}

func TestMLPGradients(t *testing.T) {
	checkGradsOffKinks(t, "mlp", smallMLP(layers.ReLU), tinyData(t, 40, 6), 8, 6)
	checkGradsOffKinks(t, "mlp", smallMLP(layers.Tanh), tinyData(t, 40, 6), 8, 6)
}

func TestMLPGradientsTabular(t *testing.T) {
	checkGradsOffKinks(t, "mlp", smallMLP(layers.ReLU), tabularData(t, 40), 8, 0)
}

// checkGradsOffKinks is checkModelGrads (float64 central differences, relative error ≤ 1e-6, every
// parameter, the model with its loss) after setting every bias to a fixed non-zero value in ±[0.05, 0.15].
// With the zero initial biases, a row whose input to a ReLU layer is exactly 0 (a session with no events,
// or a unit dead on every position) sits exactly on the kink, where autodiff takes the slope 1 and a
// central difference 1/2. (A zero logit is
// not a kink of the loss: see TestLossGradientAtZeroLogit.)
func checkGradsOffKinks(t *testing.T, name string, cfg any, d *datasets.Dataset, batch, maxLen int) {
	t.Helper()
	bl := build(t, name, cfg, d, tensor.Float64, batch, maxLen, false)
	for i, p := range bl.model.Store().Params() {
		if !strings.HasSuffix(p.Name, ".b") {
			continue
		}
		v := graph.Float64s(p.Value)
		for k := range v {
			v[k] = math.Copysign(0.05+0.1*math.Abs(math.Sin(1.37*float64(k)+float64(i))), math.Cos(0.9*float64(k+i)))
		}
		if err := graph.CopyFrom(p.Value, v); err != nil {
			t.Fatal(err)
		}
	}
	bl.feedFirst(t, d)
	report, err := graph.CheckGradients(bl.prog, graph.GradCheck{Tol: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	if len(report) != bl.model.Store().Len() {
		t.Errorf("checked %d parameters, the store has %d", len(report), bl.model.Store().Len())
	}
	worst := 0.0
	for _, r := range report {
		worst = math.Max(worst, r.RelError)
	}
	t.Logf("%s: %d parameters, worst relative error %.2g", name, len(report), worst)
}

func TestMLPLearnablesInStore(t *testing.T) {
	d := tinyData(t, 40, 6)
	bl := build(t, "mlp", smallMLP(layers.ReLU), d, tensor.Float32, 8, 6, true)
	checkAllLearnablesInStore(t, bl.b)
}

// The synthetic purchase label depends on the static features (the visitor's features, whether the
// session went on past the window, and aggregates of the seen events), so the training loss must fall
// at least as much as logistic regression's does on the same data (TestLogRegLossFalls: 20 %).
func TestMLPLossFalls(t *testing.T) {
	d := tinyData(t, 800, 10)
	cfg := &MLPConfig{Hidden: []int{16, 8}, Static: StaticConfig{EmbedDim: 2}}
	first, last := lossFalls(t, "mlp", cfg, d, 64, 10, 8, 0.01)
	if !(last < 0.8*first) {
		t.Errorf("training loss went from %.4f to %.4f; want a fall of at least 20%%", first, last)
	}
}

// The zero config takes the documented defaults: hidden layers of 64 and 32.
func TestMLPZeroConfig(t *testing.T) {
	d := tabularData(t, 20)
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2)))
	if _, err := NewMLP(store, &d.Schema, MLPConfig{}); err != nil {
		t.Fatal(err)
	}
	for name, shape := range map[string]tensor.Shape{"mlp.hidden0.w": nil, "mlp.hidden1.w": {64, 32}, "mlp.out.w": {32, 1}} {
		p, ok := store.Get(name)
		if !ok {
			t.Errorf("zero config: no parameter %q", name)
			continue
		}
		if shape != nil && !p.Value.Shape().Eq(shape) {
			t.Errorf("zero config: %s has shape %v, want %v", name, p.Value.Shape(), shape)
		}
	}
	// An empty (non-nil) list leaves no hidden layer.
	store = graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2)))
	if _, err := NewMLP(store, &d.Schema, MLPConfig{Hidden: []int{}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.Get("mlp.hidden0.w"); ok {
		t.Errorf("Hidden [] declared a hidden layer")
	}
}

func TestMLPBadConfig(t *testing.T) {
	d := tabularData(t, 20)
	for field, cfg := range map[string]MLPConfig{
		"hidden[1]":  {Hidden: []int{4, -2}},
		"hidden[0]":  {Hidden: []int{0}},
		"dropout":    {Dropout: 1},
		"activation": {Activation: "swish"},
		"static":     {Static: StaticConfig{EmbedDim: -1}},
	} {
		_, err := New("mlp", graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2))), &d.Schema, &cfg)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("config %+v: error %v, want one naming %s", cfg, err, field)
		}
	}
}

// checkConfigRoundTrip checks that the JSON of the registered defaults, and of a config with every field
// away from its default (zeros included, which omitempty would lose), decode back to equal configs; that
// an absent field keeps its default; and that an unknown field is an error.
func checkConfigRoundTrip(t *testing.T, name string, custom any, partial string, keeps func(any) bool) {
	t.Helper()
	def, err := DefaultConfig(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []any{def, custom} {
		raw, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeConfig(name, raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Errorf("%s: %s decodes to %+v, want %+v", name, raw, got, cfg)
		}
	}
	got, err := DecodeConfig(name, []byte(partial))
	if err != nil {
		t.Fatal(err)
	}
	if !keeps(got) {
		t.Errorf("%s: %s decodes to %+v: an absent field lost its default", name, partial, got)
	}
	if _, err := DecodeConfig(name, []byte(`{"no_such_field": 1}`)); err == nil || !strings.Contains(err.Error(), "no_such_field") {
		t.Errorf("%s: unknown field: error %v, want one naming it", name, err)
	}
}

func TestMLPConfigJSON(t *testing.T) {
	custom := &MLPConfig{Hidden: []int{}, Dropout: 0, Activation: layers.Tanh, Static: StaticConfig{EmbedDim: 3}}
	checkConfigRoundTrip(t, "mlp", custom, `{"hidden": [8]}`, func(c any) bool {
		m := c.(*MLPConfig)
		return slices.Equal(m.Hidden, []int{8}) && m.Dropout == 0.1 && m.Activation == layers.ReLU
	})
}
