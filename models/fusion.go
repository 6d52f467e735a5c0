package models

import (
	"fmt"
	"slices"
	"strings"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// Sequence encoders and fusion modes of the fusion model.
const (
	EncoderLSTM        = "lstm"        // the LSTM encoder of the lstm model
	EncoderTransformer = "transformer" // the Transformer encoder of the transformer model
	EncoderBoth        = "both"        // both, their encodings side by side
	EncoderNone        = "none"        // no sequence encoder: the static branch alone (tabular data)

	FuseConcat = "concat" // f = [s'; q]
	FuseGate   = "gate"   // a gated multimodal unit (Arevalo et al., 2017)
)

// FusionConfig configures the multi-task fusion model. The registered defaults are the LSTM encoder
// (Hiddens [128, 64], Dropout 0.1), the Transformer encoder's defaults (used by Encoder transformer
// or both), a static MLP of one layer of 64, concatenation, every task of the dataset, no ESMM and
// Dropout 0.1.
type FusionConfig struct {
	// Encoder reads the events: "lstm" (default), "transformer", "both", or "none" for data without
	// events (then the model is the static MLP with one head per task).
	Encoder string `json:"encoder"`
	// LSTM configures the LSTM encoder (Encoder lstm or both).
	LSTM RecurrentEncoderConfig `json:"lstm"`
	// Transformer configures the Transformer encoder (Encoder transformer or both).
	Transformer TransformerEncoderConfig `json:"transformer"`
	// Static configures the static vector.
	Static StaticConfig `json:"static"`
	// Hidden lists the widths of the static MLP's ReLU layers, input side first; nil means [64]. An
	// empty (non-nil) list passes the static vector on as it is.
	Hidden []int `json:"hidden"`
	// Fuse joins the two encodings: "concat" (default) or "gate".
	Fuse string `json:"fuse"`
	// GateDim is the common width both encodings are projected to by the gate; default 64. Fuse gate
	// only.
	GateDim int `json:"gate_dim,omitempty"`
	// Tasks lists the tasks to predict, each a task of the dataset; nil means all of them. Purchase is
	// required and always comes first in the outputs.
	Tasks []string `json:"tasks"`
	// ESMM predicts P(purchase) = P(cart)·P(purchase | cart), the Entire Space Multi-task Model (Ma et
	// al., 2018); it needs the tasks cart and purchase.
	ESMM bool `json:"esmm"`
	// Dropout is the rate after each static MLP layer and on the fused vector, training only; 0.1 in
	// the registered defaults, none at the zero value.
	Dropout float64 `json:"dropout"`
	// Head configures the head of every task.
	Head HeadConfig `json:"head"`
}

// Fusion is the multi-task fusion model: a sequence encoder over the events and an MLP over the static
// features, fused by concatenation or a learned gate, with one head per task:
//
//	q  = Encoder(events)                                (B, Q): LSTM (B, H), Transformer (B, D), both [h; d]
//	s' = MLP(s),  s'_l = Drop(relu(s'_{l−1}·W_l + b_l))  (B, S'), s = Static(features) (B, S)
//	f  = [s'; q]                                        (B, S' + Q)   concat
//	f  = g ⊙ tanh(s'·W_s + b_s) + (1 − g) ⊙ tanh(q·W_q + b_q),
//	     g = σ([s'; q]·W_g + b_g)                       (B, F)        gate
//	z_k = Head_k(Drop(f)),  P(task k) = σ(z_k)          (B) per task
//
// The gate is the gated multimodal unit of Arevalo et al. (2017): per feature, g decides how much of
// the fused vector comes from the static side and how much from the sequence. With ESMM (Ma et al.,
// 2018) the purchase head predicts P(purchase | cart) and
//
//	P(purchase) = σ(z_cart) · σ(z_purchase|cart)        (B)
//
// so P(purchase) ≤ P(cart) by construction and both losses are taken over every session (the "entire
// space"); the purchase output then has no logit (Outputs.Logits[0] is nil) and Loss uses its
// probability. ESMM assumes a purchase implies an add-to-cart; on data where it does not, the
// constraint is wrong.
//
// Outputs.Tasks lists the predicted tasks, purchase first. Outputs.Internals holds the Transformer's
// attention weights ("attention.block<i>", see Transformer), the gate g ("gate", (B, F)) in gate mode,
// and P(purchase | cart) ("purchase_given_cart", (B)) with ESMM. Parameters: fusion.lstm.*,
// fusion.transformer.*, fusion.static.*, fusion.mlp<l>.{w,b}, fusion.fuse.{static,sequence,gate}.*
// (gate), fusion.head.<task>.* (with ESMM the purchase head is fusion.head.purchase_given_cart).
type Fusion struct {
	store  *graph.Store
	tasks  []string // predicted tasks, purchase first
	cart   int      // index of the cart task in tasks with ESMM, else −1
	lstm   *recurrentEncoder
	trans  *transformerEncoder
	static *Static
	mlp    []*layers.Dense
	drop   *layers.Dropout
	gate   *gatedUnit // nil for concat
	heads  []*Head    // one per task, in tasks order
}

var _ Model = (*Fusion)(nil)

func init() {
	Register(Entry{
		Name: "fusion", Rank: 60, Needs: Needs{Static: true}, // sequences unless "encoder": "none"
		Doc: "multi-task fusion: LSTM and/or Transformer over the events, MLP over the static features, concat or gate, one head per task (optional ESMM)",
		Config: func() any {
			return &FusionConfig{
				Encoder:     EncoderLSTM,
				LSTM:        RecurrentEncoderConfig{Hiddens: []int{128, 64}, Dropout: 0.1},
				Transformer: defaultTransformerEncoder(),
				Hidden:      []int{64},
				Fuse:        FuseConcat,
				GateDim:     64,
				Dropout:     0.1,
			}
		},
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[FusionConfig]("fusion", cfg)
			if err != nil {
				return nil, err
			}
			return NewFusion(store, s, *c)
		},
	})
}

