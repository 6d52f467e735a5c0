package models

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// smallCNN keeps the float64 gradient check quick: 2-wide embeddings, one convolution of 4 channels,
// a head of 3.
func smallCNN(pool string) *CNNConfig {
	return &CNNConfig{
		Events:   EventConfig{TypeDim: 2, ItemDim: 2, CategoryDim: 2},
		Channels: []int{4}, Kernel: 3, Dropout: 0.1, Pool: pool,
		Static: StaticConfig{EmbedDim: 2}, Head: HeadConfig{Hidden: 3},
	}
}

func TestCNNGradients(t *testing.T) {
	d := tinyData(t, 40, 6)
	for _, pool := range []string{"mean", "attention", "last"} {
		t.Run(pool, func(t *testing.T) { checkGradsOffKinks(t, "cnn", smallCNN(pool), d, 8, 6) })
	}
	t.Run("causal two layers sequence only", func(t *testing.T) {
		cfg := smallCNN("last")
		cfg.Channels, cfg.Kernel, cfg.Causal, cfg.SequenceOnly = []int{3, 4}, 2, true, true
		checkGradsOffKinks(t, "cnn", cfg, d, 8, 6)
	})
}

func TestCNNLearnablesInStore(t *testing.T) {
	d := tinyData(t, 40, 6)
	for _, pool := range []string{"mean", "attention"} {
		bl := build(t, "cnn", smallCNN(pool), d, tensor.Float32, 8, 6, true)
		checkAllLearnablesInStore(t, bl.b)
	}
}

// The purchase label of the synthetic data depends on the hidden shopping state, which the events
// reveal, so a CNN reading the events alone (SequenceOnly) must learn: its training loss must fall by
// at least 15 % (it falls by about 24 % here; logistic regression, which also reads the static
// features, is held to 20 %).
func TestCNNLossFalls(t *testing.T) {
	d := tinyData(t, 800, 10)
	cfg := &CNNConfig{
		Events: EventConfig{TypeDim: 4, ItemDim: 4, CategoryDim: 2}, Channels: []int{16}, Pool: "mean",
		SequenceOnly: true, Head: HeadConfig{Hidden: 16},
	}
	first, last := lossFalls(t, "cnn", cfg, d, 64, 10, 8, 0.01)
	if !(last < 0.85*first) {
		t.Errorf("training loss went from %.4f to %.4f; want a fall of at least 15%%", first, last)
	}
}

// TestCNNMaskingIsExact: the same sessions (at most 6 events each) compiled at maxLen 6 and padded to
// maxLen 9 give bit-for-bit the same probabilities and loss in float64. Exactness holds because the
// convolution reads padded positions as exact zeros (its input is masked, as are positions outside the
// sequence), the mean adds exact zeros, attention gives padding weight exactly 0, and every other
// operation acts on (B, ·) tensors that do not depend on maxLen.
func TestCNNMaskingIsExact(t *testing.T) {
	d := tinyData(t, 40, 6)
	for _, pool := range []string{"mean", "attention", "last"} {
		for _, causal := range []bool{false, true} {
			cfg := smallCNN(pool)
			cfg.Channels, cfg.Causal = []int{4, 3}, causal
			short := build(t, "cnn", cfg, d, tensor.Float64, 8, 6, false)
			long := build(t, "cnn", cfg, d, tensor.Float64, 8, 9, false)
			var probs [2][]float64
			var loss [2]float64
			for i, bl := range []*built{short, long} {
				bl.feedFirst(t, d)
				if err := bl.prog.Run(); err != nil {
					t.Fatal(err)
				}
				probs[i], loss[i] = append([]float64(nil), bl.prog.Output(0)...), bl.prog.Loss()
			}
			for r := range probs[0] {
				if probs[0][r] != probs[1][r] {
					t.Errorf("pool %s, causal %v: row %d: P = %.17g at maxLen 6, %.17g at maxLen 9", pool, causal, r, probs[0][r], probs[1][r])
				}
			}
			if loss[0] != loss[1] || math.IsNaN(loss[0]) {
				t.Errorf("pool %s, causal %v: loss %.17g at maxLen 6, %.17g at maxLen 9", pool, causal, loss[0], loss[1])
			}
		}
	}
}

