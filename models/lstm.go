package models

import (
	"fmt"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// LSTMConfig configures the LSTM model; see RecurrentConfig for the fields. The registered defaults
// are Hiddens [128, 64] and Dropout 0.1, with the default event embeddings, static vector and head.
type LSTMConfig RecurrentConfig

// LSTM is a stacked long short-term memory network over the events of a session (Hochreiter &
// Schmidhuber, 1997), read at each session's last real event and joined with the static features:
//
//	x_t = [E_type[type_t], E_item[item_t], E_cat[cat_t], dwell_t, price_t]    (B, T, E)
//	i, f, o = σ(x_t·W + h_{t−1}·U + b),  g = tanh(x_t·W_g + h_{t−1}·U_g + b_g)   per layer, (B, H_l)
//	c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)                           (layers.LSTM)
//	q = h_len of the top layer                                                 (B, H)
//	z = Head([q; s]),  P(purchase) = σ(z)                                      (B)
//
// where s (B, S) is the static vector (Static), left out with SequenceOnly: the static features carry
// what the events cannot (the visitor, and whether the session went on past the window). The state is
// carried unchanged through padding, so a session gives the same prediction however much it is padded.
// Parameters: lstm.events.*, lstm.stack.l<l>.{w,u,b}, lstm.static.*, lstm.head.*.
type LSTM struct{ recurrentModel }

var _ StepModel = (*LSTM)(nil)

func init() {
	Register(Entry{
		Name: "lstm", Rank: 30, Needs: Needs{Sequence: true},
		Doc: "stacked LSTM over the events (128 then 64 units) with the static features at the head",
		Config: func() any {
			c := LSTMConfig(defaultRecurrentConfig())
			return &c
		},
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[LSTMConfig]("lstm", cfg)
			if err != nil {
				return nil, err
			}
			return NewLSTM(store, s, *c)
		},
	})
}

// NewLSTM declares the model's parameters for schema s. It returns an error naming the field for an
// invalid config.
func NewLSTM(store *graph.Store, s *datasets.Schema, cfg LSTMConfig) (*LSTM, error) {
	m, err := newRecurrentModel(store, "lstm", s, RecurrentConfig(cfg))
	if err != nil {
		return nil, err
	}
	return &LSTM{m}, nil
}

// Trace reads one session through the model's LSTM stack step by step, from its step inputs x
// ([T][D], the real steps of StepInputs for that session): every gate and state of every layer, in
// plain Go from the weights in the store (layers.LSTM.Trace). The top layer's last H is the encoding
// the head reads.
func (m *LSTM) Trace(x [][]float64) (*layers.LSTMTrace, error) {
	stack, ok := m.enc.stack.(*layers.LSTM)
	if !ok {
		return nil, fmt.Errorf("lstm: the stack is a %T, not a layers.LSTM", m.enc.stack) // a programming error
	}
	return stack.Trace(m.store, x)
}
