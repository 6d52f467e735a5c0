package perf

import (
	"fmt"
	"slices"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/models"
)

// Models are the architectures the side-by-side benchmark knows, in table order.
var Models = []string{"lstm", "gru", "transformer", "fusion"}

// Event embedding sizes of the recurrent models at the fixed shapes: the event vector is
// [E_type (12); E_cat (16); dwell, price, 2 repeat features] = 32 wide.
const (
	eventTypeDim     = 12
	eventCategoryDim = 16
	eventValues      = 4 // dwell, price and the two repeat features
)

// ModelConfig returns the config the benchmark builds model name with: its registered defaults, with
// the event vector of the recurrent encoders (lstm, gru, fusion's LSTM) 32 wide. With the defaults that
// makes LSTM and GRU 2 layers of 128 then 64 over a 32-wide event vector, and the Transformer 2
// post-norm blocks of width 64, 4 heads, feed-forward 256; dropout 0.1 everywhere, as registered.
func ModelConfig(name string) (any, error) {
	if !slices.Contains(Models, name) {
		return nil, fmt.Errorf("perf: model %q: want one of %v", name, Models)
	}
	cfg, err := models.DefaultConfig(name)
	if err != nil {
		return nil, err
	}
	ev := models.EventConfig{TypeDim: eventTypeDim, CategoryDim: eventCategoryDim}
	switch c := cfg.(type) {
	case *models.LSTMConfig:
		c.Events = ev
	case *models.GRUConfig:
		c.Events = ev
	case *models.FusionConfig:
		c.LSTM.Events = ev
	}
	return cfg, nil
}

// Arch describes a benchmarked model by its sizes alone: what the PyTorch script builds its
// equivalent from, and what the FLOP and parameter counts are computed from.
type Arch struct {
	Model string `json:"model"` // lstm, gru, transformer or fusion
	// Recurrent encoder (lstm, gru, fusion): Cell "lstm" or "gru", layer sizes bottom first, over an
	// event vector [E_type (TypeDim); E_cat (CategoryDim); 4 values].
	Cell    string `json:"cell,omitempty"`
	Hiddens []int  `json:"hiddens,omitempty"`
	// Transformer encoder: Blocks post-norm blocks of width Dim, Heads heads, feed-forward FF, MaxLen
	// learned positions; the event vector is E_type + E_cat + W_v·(4 values) + P[t], all Dim wide.
	Dim    int `json:"dim,omitempty"`
	Heads  int `json:"heads,omitempty"`
	Blocks int `json:"blocks,omitempty"`
	FF     int `json:"ff,omitempty"`
	MaxLen int `json:"max_len,omitempty"`

	TypeVocab     int `json:"type_vocab"`
	CategoryVocab int `json:"category_vocab"`
	TypeDim       int `json:"type_dim"`     // E_type width (Dim for the Transformer)
	CategoryDim   int `json:"category_dim"` // E_cat width (Dim for the Transformer)

	// Static vector: Numeric features and one embedding per categorical feature.
	Numeric          int   `json:"numeric"`
	CategoricalSizes []int `json:"categorical_sizes"`
	CategoricalDims  []int `json:"categorical_dims"`

	MLP     []int   `json:"mlp,omitempty"` // fusion: the static MLP's ReLU widths
	Head    int     `json:"head"`          // hidden ReLU width of each head
	Tasks   int     `json:"tasks"`         // heads (fusion: one per task), each task's loss weighing 1
	Dropout float64 `json:"dropout"`
}

// NewArch describes model name, built from ModelConfig(name), on data of schema s.
func NewArch(name string, s *datasets.Schema) (Arch, error) {
	cfg, err := ModelConfig(name)
	if err != nil {
		return Arch{}, err
	}
	a := Arch{Model: name, TypeVocab: s.NumEventTypes(), CategoryVocab: s.NumCategories, Numeric: len(s.Numeric), Tasks: 1}
	for _, size := range s.CategoricalSizes {
		a.CategoricalSizes = append(a.CategoricalSizes, size)
		a.CategoricalDims = append(a.CategoricalDims, min(4, size)) // StaticConfig's default
	}
	recurrent := func(cell string, c models.RecurrentEncoderConfig) {
		a.Cell, a.Hiddens, a.Dropout = cell, slices.Clone(c.Hiddens), c.Dropout
		a.TypeDim, a.CategoryDim = c.Events.TypeDim, c.Events.CategoryDim
	}
	head := func(h models.HeadConfig) error {
		if h.Hidden != 0 || h.Dropout != 0 {
			return fmt.Errorf("perf: model %q: a head other than the default", name)
		}
		a.Head = 64
		return nil
	}
	switch c := cfg.(type) {
	case *models.LSTMConfig:
		recurrent("lstm", c.RecurrentEncoderConfig)
		err = head(c.Head)
	case *models.GRUConfig:
		recurrent("gru", c.RecurrentEncoderConfig)
		err = head(c.Head)
	case *models.TransformerConfig:
		t := c.TransformerEncoderConfig
		a.Dim, a.Heads, a.Blocks, a.FF, a.MaxLen, a.Dropout = t.Dim, t.Heads, t.Blocks, t.FF, t.MaxLen, t.Dropout
		if a.FF == 0 {
			a.FF = 4 * a.Dim
		}
		a.TypeDim, a.CategoryDim = a.Dim, a.Dim
		if t.PreNorm || t.Items || t.Pool != models.PoolMean {
			return Arch{}, fmt.Errorf("perf: model %q: only the default post-norm, mean-pooled encoder without items is described", name)
		}
		err = head(c.Head)
	case *models.FusionConfig:
		if c.Encoder != models.EncoderLSTM || c.Fuse != models.FuseConcat || c.ESMM || c.Tasks != nil {
			return Arch{}, fmt.Errorf("perf: model %q: only the default LSTM encoder, concatenation and every task is described", name)
		}
		recurrent("lstm", c.LSTM)
		a.MLP, a.Dropout, a.Tasks = slices.Clone(c.Hidden), c.Dropout, len(s.Tasks)
		if c.LSTM.Dropout != c.Dropout {
			return Arch{}, fmt.Errorf("perf: model %q: one dropout rate is described, the config has %g and %g", name, c.LSTM.Dropout, c.Dropout)
		}
		err = head(c.Head)
	}
	if err != nil {
		return Arch{}, err
	}
	return a, nil
}

