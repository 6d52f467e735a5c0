package layers

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// torchCase is one case of mha.json, layernorm.json or transformer.json, written by
// testdata/torch_attention.py with PyTorch 1.13 in float32. Weights are already in intentlab's (in, out)
// layout and named as intentlab names them (under a layer named "").
type torchCase struct {
	Name    string               `json:"name"`
	Batch   int                  `json:"batch"`
	Steps   int                  `json:"steps"`
	Dim     int                  `json:"dim"`
	Heads   int                  `json:"heads"`
	FF      int                  `json:"ff"`
	PreNorm bool                 `json:"pre_norm"`
	Shape   []int                `json:"shape"`
	X       []float64            `json:"x"`
	Mask    []float64            `json:"mask"`
	R       []float64            `json:"r"`
	Params  map[string][]float64 `json:"params"`
	Y       []float64            `json:"y"`
	Weights []float64            `json:"weights"`
	Grads   map[string][]float64 `json:"grads"`
}

func loadTorchCases(t *testing.T, file string) []torchCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []torchCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s: no cases", file)
	}
	return doc.Cases
}

// torchParity loads c's weights into s (float32), runs build's output y (and optional weights w) forward
// and backward on L = Σ r ⊙ y, and compares y, w and the gradient of every parameter and of x with
// PyTorch's: |got − want| ≤ 1e-4·max(1, |want|).
func torchParity(t *testing.T, s *graph.Store, c torchCase, xShape []int,
	build func(b *graph.Builder, x *gorgonia.Node) (y, w *gorgonia.Node)) {
	t.Helper()
	for name, v := range c.Params {
		if err := s.SetValues(name, v); err != nil {
			t.Fatal(err)
		}
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x := paramInput(t, s, b, "x", c.X, xShape...)
	y, w := build(b, x)
	outs := []*gorgonia.Node{y}
	if w != nil {
		outs = append(outs, w)
	}
	p, err := graph.Compile(b, attnLoss(t, y, c.R), outs...)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if c.Mask != nil {
		if err := p.Set("mask", c.Mask); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	requireParity(t, c.Name+" y", p.Output(0), c.Y)
	if w != nil {
		requireParity(t, c.Name+" weights", p.Output(1), c.Weights)
	}
	if got, want := len(b.Params()), len(c.Grads); got != want {
		t.Errorf("%s: graph has %d parameters (with x), fixture has %d gradients", c.Name, got, want)
	}
	names := make([]string, 0, len(c.Grads))
	for name := range c.Grads {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g, err := p.Grad(name)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		requireParity(t, c.Name+" gradient of "+name, graph.Float64s(g), c.Grads[name])
	}
}

func newStore32() *graph.Store { return graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2))) }

// TestAttentionMatchesPyTorch compares with torch.nn.MultiheadAttention(batch_first=True) under a
// key_padding_mask: outputs (padded queries included), per-head weights, and all gradients.
func TestAttentionMatchesPyTorch(t *testing.T) {
	for _, c := range loadTorchCases(t, "mha.json") {
		s := newStore32()
		a, err := NewMultiHeadAttention(s, "", AttentionConfig{Dim: c.Dim, Heads: c.Heads})
		if err != nil {
			t.Fatal(err)
		}
		torchParity(t, s, c, []int{c.Batch, c.Steps, c.Dim}, func(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node) {
			mask, _ := b.Input("mask", c.Batch, c.Steps)
			y, w, err := a.Forward(b, x, mask)
			if err != nil {
				t.Fatal(err)
			}
			return y, w
		})
	}
}

// TestLayerNormMatchesPyTorch compares the lead's LayerNorm with torch.nn.LayerNorm.
func TestLayerNormMatchesPyTorch(t *testing.T) {
	for _, c := range loadTorchCases(t, "layernorm.json") {
		s := newStore32()
		ln, err := NewLayerNorm(s, "", LayerNormConfig{Size: c.Shape[len(c.Shape)-1]})
		if err != nil {
			t.Fatal(err)
		}
		torchParity(t, s, c, c.Shape, func(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node) {
			y, err := ln.Forward(b, x)
			if err != nil {
				t.Fatal(err)
			}
			return y, nil
		})
	}
}

// TestTransformerMatchesPyTorch compares with torch.nn.TransformerEncoderLayer(batch_first=True,
// dropout=0, activation="relu"), norm_first False (post-norm) and True (pre-norm), under a
// src_key_padding_mask.
func TestTransformerMatchesPyTorch(t *testing.T) {
	for _, c := range loadTorchCases(t, "transformer.json") {
		s := newStore32()
		blk, err := NewTransformerBlock(s, "", TransformerConfig{Dim: c.Dim, Heads: c.Heads, FF: c.FF, PreNorm: c.PreNorm})
		if err != nil {
			t.Fatal(err)
		}
		torchParity(t, s, c, []int{c.Batch, c.Steps, c.Dim}, func(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node) {
			mask, _ := b.Input("mask", c.Batch, c.Steps)
			y, err := blk.Forward(b, x, mask)
			if err != nil {
				t.Fatal(err)
			}
			return y, nil
		})
	}
}
