package layers

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// embeddingIDs has repeated ids (their gradients must add up) and padding (id 0).
var embeddingIDs = []int{3, 1, 3, 0, 5, 2, 0, 0}

func TestEmbeddingGradients(t *testing.T) {
	s := newStore64(11)
	e, err := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 6, Dim: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetValues("emb.e", fixedValues(18, 0.4, 1)); err != nil { // padding row non-zero on purpose
		t.Fatal(err)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	ids, _ := b.IntInput("ids", 2, 4)
	y, err := e.Forward(b, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{2, 4, 3}) {
		t.Fatalf("output shape %v, want (2, 4, 3)", y.Shape())
	}
	checkAllLearnablesInStore(t, b)
	checkGrads(t, b, weightedLoss(t, y), func(p *graph.Program) {
		if err := p.SetInts("ids", embeddingIDs); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEmbeddingLookup checks the output against rows of the table read directly, the padding output and
// gradient against exact zeros, and the gradient against the sum of the loss weights per id.
func TestEmbeddingLookup(t *testing.T) {
	for _, pad := range []int{0, -1} {
		s := newStore64(12)
		e, err := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 6, Dim: 3, PaddingID: pad})
		if err != nil {
			t.Fatal(err)
		}
		table := fixedValues(18, 0.4, 1)
		s.SetValues("emb.e", table)
		b := graph.NewBuilder(s, graph.BuilderConfig{})
		ids, _ := b.IntInput("ids", 2, 4)
		y, _ := e.Forward(b, ids)
		loss := weightedLoss(t, y)
		p, err := graph.Compile(b, loss, y)
		if err != nil {
			t.Fatal(err)
		}
		p.SetInts("ids", embeddingIDs)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		r := fixedValues(24, 0.7, 1) // weightedLoss's weights
		want, wantGrad := make([]float64, 24), make([]float64, 18)
		for i, id := range embeddingIDs {
			if id == pad {
				continue // exactly 0 output, no gradient
			}
			for d := 0; d < 3; d++ {
				want[i*3+d] = table[id*3+d]
				wantGrad[id*3+d] += r[i*3+d]
			}
		}
		requireIdentical(t, "output", p.Output(0), want)
		requireClose(t, "gradient", gradValues(t, p, "emb.e"), wantGrad, 1e-15)
		if pad == 0 {
			for d, g := range gradValues(t, p, "emb.e")[:3] {
				if g != 0 {
					t.Errorf("padding row gradient[%d] = %g, want exactly 0", d, g)
				}
			}
		}
		p.Close()
	}
}

func TestEmbeddingInit(t *testing.T) {
	s := newStore64(13)
	if _, err := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 50, Dim: 40, PaddingID: 7}); err != nil {
		t.Fatal(err)
	}
	prm, _ := s.Get("emb.e")
	v := graph.Float64s(prm.Value)
	var sum, sq float64
	for i, x := range v {
		if i/40 == 7 {
			if x != 0 {
				t.Fatalf("padding row starts with %g, want 0", x)
			}
			continue
		}
		sum += x
		sq += x * x
	}
	n := float64(49 * 40)
	mean, std := sum/n, sq/n-(sum/n)*(sum/n)
	// N(0, 1) with 1960 draws: the mean's standard error is 0.023, the variance's 0.032.
	if mean < -0.1 || mean > 0.1 || std < 0.85 || std > 1.15 {
		t.Errorf("table mean %.3f variance %.3f, want about 0 and 1", mean, std)
	}
}

// TestEmbeddingFloat32 runs the lookup in float32 with (B,) ids and padding id 2.
func TestEmbeddingFloat32(t *testing.T) {
	s := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(14, 1)))
	e, _ := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 4, Dim: 2, PaddingID: 2})
	s.SetValues("emb.e", fixedValues(8, 0.5, 1)) // the padding row non-zero on purpose
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	ids, _ := b.IntInput("ids", 3)
	y, err := e.Forward(b, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{3, 2}) {
		t.Fatalf("output shape %v, want (3, 2)", y.Shape())
	}
	p, _ := graph.Compile(b, nil, y)
	defer p.Close()
	p.SetInts("ids", []int{3, 2, 0})
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	prm, _ := s.Get("emb.e")
	tab := graph.Float64s(prm.Value)
	requireIdentical(t, "output", p.Output(0), []float64{tab[6], tab[7], 0, 0, tab[0], tab[1]})
}