func TestCNNNeeds(t *testing.T) {
	d := tinyData(t, 20, 6)
	for _, seqOnly := range []bool{false, true} {
		cfg := smallCNN("mean")
		cfg.SequenceOnly = seqOnly
		bl := build(t, "cnn", cfg, d, tensor.Float64, 4, 6, false)
		if want := (Needs{Sequence: true, Static: !seqOnly}); bl.model.Needs() != want {
			t.Errorf("SequenceOnly %v: Needs %+v, want %+v", seqOnly, bl.model.Needs(), want)
		}
		_, hasStatic := bl.model.Store().Get("cnn.static.device.e")
		if hasStatic == seqOnly {
			t.Errorf("SequenceOnly %v: the store has a static embedding: %v", seqOnly, hasStatic)
		}
	}
	if e, _ := Lookup("cnn"); e.Needs != (Needs{Sequence: true}) {
		t.Errorf("registry Needs %+v, want sequences only", e.Needs)
	}
}

func TestCNNAttentionInternals(t *testing.T) {
	d := tinyData(t, 20, 6)
	bl := build(t, "cnn", smallCNN("attention"), d, tensor.Float64, 4, 6, false)
	a := bl.out.Internals["attention"]
	if a == nil || !a.Shape().Eq(tensor.Shape{4, 6}) {
		t.Fatalf("Internals[attention] = %v, want a (4, 6) node", a)
	}
	if bl := build(t, "cnn", smallCNN("mean"), d, tensor.Float64, 4, 6, false); bl.out.Internals != nil {
		t.Errorf("mean pooling exposes internals %v", bl.out.Internals)
	}
}

func TestCNNBadConfig(t *testing.T) {
	d := tinyData(t, 20, 6)
	mod := func(f func(c *CNNConfig)) *CNNConfig {
		c := smallCNN("mean")
		f(c)
		return c
	}
	for field, cfg := range map[string]*CNNConfig{
		"channels[0]": mod(func(c *CNNConfig) { c.Channels = []int{-4} }),
		"channels[1]": mod(func(c *CNNConfig) { c.Channels = []int{4, 0} }),
		"channels is": mod(func(c *CNNConfig) { c.Channels = []int{} }),
		"kernel -1":   mod(func(c *CNNConfig) { c.Kernel = -1 }),
		"kernel 4":    mod(func(c *CNNConfig) { c.Kernel = 4 }),
		"dropout":     mod(func(c *CNNConfig) { c.Dropout = -0.1 }),
		`pool "max"`:  mod(func(c *CNNConfig) { c.Pool = "max" }),
		"TypeDim:-1":  mod(func(c *CNNConfig) { c.Events.TypeDim = -1 }),
		"cnn.static":  mod(func(c *CNNConfig) { c.Static.EmbedDim = -2 }),
		`"cnn.head"`:  mod(func(c *CNNConfig) { c.Head.Hidden = -3 }),
	} {
		_, err := New("cnn", graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2))), &d.Schema, cfg)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("config %+v: error %v, want one containing %q", cfg, err, field)
		}
	}
	if _, err := New("cnn", graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2))), &d.Schema, &MLPConfig{}); err == nil || !strings.Contains(err.Error(), "*models.CNNConfig") {
		t.Errorf("an MLP config: error %v, want one naming the wanted type", err)
	}
	// An even kernel is fine when causal.
	if _, err := New("cnn", graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2))), &d.Schema,
		mod(func(c *CNNConfig) { c.Kernel, c.Causal = 4, true })); err != nil {
		t.Errorf("causal kernel 4: %v", err)
	}
}

func TestCNNConfigJSON(t *testing.T) {
	custom := &CNNConfig{
		Events: EventConfig{TypeDim: 3, ItemDim: 0}, Channels: []int{8}, Kernel: 2, Causal: true,
		Dropout: 0, Pool: "last", SequenceOnly: true, Static: StaticConfig{EmbedDim: 1},
		Head: HeadConfig{Hidden: -1, Dropout: 0.2},
	}
	checkConfigRoundTrip(t, "cnn", custom, `{"pool": "attention"}`, func(c any) bool {
		m := c.(*CNNConfig)
		return m.Pool == "attention" && m.Dropout == 0.1 && m.Kernel == 3 && len(m.Channels) == 2
	})
}
