package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// LogRegConfig configures logistic regression. It has no settings: the model is fixed by the data.
type LogRegConfig struct{}

// LogReg is logistic regression on a bag of counts: the baseline every other model must beat.
//
//	z = w·s + Σ_t u[type_t] + b,   P(purchase) = σ(z)
//
// where s (B, N + C) is the static vector (numeric features and a one-hot weight per categorical code:
// Static with EmbedDim 1) and the sum over events adds one weight per event type for each occurrence,
// so it is linear in the event-type counts and blind to their order. On a dataset without events the
// sum is absent. Parameters: logreg.static.*, logreg.counts.e, logreg.out.{w,b}.
type LogReg struct {
	store  *graph.Store
	static *Static
	counts *layers.Embedding // (types, 1): u; nil without events
	out    *layers.Dense
}

var _ Model = (*LogReg)(nil)

func init() {
	Register(Entry{
		Name: "logreg", Rank: 0, Needs: Needs{Static: true},
		Doc:    "logistic regression on static features and event-type counts (order-blind baseline)",
		Config: func() any { return &LogRegConfig{} },
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[LogRegConfig]("logreg", cfg)
			if err != nil {
				return nil, err
			}
			return NewLogReg(store, s, *c)
		},
	})
}

// NewLogReg declares the weights for schema s.
func NewLogReg(store *graph.Store, s *datasets.Schema, cfg LogRegConfig) (*LogReg, error) {
	m := &LogReg{store: store}
	var err error
	if m.static, err = NewStatic(store, "logreg.static", s, StaticConfig{EmbedDim: 1}); err != nil {
		return nil, err
	}
	if s.HasSequence {
		m.counts, err = layers.NewEmbedding(store, "logreg.counts", layers.EmbeddingConfig{
			Vocab: s.NumEventTypes(), Dim: 1, PaddingID: datasets.PadID, Std: 0.01,
		})
		if err != nil {
			return nil, err
		}
	}
	if m.out, err = layers.NewDense(store, "logreg.out", layers.DenseConfig{Input: m.static.Dim, Output: 1}); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *LogReg) Name() string        { return "logreg" }
func (m *LogReg) Store() *graph.Store { return m.store }
func (m *LogReg) Needs() Needs        { return Needs{Static: true, Sequence: m.counts != nil} }

// Forward adds z = w·s + Σ_t u[type_t] + b.
func (m *LogReg) Forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	s, err := m.static.Forward(b, in) // (B, N + C)
	if err != nil {
		return nil, fmt.Errorf("logreg: %w", err)
	}
	z, err := m.out.Forward(b, s) // (B, 1)
	if err != nil {
		return nil, fmt.Errorf("logreg: %w", err)
	}
	if m.counts != nil {
		u, err := m.counts.Forward(b, in.Types) // (B, T, 1): 0 at padding
		if err != nil {
			return nil, fmt.Errorf("logreg: %w", err)
		}
		c, err := gorgonia.Sum(u, 1) // (B, 1)
		if err != nil {
			return nil, fmt.Errorf("logreg: %w", err)
		}
		if z, err = gorgonia.Add(z, c); err != nil { // (B, 1)
			return nil, fmt.Errorf("logreg: %w", err)
		}
	}
	logit, err := headLogit(z) // (B)
	if err != nil {
		return nil, fmt.Errorf("logreg: %w", err)
	}
	return singleTask(logit)
}
