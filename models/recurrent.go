package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// RecurrentEncoderConfig configures a recurrent sequence encoder: the one of the lstm and gru models,
// and fusion's LSTM encoder.
type RecurrentEncoderConfig struct {
	// Events sizes the event embeddings.
	Events EventConfig `json:"events"`
	// Hiddens lists the state size of each stacked layer, bottom first; nil means [128, 64], the
	// classic two-layer design.
	Hiddens []int `json:"hiddens"`
	// Dropout is the rate on the states passed from one layer to the next, training only; 0.1 in the
	// registered defaults, none at the zero value.
	Dropout float64 `json:"dropout"`
	// StaticEachStep appends a static vector (its own Static encoder, name.step_static) to every event's
	// input, so that the recurrence itself can depend on the visitor, as the transitions of the
	// synthetic shopping process do; default false (the static features reach only the head).
	StaticEachStep bool `json:"static_each_step,omitempty"`
}

// RecurrentConfig configures a recurrent classifier; LSTMConfig and GRUConfig are this type. Its
// encoder fields sit at the top level of the JSON form: {"hiddens": [128, 64], "dropout": 0.1, …}.
type RecurrentConfig struct {
	RecurrentEncoderConfig
	// SequenceOnly drops the static vector from the head's input, so the model sees the events alone.
	SequenceOnly bool `json:"sequence_only"`
	// Static configures the static vector appended to the encoding.
	Static StaticConfig `json:"static"`
	// Head configures the classifier on top.
	Head HeadConfig `json:"head"`
}

// defaultRecurrentConfig is the registered default of the lstm and gru models.
func defaultRecurrentConfig() RecurrentConfig {
	return RecurrentConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{128, 64}, Dropout: 0.1}}
}

// recurrentEncoder embeds the events of a session and runs a stack of recurrent layers over them
// (kind "lstm" or "gru"), returning the top layer's state at each sequence's last real event:
//
//	x_t = Events(event_t)             (B, T, E)
//	h_t^l = Cell_l(h_{t−1}^l, h_t^{l−1})   (B, H_l), with h_t^0 = x_t
//	q = h_T^L = h_{len}^L             (B, H)   the state is carried unchanged through padding
//
// With StaticEachStep, x_t = [Events(event_t); Static(s)] (B, T, E + S): the same static vector at every
// step. Parameters: name.events.*, name.step_static.*, name.stack.l<l>.*
// (layers.LSTM or layers.GRU).
type recurrentEncoder struct {
	Name   string
	Dim    int // H, the top layer's state size
	events *Events
	static *Static // nil unless StaticEachStep
	stack  layers.SeqLayer
}

// newRecurrentEncoder declares the embeddings and the stack of the given kind ("lstm" or "gru").
func newRecurrentEncoder(store *graph.Store, name, kind string, s *datasets.Schema, cfg RecurrentEncoderConfig) (*recurrentEncoder, error) {
	hs := cfg.Hiddens
	if hs == nil {
		hs = []int{128, 64}
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("hiddens is empty: want at least one layer")
	}
	for l, h := range hs {
		if h < 2 {
			return nil, fmt.Errorf("hiddens[%d] = %d, want a state size of at least 2", l, h)
		}
	}
	if cfg.Dropout < 0 || cfg.Dropout >= 1 {
		return nil, fmt.Errorf("dropout %g, want a rate in [0, 1)", cfg.Dropout)
	}
	events, err := NewEvents(store, graph.Join(name, "events"), s, cfg.Events)
	if err != nil {
		return nil, err
	}
	input := events.Dim
	var static *Static
	if cfg.StaticEachStep {
		if static, err = NewStatic(store, graph.Join(name, "step_static"), s, StaticConfig{}); err != nil {
			return nil, err
		}
		input += static.Dim
	}
	rc := layers.RecurrentConfig{Input: input, Hiddens: hs, Dropout: cfg.Dropout}
	var stack layers.SeqLayer
	switch kind {
	case "lstm":
		stack, err = layers.NewLSTM(store, graph.Join(name, "stack"), layers.LSTMConfig(rc))
	case "gru":
		stack, err = layers.NewGRU(store, graph.Join(name, "stack"), layers.GRUConfig(rc))
	default:
		err = fmt.Errorf("unknown recurrent layer %q", kind) // a programming error: callers pass a constant
	}
	if err != nil {
		return nil, err
	}
	return &recurrentEncoder{Name: name, Dim: hs[len(hs)-1], events: events, static: static, stack: stack}, nil
}

// needsStatic says whether the encoder reads the static features.
func (e *recurrentEncoder) needsStatic() bool { return e.static != nil }

