package layers

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// seqFixture is one case of testdata/seqlayers.json, written by testdata/torch_seq.py (PyTorch 1.13,
// float64): see the script for what each kind computes.
type seqFixture struct {
	Name, Kind         string
	Batch, Steps       int
	Vocab, Dim, Hidden int
	In, Out, Kernel    int
	Causal             bool
	Activation         string
	IDs                []int
	X, Mask, Y, R      []float64
	Params, Grads      map[string][]float64
}

// TestSequenceLayersMatchPyTorch runs every fixture case in float32 and compares the output and the
// gradients of L = Σ r ⊙ y with PyTorch's: |got − want| ≤ 1e-4·max(1, |want|).
func TestSequenceLayersMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "seqlayers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []seqFixture }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no cases in the fixture")
	}
	for _, fx := range doc.Cases {
		t.Run(fx.Name, func(t *testing.T) {
			s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			y := buildFixture(t, fx, s, b)
			for name, vals := range fx.Params {
				if err := s.SetValues(name, vals); err != nil {
					t.Fatal(err)
				}
			}
			rt := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(y.Shape().Clone()...))
			if err := graph.CopyFrom(rt, fx.R); err != nil {
				t.Fatal(err)
			}
			prod, err := gorgonia.HadamardProd(y, gorgonia.NewConstant(rt, gorgonia.WithName("r")))
			if err != nil {
				t.Fatal(err)
			}
			loss, err := gorgonia.Sum(prod)
			if err != nil {
				t.Fatal(err)
			}
			p, err := graph.Compile(b, loss, y)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if fx.IDs != nil {
				if err := p.SetInts("ids", fx.IDs); err != nil {
					t.Fatal(err)
				}
			} else if err := p.Set("mask", fx.Mask); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			requireParity(t, "output", p.Output(0), fx.Y)
			if len(fx.Grads) != len(b.Params()) {
				t.Errorf("graph has %d parameters, fixture %d gradients", len(b.Params()), len(fx.Grads))
			}
			for name, want := range fx.Grads {
				requireParity(t, "gradient of "+name, gradValues(t, p, name), want)
			}
		})
	}
}

// buildFixture declares the case's layer (and its float input x as a parameter, for its gradient) and
// returns its output node.
func buildFixture(t *testing.T, fx seqFixture, s *graph.Store, b *graph.Builder) *gorgonia.Node {
	t.Helper()
	var y *gorgonia.Node
	var err error
	if fx.Kind == "embedding" {
		e, err := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: fx.Vocab, Dim: fx.Dim})
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := b.IntInput("ids", fx.Batch, fx.Steps)
		if y, err = e.Forward(b, ids); err != nil {
			t.Fatal(err)
		}
		return y
	}
	d := fx.Dim
	if fx.Kind == "conv1d" || fx.Kind == "dense" {
		d = fx.In
	}
	x := paramInput(t, s, b, "x", fx.X, fx.Batch, fx.Steps, d)
	mask, _ := b.Input("mask", fx.Batch, fx.Steps)
	switch fx.Kind {
	case "conv1d":
		c, err := NewConv1D(s, "conv", Conv1DConfig{In: fx.In, Out: fx.Out, Kernel: fx.Kernel, Causal: fx.Causal, Activation: Activation(fx.Activation)})
		if err != nil {
			t.Fatal(err)
		}
		y, err = c.Forward(b, x, mask)
	case "dense":
		dense, err := NewDense(s, "dense", DenseConfig{Input: fx.In, Output: fx.Out, Activation: Activation(fx.Activation)})
		if err != nil {
			t.Fatal(err)
		}
		y, err = dense.Forward(b, x)
	case "mean":
		y, err = MeanPool(b, x, mask)
	case "last":
		y, err = LastPool(b, x, mask)
	case "attention":
		a, err := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: fx.Dim, Hidden: fx.Hidden})
		if err != nil {
			t.Fatal(err)
		}
		y, _, err = a.Forward(b, x, mask)
	default:
		t.Fatalf("unknown fixture kind %q", fx.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return y
}
