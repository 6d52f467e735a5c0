package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// CNNConfig configures the 1-D convolutional network. The registered defaults (Config in the registry)
// are Channels [64, 64], Kernel 3, Dropout 0.1, Pool "mean", the static vector appended. At the zero
// value, nil Channels means [64, 64], Kernel 0 means 3 and an empty Pool means "mean"; Dropout 0 means
// no dropout.
type CNNConfig struct {
	Events EventConfig `json:"events"` // how each event becomes a vector
	// Channels lists the output features of each convolution, input side first; default [64, 64].
	Channels []int `json:"channels"`
	// Kernel is the number of taps of every convolution; default 3; odd unless Causal.
	Kernel int `json:"kernel"`
	// Causal pads on the left only, so position t sees events t−K+1…t; default centred ("same").
	Causal bool `json:"causal"`
	// Dropout is the rate on the pooled encoding, training only; default 0.1.
	Dropout float64 `json:"dropout"`
	// Pool reduces the positions to one vector: "mean" (default), "attention" (layers.AttentionPool)
	// or "last" (the last real event). Max pooling is not available.
	Pool string `json:"pool"`
	// SequenceOnly reads the events alone; by default the static vector is appended to the pooled
	// encoding, since some signal (the visitor, whether the session went on) lives only there.
	SequenceOnly bool         `json:"sequence_only"`
	Static       StaticConfig `json:"static"` // the static vector, unless SequenceOnly
	Head         HeadConfig   `json:"head"`   // the classifier on the encoding
}

// CNN is a 1-D convolutional network over the events of a session (Kim, 2014, on event sequences in
// place of words; Bai et al., 2018, for the causal form):
//
//	x   = Events(session)                                   (B, T, E)
//	h_l = relu(Conv1D_l(h_{l−1})) ⊙ m,   h_0 = x,  l = 1…L  (B, T, C_l)
//	p   = Drop(Pool_m(h_L))                                 (B, C_L)
//	z   = Head([p, s]),   P(purchase) = σ(z)                (B)
//
// where m (B, T) is the padding mask, every convolution and pooling ignores padded positions exactly,
// and s is the static vector (absent when SequenceOnly). Parameters: cnn.events.*, cnn.conv<l>.{w,b}
// (l from 0), cnn.pool.{w,b,v} for attention pooling, cnn.static.*, cnn.head.*.
type CNN struct {
	store  *graph.Store
	pool   string
	events *Events
	convs  []*layers.Conv1D
	attn   *layers.AttentionPool // nil unless Pool is "attention"
	drop   *layers.Dropout
	static *Static // nil when SequenceOnly
	head   *Head
}

var _ Model = (*CNN)(nil)

func init() {
	Register(Entry{
		Name: "cnn", Rank: 20, Needs: Needs{Sequence: true},
		Doc: "1-D convolutions over the events, pooled, with the static features appended",
		Config: func() any {
			return &CNNConfig{Channels: []int{64, 64}, Kernel: 3, Dropout: 0.1, Pool: "mean"}
		},
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[CNNConfig]("cnn", cfg)
			if err != nil {
				return nil, err
			}
			return NewCNN(store, s, *c)
		},
	})
}

