package models

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// tinyFusion is a fusion model small enough for a float64 gradient check: the tiny LSTM and
// Transformer encoders, a static MLP of 3 and heads of 3.
func tinyFusion() *FusionConfig {
	return &FusionConfig{
		Encoder:     EncoderLSTM,
		LSTM:        RecurrentEncoderConfig{Events: seqTinyEvents, Hiddens: []int{3, 2}},
		Transformer: tinyTransformerEncoder(),
		Static:      seqTinyStatic,
		Hidden:      []int{3},
		GateDim:     3,
		Head:        HeadConfig{Hidden: 3},
	}
}

// fusionRun builds the fusion model in float64 (evaluation graph), runs it on the first 8 sessions of
// a window-6 dataset, and returns its outputs' nodes, every probability and the named internals.
func fusionRun(t *testing.T, cfg *FusionConfig, internals ...string) (*Outputs, [][]float64, map[string][]float64) {
	t.Helper()
	d := tinyData(t, 40, 6)
	const batch, maxLen = 8, 6
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(3, 4)))
	m, err := New("fusion", store, &d.Schema, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := graph.NewBuilder(store, graph.BuilderConfig{})
	in, err := NewInputs(b, &d.Schema, m.Needs(), batch, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Forward(b, in)
	if err != nil {
		t.Fatal(err)
	}
	nodes := append([]*gorgonia.Node(nil), out.Probs...)
	for _, name := range internals {
		n := out.Internals[name]
		if n == nil {
			t.Fatalf("no internal %q in %v", name, out.Internals)
		}
		nodes = append(nodes, n)
	}
	p, _ := runFirstBatch(t, b, in, d, nodes...)
	var probs [][]float64
	for k := range out.Probs {
		probs = append(probs, append([]float64(nil), p.Output(k)...))
	}
	ins := map[string][]float64{}
	for i, name := range internals {
		ins[name] = append([]float64(nil), p.Output(len(out.Probs)+i)...)
	}
	return out, probs, ins
}

// On the synthetic data (tasks purchase and cart) the default task list predicts both, purchase
// first, each a probability from its own logit.
func TestFusionTwoTasks(t *testing.T) {
	out, probs, _ := fusionRun(t, tinyFusion())
	if want := []string{datasets.TaskPurchase, datasets.TaskCart}; !reflect.DeepEqual(out.Tasks, want) {
		t.Fatalf("tasks %v, want %v", out.Tasks, want)
	}
	if len(probs) != 2 || out.Logits[0] == nil || out.Logits[1] == nil {
		t.Fatalf("%d probabilities, logits %v: want two of each", len(probs), out.Logits)
	}
	for k, ps := range probs {
		for r, p := range ps {
			if !(p > 0 && p < 1) {
				t.Errorf("task %s row %d: probability %g", out.Tasks[k], r, p)
			}
		}
	}
	if reflect.DeepEqual(probs[0], probs[1]) {
		t.Errorf("the two heads predict the same values %v", probs[0])
	}
}

// Listing cart first still puts purchase first in the outputs; listing purchase alone predicts it alone.
func TestFusionTaskOrder(t *testing.T) {
	cfg := tinyFusion()
	cfg.Tasks = []string{datasets.TaskCart, datasets.TaskPurchase}
	if out, _, _ := fusionRun(t, cfg); !reflect.DeepEqual(out.Tasks, []string{datasets.TaskPurchase, datasets.TaskCart}) {
		t.Errorf("tasks [cart purchase] give outputs %v, want purchase first", out.Tasks)
	}
	cfg.Tasks = []string{datasets.TaskPurchase}
	if out, probs, _ := fusionRun(t, cfg); !reflect.DeepEqual(out.Tasks, []string{datasets.TaskPurchase}) || len(probs) != 1 {
		t.Errorf("tasks [purchase] give outputs %v", out.Tasks)
	}
}

// One gradient check covers what the fusion model adds to the encoders: the gated fusion, the static
// MLP, the heads, and ESMM's product through the probability form of the loss (the Transformer encoder
// keeps the check quicker than the LSTM one; the LSTM encoder is the lstm model's, checked there).
func TestFusionGradientsGateESMM(t *testing.T) {
	cfg := tinyFusion()
	cfg.Encoder, cfg.Fuse, cfg.ESMM = EncoderTransformer, FuseGate, true
	checkModelGrads(t, "fusion", cfg, tinyData(t, 40, 6), 8, 6)
}

// With ESMM the purchase output is the product of the cart probability and the purchase head's
// P(purchase | cart), computed in the graph as one float64 product, so Go's a·b gives it bit for bit;
// it has no logit, so Loss takes the probability form.
func TestFusionESMMProduct(t *testing.T) {
	cfg := tinyFusion()
	cfg.ESMM = true
	out, probs, ins := fusionRun(t, cfg, "purchase_given_cart")
	if out.Logits[0] != nil || out.Logits[1] == nil {
		t.Fatalf("logits %v: want none for purchase, one for cart", out.Logits)
	}
	given := ins["purchase_given_cart"]
	for r := range given {
		pp, pc := probs[0][r], probs[1][r]
		if pp != pc*given[r] {
			t.Errorf("row %d: P(purchase) %.17g, want P(cart)·P(purchase|cart) = %.17g·%.17g", r, pp, pc, given[r])
		}
		if !(pp <= pc) || !(given[r] > 0 && given[r] < 1) {
			t.Errorf("row %d: P(purchase) %g, P(cart) %g, P(purchase|cart) %g", r, pp, pc, given[r])
		}
	}
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(3, 4)))
	if _, err := NewFusion(store, &tinyData(t, 10, 4).Schema, *cfg); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.Get("fusion.head.purchase_given_cart.out.w"); !ok {
		t.Errorf("ESMM's purchase head is not fusion.head.purchase_given_cart")
	}
}