// NewFusion declares the model's parameters for schema s. It returns an error naming the field for an
// invalid config: an unknown encoder, fuse mode or task, ESMM without the cart task, an invalid
// encoder setting.
func NewFusion(store *graph.Store, s *datasets.Schema, cfg FusionConfig) (*Fusion, error) {
	m, err := newFusion(store, s, cfg)
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	return m, nil
}

func newFusion(store *graph.Store, s *datasets.Schema, cfg FusionConfig) (*Fusion, error) {
	if cfg.Encoder == "" {
		cfg.Encoder = EncoderLSTM
	}
	if cfg.Fuse == "" {
		cfg.Fuse = FuseConcat
	}
	if cfg.Hidden == nil {
		cfg.Hidden = []int{64}
	}
	if cfg.GateDim == 0 {
		cfg.GateDim = 64
	}
	switch {
	case cfg.Encoder != EncoderLSTM && cfg.Encoder != EncoderTransformer && cfg.Encoder != EncoderBoth && cfg.Encoder != EncoderNone:
		return nil, fmt.Errorf("encoder %q, want %q, %q, %q or %q", cfg.Encoder, EncoderLSTM, EncoderTransformer, EncoderBoth, EncoderNone)
	case cfg.Encoder != EncoderNone && !s.HasSequence:
		return nil, fmt.Errorf("encoder %q reads event sequences, but dataset %q has none (tabular only): use \"encoder\": \"none\"", cfg.Encoder, s.Name)
	case cfg.Encoder == EncoderNone && cfg.Fuse == FuseGate:
		return nil, fmt.Errorf("fuse %q needs a sequence encoder, and encoder is %q", FuseGate, EncoderNone)
	case cfg.Fuse != FuseConcat && cfg.Fuse != FuseGate:
		return nil, fmt.Errorf("fuse %q, want %q or %q", cfg.Fuse, FuseConcat, FuseGate)
	case cfg.GateDim < 0:
		return nil, fmt.Errorf("gate_dim %d must be positive", cfg.GateDim)
	case cfg.Dropout < 0 || cfg.Dropout >= 1:
		return nil, fmt.Errorf("dropout %g, want a rate in [0, 1)", cfg.Dropout)
	}
	for l, h := range cfg.Hidden {
		if h <= 0 {
			return nil, fmt.Errorf("hidden[%d] = %d, want a positive width", l, h)
		}
	}
	tasks, err := fusionTasks(s, cfg.Tasks)
	if err != nil {
		return nil, err
	}
	m := &Fusion{store: store, tasks: tasks, cart: -1}
	if cfg.ESMM {
		if m.cart = slices.Index(tasks, datasets.TaskCart); m.cart < 0 {
			return nil, fmt.Errorf("esmm needs the tasks %q and %q; predicting %v of dataset %q's %v",
				datasets.TaskCart, datasets.TaskPurchase, tasks, s.Name, s.Tasks)
		}
	}

	// The sequence encoder: q (B, Q).
	seqDim := 0
	if cfg.Encoder == EncoderLSTM || cfg.Encoder == EncoderBoth {
		if m.lstm, err = newRecurrentEncoder(store, "fusion.lstm", "lstm", s, cfg.LSTM); err != nil {
			return nil, fmt.Errorf("lstm: %w", err)
		}
		seqDim += m.lstm.Dim
	}
	if cfg.Encoder == EncoderTransformer || cfg.Encoder == EncoderBoth {
		if m.trans, err = newTransformerEncoder(store, "fusion.transformer", s, cfg.Transformer); err != nil {
			return nil, fmt.Errorf("transformer: %w", err)
		}
		seqDim += m.trans.Dim
	}

	// The static MLP: s' (B, S').
	if m.static, err = NewStatic(store, "fusion.static", s, cfg.Static); err != nil {
		return nil, err
	}
	staticDim := m.static.Dim
	for l, h := range cfg.Hidden {
		d, err := layers.NewDense(store, fmt.Sprintf("fusion.mlp%d", l), layers.DenseConfig{Input: staticDim, Output: h, Activation: layers.ReLU})
		if err != nil {
			return nil, err
		}
		m.mlp = append(m.mlp, d)
		staticDim = h
	}
	if m.drop, err = layers.NewDropout("fusion.dropout", cfg.Dropout); err != nil {
		return nil, err
	}

	// The fusion: f (B, F).
	fused := staticDim + seqDim
	if cfg.Fuse == FuseGate {
		if m.gate, err = newGatedUnit(store, "fusion.fuse", staticDim, seqDim, cfg.GateDim); err != nil {
			return nil, err
		}
		fused = cfg.GateDim
	}

	// One head per task.
	for k, task := range tasks {
		name := graph.Join("fusion.head", task)
		if k == 0 && cfg.ESMM {
			name = "fusion.head.purchase_given_cart"
		}
		h, err := NewHead(store, name, fused, cfg.Head)
		if err != nil {
			return nil, err
		}
		m.heads = append(m.heads, h)
	}
	return m, nil
}