// Forward returns the encoding q (B, H) of the sequences of in.
func (e *recurrentEncoder) Forward(b *graph.Builder, in *Inputs) (*gorgonia.Node, error) {
	x, err := e.stepInputs(b, in) // (B, T, D)
	if err != nil {
		return nil, err
	}
	return e.stack.Forward(b, x, in.Mask) // (B, H)
}

// stepInputs returns the stack's input x (B, T, D): the event vectors, with StaticEachStep followed by
// the static vector.
func (e *recurrentEncoder) stepInputs(b *graph.Builder, in *Inputs) (*gorgonia.Node, error) {
	x, err := e.events.Forward(b, in) // (B, T, E)
	if err != nil {
		return nil, err
	}
	if e.static != nil {
		sv, err := e.static.Forward(b, in) // (B, S)
		if err != nil {
			return nil, err
		}
		steps, err := repeatSteps(sv, in.Batch, in.MaxLen, e.static.Dim) // (B, T, S)
		if err != nil {
			return nil, err
		}
		if x, err = gorgonia.Concat(2, x, steps); err != nil { // (B, T, E + S)
			return nil, err
		}
	}
	return x, nil
}

// recurrentModel is the classifier shared by the lstm and gru models:
//
//	q = Encoder(events)                   (B, H)
//	x = [q; Static(s)]                    (B, H + S), or q alone with SequenceOnly
//	z = Head(x),  P(purchase) = σ(z)      (B)
type recurrentModel struct {
	name   string
	store  *graph.Store
	enc    *recurrentEncoder
	static *Static // nil with SequenceOnly
	head   *Head
}

// newRecurrentModel declares the encoder of the given kind, the static vector and the head, all under
// the model's name.
func newRecurrentModel(store *graph.Store, kind string, s *datasets.Schema, cfg RecurrentConfig) (recurrentModel, error) {
	m := recurrentModel{name: kind, store: store}
	var err error
	if m.enc, err = newRecurrentEncoder(store, kind, kind, s, cfg.RecurrentEncoderConfig); err != nil {
		return m, fmt.Errorf("%s: %w", kind, err)
	}
	width := m.enc.Dim
	if !cfg.SequenceOnly {
		if m.static, err = NewStatic(store, graph.Join(kind, "static"), s, cfg.Static); err != nil {
			return m, fmt.Errorf("%s: %w", kind, err)
		}
		width += m.static.Dim
	}
	if m.head, err = NewHead(store, graph.Join(kind, "head"), width, cfg.Head); err != nil {
		return m, fmt.Errorf("%s: %w", kind, err)
	}
	return m, nil
}

func (m *recurrentModel) Name() string        { return m.name }
func (m *recurrentModel) Store() *graph.Store { return m.store }
func (m *recurrentModel) Needs() Needs {
	return Needs{Sequence: true, Static: m.static != nil || m.enc.needsStatic()}
}

// repeatSteps copies s (B, S) to every one of T steps: (B, T, S). Padded steps get the vector too; the
// recurrent layers carry their state unchanged through them, so it has no effect there.
func repeatSteps(s *gorgonia.Node, batch, steps, dim int) (*gorgonia.Node, error) {
	col, err := graph.Reshape(s, batch, 1, dim) // (B, 1, S)
	if err != nil {
		return nil, err
	}
	if steps == 1 {
		return col, nil
	}
	copies := make([]*gorgonia.Node, steps)
	for t := range copies {
		copies[t] = col
	}
	return gorgonia.Concat(1, copies...) // (B, T, S)
}

// Forward adds z = Head([Encoder(events); Static(s)]) and P(purchase) = σ(z): ForwardSteps of
// StepInputs.
func (m *recurrentModel) Forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	x, err := m.StepInputs(b, in) // (B, T, D)
	if err != nil {
		return nil, err
	}
	return m.ForwardSteps(b, in, x)
}

// StepInputs adds the recurrent stack's input x (B, T, D) to b's graph: the event vectors, 0 at
// padding, with StaticEachStep followed by the static vector (repeated at padded steps too).
func (m *recurrentModel) StepInputs(b *graph.Builder, in *Inputs) (*gorgonia.Node, error) {
	x, err := m.enc.stepInputs(b, in) // (B, T, D)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	return x, nil
}

// ForwardSteps runs the rest of the model on step inputs x (B, T, D) in place of StepInputs: the
// stack, the static vector and the head.
func (m *recurrentModel) ForwardSteps(b *graph.Builder, in *Inputs, x *gorgonia.Node) (*Outputs, error) {
	if x == nil {
		return nil, fmt.Errorf("%s: forward steps: no step inputs x", m.name)
	}
	q, err := m.enc.stack.Forward(b, x, in.Mask) // (B, H)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	qs, err := withStatic(b, in, m.static, q) // (B, H + S)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	z, err := m.head.Forward(b, qs) // (B)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	return singleTask(z)
}
