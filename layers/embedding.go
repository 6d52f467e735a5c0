package layers

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// EmbeddingConfig configures an embedding table.
type EmbeddingConfig struct {
	Vocab, Dim int     // number of ids and vector size; both required
	PaddingID  int     // the id whose vector is always 0; default 0 (datasets.PadID); −1 for none
	Std        float64 // the table starts N(0, Std²); default 1, as PyTorch's nn.Embedding
}

// Embedding maps integer ids to learned vectors (Bengio et al., 2003): y[b, t] = E[ids[b, t]], with the table E (Vocab, Dim)
// stored as name.e and initialised N(0, Std²).
//
// The padding id's vector is exactly 0 and its gradient exactly 0: the lookup (one op, lookupOp in
// embedding_ops.go) writes 0 for it and its gradient skips it. The stored padding row starts at 0 too,
// but the output does not depend on it.
//
// The gradient of the lookup is a dense (Vocab, Dim) tensor (rows scatter-added), so a backward pass
// costs time in proportion to the table, not only to the ids looked up.
//
// Ids must lie in [0, Vocab). Forward cannot see the ids' values, so a program run with an id outside that
// range fails with an error naming the layer, the id and its position (never a panic).
type Embedding struct {
	Name string
	Cfg  EmbeddingConfig
}

var _ Layer = (*Embedding)(nil)

// NewEmbedding declares name.e (Vocab, Dim) in the store.
func NewEmbedding(store *graph.Store, name string, cfg EmbeddingConfig) (*Embedding, error) {
	if cfg.Vocab <= 0 || cfg.Dim <= 0 {
		return nil, fmt.Errorf("embedding %q: vocabulary %d and dimension %d must be positive", name, cfg.Vocab, cfg.Dim)
	}
	if cfg.PaddingID < -1 || cfg.PaddingID >= cfg.Vocab {
		return nil, fmt.Errorf("embedding %q: padding id %d outside [0, %d) (or −1 for none)", name, cfg.PaddingID, cfg.Vocab)
	}
	if cfg.Std < 0 {
		return nil, fmt.Errorf("embedding %q: negative standard deviation %g", name, cfg.Std)
	}
	if cfg.Std == 0 {
		cfg.Std = 1
	}
	pad, std := cfg.PaddingID, cfg.Std
	init := func(rng *rand.Rand, shape tensor.Shape, out []float64) error {
		if err := graph.Normal(std)(rng, shape, out); err != nil {
			return err
		}
		if pad >= 0 {
			clear(out[pad*shape[1] : (pad+1)*shape[1]])
		}
		return nil
	}
	if _, err := store.Add(graph.Join(name, "e"), tensor.Shape{cfg.Vocab, cfg.Dim}, init); err != nil {
		return nil, fmt.Errorf("embedding %q: %w", name, err)
	}
	return &Embedding{Name: name, Cfg: cfg}, nil
}

// Forward adds the lookup of ids, an integer input (b.IntInput) of shape (B,) or (B, T), and returns
// (B, Dim) or (B, T, Dim).
func (e *Embedding) Forward(b *graph.Builder, ids *gorgonia.Node) (*gorgonia.Node, error) {
	if ids == nil || (ids.Dims() != 1 && ids.Dims() != 2) || ids.Dtype() != tensor.Int {
		var s tensor.Shape
		var dt tensor.Dtype
		if ids != nil {
			s, dt = ids.Shape(), ids.Dtype()
		}
		return nil, fmt.Errorf("embedding %q: ids have shape %v and type %v, want (B,) or (B, T) of int", e.Name, s, dt)
	}
	table, err := b.Param(graph.Join(e.Name, "e"))
	if err != nil {
		return nil, fmt.Errorf("embedding %q: %w", e.Name, err)
	}
	y, err := lookup(table, ids, e.Name, e.Cfg.PaddingID) // (B, Dim) or (B, T, Dim)
	if err != nil {
		return nil, fmt.Errorf("embedding %q: %w", e.Name, err)
	}
	return y, nil
}