// TestEmbeddingIDOutOfRange: a bad id is a run error naming the layer, not a panic or a wrong row.
func TestEmbeddingIDOutOfRange(t *testing.T) {
	s := newStore64(15)
	e, _ := NewEmbedding(s, "items", EmbeddingConfig{Vocab: 4, Dim: 2})
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	ids, _ := b.IntInput("ids", 1, 3)
	y, _ := e.Forward(b, ids)
	p, err := graph.Compile(b, weightedLoss(t, y), y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, bad := range []int{4, -1, 1 << 40} {
		p.SetInts("ids", []int{1, bad, 0})
		err := p.Run()
		if err == nil || !strings.Contains(err.Error(), `"items"`) || !strings.Contains(err.Error(), "outside [0, 4)") {
			t.Errorf("id %d: error %v, want one naming the layer and the range", bad, err)
		}
	}
	p.SetInts("ids", []int{1, 3, 0})
	if err := p.Run(); err != nil {
		t.Errorf("good ids after bad ones: %v", err)
	}
}

func TestEmbeddingBadInput(t *testing.T) {
	for _, cfg := range []EmbeddingConfig{
		{Vocab: 0, Dim: 2}, {Vocab: 3, Dim: 0}, {Vocab: 3, Dim: 2, PaddingID: 3},
		{Vocab: 3, Dim: 2, PaddingID: -2}, {Vocab: 3, Dim: 2, Std: -1},
	} {
		if _, err := NewEmbedding(newStore64(1), "bad.emb", cfg); err == nil || !strings.Contains(err.Error(), `"bad.emb"`) {
			t.Errorf("config %+v: error %v, want one naming the layer", cfg, err)
		}
	}
	s := newStore64(1)
	e, _ := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 3, Dim: 2})
	if _, err := NewEmbedding(s, "emb", EmbeddingConfig{Vocab: 3, Dim: 2}); err == nil || !strings.Contains(err.Error(), `"emb"`) {
		t.Errorf("declared twice: %v", err)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	floats, _ := b.Input("x", 2, 3)
	ints3, _ := b.IntInput("ids3", 2, 3, 4)
	for what, in := range map[string]*gorgonia.Node{"nil": nil, "float ids": floats, "rank-3 ids": ints3} {
		if _, err := e.Forward(b, in); err == nil || !strings.Contains(err.Error(), `"emb"`) {
			t.Errorf("%s: error %v, want one naming the layer", what, err)
		}
	}
}

// TestEmbeddingDegenerateShapes checks shapes and gradients with sizes of 1, where Gorgonia tends to turn
// matrices into vectors.
func TestEmbeddingDegenerateShapes(t *testing.T) {
	for _, ids := range [][]int{{1}, {1, 1}, {2, 1}, {1, 3}} {
		for _, dim := range []int{1, 2} {
			s := newStore64(1)
			e, _ := NewEmbedding(s, "e", EmbeddingConfig{Vocab: 3, Dim: dim})
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			in, _ := b.IntInput("ids", ids...)
			y, err := e.Forward(b, in)
			if err != nil {
				t.Fatal(err)
			}
			if want := append(append(tensor.Shape{}, ids...), dim); !y.Shape().Eq(want) || y.Dims() != len(want) {
				t.Fatalf("ids %v, dim %d: output shape %v, want %v", ids, dim, y.Shape(), want)
			}
			checkGrads(t, b, weightedLoss(t, y), func(p *graph.Program) {
				v := make([]int, in.Shape().TotalSize())
				for i := range v {
					v[i] = (i + 1) % 3 // includes the padding id 0 when there are 3 or more
				}
				p.SetInts("ids", v)
			})
		}
	}
}