// EventDim is the width of a recurrent encoder's event vector.
func (a Arch) EventDim() int { return a.TypeDim + a.CategoryDim + eventValues }

// StaticDim is the width of the static vector.
func (a Arch) StaticDim() int {
	n := a.Numeric
	for _, d := range a.CategoricalDims {
		n += d
	}
	return n
}

// encoding is the width of the sequence encoding: the top recurrent layer, or the Transformer width.
func (a Arch) encoding() int {
	if a.Cell != "" {
		return a.Hiddens[len(a.Hiddens)-1]
	}
	return a.Dim
}

// gates is the number of gate blocks of the recurrent cell: 4 for the LSTM, 3 for the GRU.
func (a Arch) gates() int {
	if a.Cell == "gru" {
		return 3
	}
	return 4
}

// headInput is the width each head reads.
func (a Arch) headInput() int {
	if a.Model == "fusion" {
		s := a.StaticDim()
		if len(a.MLP) > 0 {
			s = a.MLP[len(a.MLP)-1]
		}
		return s + a.encoding()
	}
	return a.encoding() + a.StaticDim()
}

// ForwardFLOPs counts the floating-point operations of the matrix products of one forward pass over
// batch sessions of length events, 2 per multiply-add: the recurrent layers' input and state products
// at every step (padded steps included: both sides compute them), the Transformer's projections,
// attention scores, attention-weighted sums and feed-forward networks, the value projection, the static
// MLP and the heads. Element-wise work (gates, softmax, layer norm, losses) and embedding look-ups are
// left out: at these sizes they are a few per cent of the total.
func (a Arch) ForwardFLOPs(batch, length int) float64 {
	B, T := float64(batch), float64(length)
	var f float64
	if a.Cell != "" {
		in := float64(a.EventDim())
		for _, h := range a.Hiddens {
			H := float64(h)
			f += 2 * B * T * (in + H) * float64(a.gates()) * H // x_t·W + h_{t−1}·U, every gate
			in = H
		}
	} else {
		D, FF := float64(a.Dim), float64(a.FF)
		f += 2 * B * T * eventValues * D // W_v·values
		for range a.Blocks {
			f += 2 * B * T * D * D * 4  // Q, K, V and output projections
			f += 2 * 2 * B * T * T * D  // Q·Kᵀ and weights·V, over all heads
			f += 2 * 2 * B * T * D * FF // the feed-forward network's two layers
		}
	}
	in := float64(a.StaticDim())
	for _, w := range a.MLP {
		f += 2 * B * in * float64(w)
		in = float64(w)
	}
	hi, h := float64(a.headInput()), float64(a.Head)
	f += float64(a.Tasks) * 2 * B * (hi*h + h) // hidden layer and the one-unit output, per head
	return f
}

// StepFLOPs estimates the floating-point operations of one training step: 3 × ForwardFLOPs, the usual
// rule that the backward pass costs two forward passes (a gradient for the inputs and one for the
// weights of every product). The Adam update (about 10 operations per parameter) is left out.
func (a Arch) StepFLOPs(batch, length int) float64 { return 3 * a.ForwardFLOPs(batch, length) }

// Params counts intentlab's learnable numbers of the model (what its store holds). PyTorch's LSTM has
// 4H more per layer: two bias vectors b_ih and b_hh where intentlab keeps their sum.
func (a Arch) Params() int {
	n := 0
	for i, size := range a.CategoricalSizes {
		n += size * a.CategoricalDims[i] // static embeddings
	}
	n += a.TypeVocab*a.TypeDim + a.CategoryVocab*a.CategoryDim // event embeddings
	if a.Cell != "" {
		in, g := a.EventDim(), a.gates()
		for _, h := range a.Hiddens {
			n += in*g*h + h*g*h + g*h // w, u, b
			if a.Cell == "gru" {
				n += g * h // bi and bh
			}
			in = h
		}
	} else {
		D := a.Dim
		n += eventValues*D + a.MaxLen*D // W_v (no bias), positions
		n += a.Blocks * (4*D*D + 4*D + 2*2*D + D*a.FF + a.FF + a.FF*D + D)
	}
	in := a.StaticDim()
	for _, w := range a.MLP {
		n += in*w + w
		in = w
	}
	n += a.Tasks * (a.headInput()*a.Head + a.Head + a.Head + 1)
	return n
}

// TorchParams counts the learnable numbers of the PyTorch equivalent: Params, plus the second bias
// vector of every LSTM layer.
func (a Arch) TorchParams() int {
	n := a.Params()
	if a.Cell == "lstm" {
		for _, h := range a.Hiddens {
			n += 4 * h
		}
	}
	return n
}