// Both encoders with the gate and ESMM: every parameter is in the store, the attention weights and
// the gate (in (0, 1)) reach Internals, and padding changes nothing.
func TestFusionBothEncoders(t *testing.T) {
	cfg := tinyFusion()
	cfg.Encoder, cfg.Fuse, cfg.ESMM = EncoderBoth, FuseGate, true
	out, _, ins := fusionRun(t, cfg, "attention.block0", "attention.block1", "gate")
	if len(out.Tasks) != 2 {
		t.Errorf("tasks %v", out.Tasks)
	}
	for i, g := range ins["gate"] {
		if !(g > 0 && g < 1) {
			t.Errorf("gate[%d] = %g, want in (0, 1)", i, g)
		}
	}
	seqPaddingExact(t, "fusion", cfg)

	train := *cfg
	train.Dropout, train.LSTM.Dropout, train.Transformer.Dropout = 0.3, 0.3, 0.3
	d := tinyData(t, 40, 6)
	bl := build(t, "fusion", &train, d, tensor.Float32, 8, 6, true)
	checkAllLearnablesInStore(t, bl.b)
	var lstm, trans bool
	for _, p := range bl.model.Store().Params() {
		lstm = lstm || strings.HasPrefix(p.Name, "fusion.lstm.")
		trans = trans || strings.HasPrefix(p.Name, "fusion.transformer.")
	}
	if !lstm || !trans {
		t.Errorf("parameters of the LSTM encoder: %v, of the Transformer encoder: %v; want both", lstm, trans)
	}
}

func TestFusionPaddingExact(t *testing.T) {
	seqPaddingExact(t, "fusion", tinyFusion())
}

func TestFusionLossFalls(t *testing.T) {
	seqLossFalls(t, "fusion", &FusionConfig{
		LSTM:   RecurrentEncoderConfig{Hiddens: []int{16, 8}},
		Hidden: []int{16},
		Head:   HeadConfig{Hidden: 16},
	})
}

func TestFusionConfigJSON(t *testing.T) {
	seqConfigJSON(t, "fusion")
}

func TestFusionBadConfig(t *testing.T) {
	bad := func(f func(c *FusionConfig)) *FusionConfig {
		c := tinyFusion()
		f(c)
		return c
	}
	seqBadConfigs(t, "fusion", map[string]any{
		`encoder "gru"`:          bad(func(c *FusionConfig) { c.Encoder = "gru" }),
		`fuse "sum"`:             bad(func(c *FusionConfig) { c.Fuse = "sum" }),
		`unknown task "refund"`:  bad(func(c *FusionConfig) { c.Tasks = []string{"purchase", "refund"} }),
		`"cart" is listed twice`: bad(func(c *FusionConfig) { c.Tasks = []string{"purchase", "cart", "cart"} }),
		`"purchase" is required`: bad(func(c *FusionConfig) { c.Tasks = []string{"cart"} }),
		"esmm needs the tasks":   bad(func(c *FusionConfig) { c.ESMM, c.Tasks = true, []string{"purchase"} }),
		"hidden[0] = 0":          bad(func(c *FusionConfig) { c.Hidden = []int{0} }),
		"lstm: hiddens[0] = 1":   bad(func(c *FusionConfig) { c.LSTM.Hiddens = []int{1} }),
		"transformer: dim 6 is not a multiple of heads 4": bad(func(c *FusionConfig) {
			c.Encoder, c.Transformer.Dim, c.Transformer.Heads = EncoderBoth, 6, 4
		}),
	})
	// A dataset without the cart task: the defaults predict purchase alone, and ESMM is refused.
	d := tinyData(t, 10, 4)
	d.Schema.Tasks = []string{datasets.TaskPurchase}
	m, err := NewFusion(seqStore(), &d.Schema, *tinyFusion())
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Tasks(); !reflect.DeepEqual(got, []string{datasets.TaskPurchase}) {
		t.Errorf("tasks %v on a purchase-only dataset", got)
	}
	cfg := tinyFusion()
	cfg.ESMM = true
	if _, err := NewFusion(seqStore(), &d.Schema, *cfg); err == nil || !strings.Contains(err.Error(), "esmm") {
		t.Errorf("ESMM without a cart task: error %v", err)
	}
}
