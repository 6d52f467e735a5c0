package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// StaticConfig configures how static features become one vector.
type StaticConfig struct {
	// EmbedDim is the size of each categorical feature's embedding; default 4, capped at the feature's
	// vocabulary size. 1 makes the encoder a one-hot code times a weight, as logistic regression has.
	EmbedDim int `json:"embed_dim,omitempty"`
}

// Static encodes the static features of a session as one vector: the numeric features (B, N) next to
// one embedding (B, E_c) per categorical feature,
//
//	s = [x_num, E_1[c_1], …, E_C[c_C]]   (B, N + Σ E_c)
//
// Codes are embedded with no padding id: code 0 ("unknown") is a real category with its own vector.
// Parameters: name.<feature>.e per categorical feature.
type Static struct {
	Name string
	Dim  int // width of the output
	embs []*layers.Embedding
}

// NewStatic declares the categorical embeddings of schema s.
func NewStatic(store *graph.Store, name string, s *datasets.Schema, cfg StaticConfig) (*Static, error) {
	if cfg.EmbedDim < 0 {
		return nil, fmt.Errorf("static %q: negative embedding size %d", name, cfg.EmbedDim)
	}
	if cfg.EmbedDim == 0 {
		cfg.EmbedDim = 4
	}
	st := &Static{Name: name, Dim: len(s.Numeric)}
	for i, c := range s.Categorical {
		dim := min(cfg.EmbedDim, s.CategoricalSizes[i])
		e, err := layers.NewEmbedding(store, graph.Join(name, c), layers.EmbeddingConfig{
			Vocab: s.CategoricalSizes[i], Dim: dim, PaddingID: -1, Std: 0.1,
		})
		if err != nil {
			return nil, fmt.Errorf("static %q: %w", name, err)
		}
		st.embs = append(st.embs, e)
		st.Dim += dim
	}
	if st.Dim == 0 {
		return nil, fmt.Errorf("static %q: dataset %q has no static features", name, s.Name)
	}
	return st, nil
}

// Forward returns the static vector (B, Dim).
func (st *Static) Forward(b *graph.Builder, in *Inputs) (*gorgonia.Node, error) {
	var parts []*gorgonia.Node
	if in.Numeric != nil {
		parts = append(parts, in.Numeric) // (B, N)
	}
	if len(in.Categorical) != len(st.embs) {
		return nil, fmt.Errorf("static %q: %d categorical inputs, want %d", st.Name, len(in.Categorical), len(st.embs))
	}
	for i, e := range st.embs {
		v, err := e.Forward(b, in.Categorical[i]) // (B, E_i)
		if err != nil {
			return nil, fmt.Errorf("static %q: %w", st.Name, err)
		}
		parts = append(parts, v)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	s, err := gorgonia.Concat(1, parts...) // (B, Dim)
	if err != nil {
		return nil, fmt.Errorf("static %q: %w", st.Name, err)
	}
	return s, nil
}
