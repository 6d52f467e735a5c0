package models

import (
	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// GRUConfig configures the GRU model; see RecurrentConfig for the fields. The registered defaults
// are Hiddens [128, 64] and Dropout 0.1, with the default event embeddings, static vector and head.
type GRUConfig RecurrentConfig

// GRU is a stacked gated recurrent unit network over the events of a session (Cho et al., 2014), built
// as the LSTM model is, with GRU layers in place of LSTM layers:
//
//	x_t = [E_type[type_t], E_item[item_t], E_cat[cat_t], dwell_t, price_t]          (B, T, E)
//	r = σ(x_t·W_r + h_{t−1}·U_r + b_r),  u = σ(x_t·W_u + h_{t−1}·U_u + b_u)           per layer, (B, H_l)
//	n = tanh(x_t·W_n + b_in + r ⊙ (h_{t−1}·U_n + b_hn)),  h_t = (1 − u) ⊙ n + u ⊙ h_{t−1}   (layers.GRU)
//	q = h_len of the top layer                                                       (B, H)
//	z = Head([q; s]),  P(purchase) = σ(z)                                            (B)
//
// with s (B, S) the static vector, left out with SequenceOnly. A GRU has three gate blocks to the
// LSTM's four and no cell state: fewer parameters for the same state size. Parameters: gru.events.*,
// gru.stack.l<l>.{w,u,bi,bh}, gru.static.*, gru.head.*.
type GRU struct{ recurrentModel }

var _ StepModel = (*GRU)(nil)

func init() {
	Register(Entry{
		Name: "gru", Rank: 40, Needs: Needs{Sequence: true},
		Doc: "stacked GRU over the events (128 then 64 units) with the static features at the head",
		Config: func() any {
			c := GRUConfig(defaultRecurrentConfig())
			return &c
		},
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[GRUConfig]("gru", cfg)
			if err != nil {
				return nil, err
			}
			return NewGRU(store, s, *c)
		},
	})
}

// NewGRU declares the model's parameters for schema s. It returns an error naming the field for an
// invalid config.
func NewGRU(store *graph.Store, s *datasets.Schema, cfg GRUConfig) (*GRU, error) {
	m, err := newRecurrentModel(store, "gru", s, RecurrentConfig(cfg))
	if err != nil {
		return nil, err
	}
	return &GRU{m}, nil
}