// fusionTasks resolves the tasks to predict: want (nil: every task of s), checked against s, purchase
// first.
func fusionTasks(s *datasets.Schema, want []string) ([]string, error) {
	if want == nil {
		want = s.Tasks
	}
	tasks := []string{datasets.TaskPurchase}
	seen := map[string]bool{}
	for _, t := range want {
		if s.TaskIndex(t) < 0 {
			return nil, fmt.Errorf("tasks: unknown task %q (dataset %q has %s)", t, s.Name, strings.Join(s.Tasks, ", "))
		}
		if seen[t] {
			return nil, fmt.Errorf("tasks: %q is listed twice", t)
		}
		seen[t] = true
		if t != datasets.TaskPurchase {
			tasks = append(tasks, t)
		}
	}
	if !seen[datasets.TaskPurchase] {
		return nil, fmt.Errorf("tasks %v: %q is required", want, datasets.TaskPurchase)
	}
	return tasks, nil
}

func (m *Fusion) Name() string        { return "fusion" }
func (m *Fusion) Store() *graph.Store { return m.store }
func (m *Fusion) Needs() Needs        { return Needs{Sequence: m.lstm != nil || m.trans != nil, Static: true} }

// Tasks lists the tasks the model predicts, purchase first (as Outputs.Tasks).
func (m *Fusion) Tasks() []string { return slices.Clone(m.tasks) }

// Forward adds the encoders, the fusion and the heads, and returns one probability per task.
func (m *Fusion) Forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	out, err := m.forward(b, in)
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	return out, nil
}

