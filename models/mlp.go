package models

import (
	"fmt"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// MLPConfig configures the multilayer perceptron. The registered defaults (Config in the registry) are
// Hidden [64, 32], Dropout 0.1, Activation relu. At the zero value, nil Hidden means [64, 32] and an empty
// Activation means relu; Dropout 0 means no dropout.
type MLPConfig struct {
	// Hidden lists the widths of the hidden layers, input side first; default [64, 32]. An empty
	// (non-nil) list leaves none: logistic regression on the static vector.
	Hidden []int `json:"hidden"`
	// Dropout is the rate after each hidden layer, training only; default 0.1.
	Dropout float64 `json:"dropout"`
	// Activation of the hidden layers: relu (default), tanh, sigmoid, gelu or linear.
	Activation layers.Activation `json:"activation"`
	// Static configures the static vector the network reads.
	Static StaticConfig `json:"static"`
}

// MLP is a feed-forward network over the static features (Rumelhart, Hinton & Williams, 1986): the
// tabular model, for the UCI data as much as for the synthetic data, whose events it ignores.
//
//	h_0 = s                                          static vector  (B, S)
//	h_l = Drop(act(h_{l−1}·W_l + b_l)),  l = 1…L     hidden layers  (B, H_l)
//	z   = h_L·w + b,   P(purchase) = σ(z)            logit          (B)
//
// Parameters: mlp.static.*, mlp.hidden<l>.{w,b} (l from 0), mlp.out.{w,b}.
type MLP struct {
	store  *graph.Store
	static *Static
	hidden []*layers.Dense
	drops  []*layers.Dropout
	out    *layers.Dense
}

var _ Model = (*MLP)(nil)

func init() {
	Register(Entry{
		Name: "mlp", Rank: 10, Needs: Needs{Static: true},
		Doc: "feed-forward network on the static features (tabular; ignores events)",
		Config: func() any {
			return &MLPConfig{Hidden: []int{64, 32}, Dropout: 0.1, Activation: layers.ReLU}
		},
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[MLPConfig]("mlp", cfg)
			if err != nil {
				return nil, err
			}
			return NewMLP(store, s, *c)
		},
	})
}

// NewMLP declares the network's weights for schema s. It returns an error naming the field for a
// non-positive hidden width, a dropout rate outside [0, 1) or an unknown activation.
func NewMLP(store *graph.Store, s *datasets.Schema, cfg MLPConfig) (*MLP, error) {
	if cfg.Hidden == nil {
		cfg.Hidden = []int{64, 32}
	}
	if cfg.Activation == layers.Linear {
		cfg.Activation = layers.ReLU
	}
	for l, h := range cfg.Hidden {
		if h <= 0 {
			return nil, fmt.Errorf("mlp: hidden[%d] = %d, want a positive width", l, h)
		}
	}
	if cfg.Dropout < 0 || cfg.Dropout >= 1 {
		return nil, fmt.Errorf("mlp: dropout %g, want a rate in [0, 1)", cfg.Dropout)
	}
	if err := cfg.Activation.Validate(); err != nil {
		return nil, fmt.Errorf("mlp: activation: %w", err)
	}
	m := &MLP{store: store}
	var err error
	if m.static, err = NewStatic(store, "mlp.static", s, cfg.Static); err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	width := m.static.Dim
	for l, h := range cfg.Hidden {
		name := fmt.Sprintf("mlp.hidden%d", l)
		d, err := layers.NewDense(store, name, layers.DenseConfig{Input: width, Output: h, Activation: cfg.Activation})
		if err != nil {
			return nil, fmt.Errorf("mlp: %w", err)
		}
		drop, err := layers.NewDropout(graph.Join(name, "dropout"), cfg.Dropout)
		if err != nil {
			return nil, fmt.Errorf("mlp: %w", err)
		}
		m.hidden, m.drops = append(m.hidden, d), append(m.drops, drop)
		width = h
	}
	if m.out, err = layers.NewDense(store, "mlp.out", layers.DenseConfig{Input: width, Output: 1}); err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	return m, nil
}

func (m *MLP) Name() string        { return "mlp" }
func (m *MLP) Store() *graph.Store { return m.store }
func (m *MLP) Needs() Needs        { return Needs{Static: true} }

// Forward adds the network: static vector → hidden layers → logit.
func (m *MLP) Forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	h, err := m.static.Forward(b, in) // (B, S)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	for l, d := range m.hidden {
		if h, err = d.Forward(b, h); err != nil { // (B, H_l)
			return nil, fmt.Errorf("mlp: %w", err)
		}
		if h, err = m.drops[l].Forward(b, h); err != nil { // (B, H_l)
			return nil, fmt.Errorf("mlp: %w", err)
		}
	}
	z, err := m.out.Forward(b, h) // (B, 1)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	logit, err := headLogit(z) // (B)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	return singleTask(logit)
}