// NewCNN declares the network's weights for schema s. It returns an error naming the field for an
// empty or non-positive Channels, a negative or (unless Causal) even Kernel, a dropout rate outside
// [0, 1) or an unknown Pool.
func NewCNN(store *graph.Store, s *datasets.Schema, cfg CNNConfig) (*CNN, error) {
	if cfg.Channels == nil {
		cfg.Channels = []int{64, 64}
	}
	if cfg.Kernel == 0 {
		cfg.Kernel = 3
	}
	if cfg.Pool == "" {
		cfg.Pool = "mean"
	}
	switch {
	case len(cfg.Channels) == 0:
		return nil, fmt.Errorf("cnn: channels is empty, want at least one convolution")
	case cfg.Kernel < 0:
		return nil, fmt.Errorf("cnn: kernel %d, want a positive number of taps", cfg.Kernel)
	case !cfg.Causal && cfg.Kernel%2 == 0:
		return nil, fmt.Errorf("cnn: kernel %d is even: centred convolutions need an odd kernel (or set causal)", cfg.Kernel)
	case cfg.Dropout < 0 || cfg.Dropout >= 1:
		return nil, fmt.Errorf("cnn: dropout %g, want a rate in [0, 1)", cfg.Dropout)
	case cfg.Pool != "mean" && cfg.Pool != "attention" && cfg.Pool != "last":
		return nil, fmt.Errorf("cnn: pool %q, want mean, attention or last", cfg.Pool)
	}
	for l, c := range cfg.Channels {
		if c <= 0 {
			return nil, fmt.Errorf("cnn: channels[%d] = %d, want a positive width", l, c)
		}
	}
	if !s.HasSequence {
		return nil, fmt.Errorf("cnn: dataset %q has no event sequences", s.Name)
	}
	m := &CNN{store: store, pool: cfg.Pool}
	var err error
	if m.events, err = NewEvents(store, "cnn.events", s, cfg.Events); err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	width := m.events.Dim
	for l, c := range cfg.Channels {
		conv, err := layers.NewConv1D(store, fmt.Sprintf("cnn.conv%d", l), layers.Conv1DConfig{
			In: width, Out: c, Kernel: cfg.Kernel, Causal: cfg.Causal, Activation: layers.ReLU,
		})
		if err != nil {
			return nil, fmt.Errorf("cnn: %w", err)
		}
		m.convs = append(m.convs, conv)
		width = c
	}
	if cfg.Pool == "attention" {
		if m.attn, err = layers.NewAttentionPool(store, "cnn.pool", layers.AttentionPoolConfig{Dim: width}); err != nil {
			return nil, fmt.Errorf("cnn: %w", err)
		}
	}
	if m.drop, err = layers.NewDropout("cnn.dropout", cfg.Dropout); err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	if !cfg.SequenceOnly {
		if m.static, err = NewStatic(store, "cnn.static", s, cfg.Static); err != nil {
			return nil, fmt.Errorf("cnn: %w", err)
		}
		width += m.static.Dim
	}
	if m.head, err = NewHead(store, "cnn.head", width, cfg.Head); err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	return m, nil
}

func (m *CNN) Name() string        { return "cnn" }
func (m *CNN) Store() *graph.Store { return m.store }
func (m *CNN) Needs() Needs        { return Needs{Sequence: true, Static: m.static != nil} }

// Forward adds the network: events → convolutions → pooling → [pooled, static] → head. With attention
// pooling, Internals["attention"] holds the pooling weights (B, T).
func (m *CNN) Forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	h, err := m.events.Forward(b, in) // (B, T, E)
	if err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	for _, conv := range m.convs {
		if h, err = conv.Forward(b, h, in.Mask); err != nil { // (B, T, C_l)
			return nil, fmt.Errorf("cnn: %w", err)
		}
	}
	var p, alpha *gorgonia.Node
	switch m.pool {
	case "attention":
		p, alpha, err = m.attn.Forward(b, h, in.Mask) // (B, C_L), (B, T)
	case "last":
		p, err = layers.LastPool(b, h, in.Mask) // (B, C_L)
	default:
		p, err = layers.MeanPool(b, h, in.Mask) // (B, C_L)
	}
	if err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	if p, err = m.drop.Forward(b, p); err != nil { // (B, C_L)
		return nil, fmt.Errorf("cnn: %w", err)
	}
	x, err := withStatic(b, in, m.static, p) // (B, C_L + S)
	if err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	logit, err := m.head.Forward(b, x) // (B)
	if err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	out, err := singleTask(logit)
	if err != nil {
		return nil, fmt.Errorf("cnn: %w", err)
	}
	if alpha != nil {
		out.Internals = map[string]*gorgonia.Node{"attention": alpha}
	}
	return out, nil
}