func (m *Fusion) forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	internals := map[string]*gorgonia.Node{}
	var seq []*gorgonia.Node
	if m.lstm != nil {
		h, err := m.lstm.Forward(b, in) // (B, H)
		if err != nil {
			return nil, err
		}
		seq = append(seq, h)
	}
	if m.trans != nil {
		d, err := m.trans.Forward(b, in, internals) // (B, D)
		if err != nil {
			return nil, err
		}
		seq = append(seq, d)
	}
	var q *gorgonia.Node // (B, Q); nil without an encoder
	switch len(seq) {
	case 1:
		q = seq[0]
	case 2:
		var err error
		if q, err = gorgonia.Concat(1, seq...); err != nil { // (B, H + D)
			return nil, err
		}
	}

	s, err := m.static.Forward(b, in) // (B, S)
	if err != nil {
		return nil, err
	}
	for _, l := range m.mlp {
		if s, err = l.Forward(b, s); err != nil { // (B, H_l)
			return nil, err
		}
		if s, err = m.drop.Forward(b, s); err != nil { // (B, H_l)
			return nil, err
		}
	}

	var f *gorgonia.Node
	if m.gate != nil {
		var g *gorgonia.Node
		if f, g, err = m.gate.Forward(b, s, q); err != nil { // (B, F), (B, F)
			return nil, err
		}
		internals["gate"] = g
	} else if q == nil {
		f = s // (B, S')
	} else if f, err = gorgonia.Concat(1, s, q); err != nil { // (B, S' + Q)
		return nil, err
	}
	if f, err = m.drop.Forward(b, f); err != nil { // (B, F)
		return nil, err
	}

	out := &Outputs{Tasks: slices.Clone(m.tasks), Internals: internals}
	for _, h := range m.heads {
		z, err := h.Forward(b, f) // (B)
		if err != nil {
			return nil, err
		}
		p, err := gorgonia.Sigmoid(z) // (B)
		if err != nil {
			return nil, err
		}
		out.Logits = append(out.Logits, z)
		out.Probs = append(out.Probs, p)
	}
	if m.cart >= 0 {
		given := out.Probs[0]                                     // (B): P(purchase | cart)
		p, err := gorgonia.HadamardProd(out.Probs[m.cart], given) // (B): P(cart)·P(purchase | cart)
		if err != nil {
			return nil, err
		}
		internals["purchase_given_cart"] = given
		out.Logits[0], out.Probs[0] = nil, p
	}
	return out, nil
}

// gatedUnit is the gated multimodal unit of Arevalo et al. (2017) for a static encoding s (B, S) and a
// sequence encoding q (B, Q), both projected to a common width F:
//
//	s̃ = tanh(s·W_s + b_s),  q̃ = tanh(q·W_q + b_q)     (B, F)
//	g = σ([s; q]·W_g + b_g)                           (B, F)
//	f = g ⊙ s̃ + (1 − g) ⊙ q̃ = q̃ + g ⊙ (s̃ − q̃)         (B, F)
//
// Parameters: name.static.{w,b}, name.sequence.{w,b}, name.gate.{w,b}.
type gatedUnit struct {
	static, seq, gate *layers.Dense
}

func newGatedUnit(store *graph.Store, name string, sDim, qDim, width int) (*gatedUnit, error) {
	u := &gatedUnit{}
	var err error
	if u.static, err = layers.NewDense(store, graph.Join(name, "static"), layers.DenseConfig{Input: sDim, Output: width, Activation: layers.Tanh}); err != nil {
		return nil, err
	}
	if u.seq, err = layers.NewDense(store, graph.Join(name, "sequence"), layers.DenseConfig{Input: qDim, Output: width, Activation: layers.Tanh}); err != nil {
		return nil, err
	}
	if u.gate, err = layers.NewDense(store, graph.Join(name, "gate"), layers.DenseConfig{Input: sDim + qDim, Output: width, Activation: layers.Sigmoid}); err != nil {
		return nil, err
	}
	return u, nil
}

// Forward returns the fused vector f (B, F) and the gate g (B, F).
func (u *gatedUnit) Forward(b *graph.Builder, s, q *gorgonia.Node) (f, g *gorgonia.Node, err error) {
	st, err := u.static.Forward(b, s) // (B, F)
	if err != nil {
		return nil, nil, err
	}
	qt, err := u.seq.Forward(b, q) // (B, F)
	if err != nil {
		return nil, nil, err
	}
	sq, err := gorgonia.Concat(1, s, q) // (B, S + Q)
	if err != nil {
		return nil, nil, err
	}
	if g, err = u.gate.Forward(b, sq); err != nil { // (B, F)
		return nil, nil, err
	}
	diff, err := gorgonia.Sub(st, qt) // (B, F)
	if err != nil {
		return nil, nil, err
	}
	gd, err := gorgonia.HadamardProd(g, diff) // (B, F)
	if err != nil {
		return nil, nil, err
	}
	if f, err = gorgonia.Add(qt, gd); err != nil { // (B, F)
		return nil, nil, err
	}
	return f, g, nil
}
