package layers

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

func TestPositionalGradients(t *testing.T) {
	for _, kind := range []string{"learned", "sinusoidal"} {
		t.Run(kind, func(t *testing.T) {
			s := newStore64(41)
			var layer Layer
			if kind == "learned" {
				l, err := NewLearnedPositional(s, "pos", PositionalConfig{MaxLen: 5, Dim: 3})
				if err != nil {
					t.Fatal(err)
				}
				layer = l
			} else {
				layer, _ = NewSinusoidal("pos", PositionalConfig{MaxLen: 5, Dim: 3})
			}
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			x := paramInput(t, s, b, "x", fixedValues(2*4*3, 0.2, 2), 2, 4, 3)
			y, err := layer.Forward(b, x)
			if err != nil {
				t.Fatal(err)
			}
			// Through a tanh, so the gradient depends on the positional values.
			th, err := gorgonia.Tanh(y)
			if err != nil {
				t.Fatal(err)
			}
			checkAllLearnablesInStore(t, b)
			checkGrads(t, b, weightedLoss(t, th), nil)
		})
	}
}

// TestSinusoidalTable compares with the encoding as PyTorch's tutorial writes it,
// div_i = exp(−2i·ln(10000)/D), PE[t, 2i] = sin(t·div_i), PE[t, 2i+1] = cos(t·div_i), and checks that
// Forward adds it to every sequence of the batch.
func TestSinusoidalTable(t *testing.T) {
	const steps, d = 7, 5 // odd D: the last feature is a sine
	s, err := NewSinusoidal("pe", PositionalConfig{MaxLen: 10, Dim: d})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, steps*d)
	for pos := 0; pos < steps; pos++ {
		for i := 0; 2*i < d; i++ {
			div := math.Exp(-float64(2*i) * math.Log(10000) / d)
			want[pos*d+2*i] = math.Sin(float64(pos) * div)
			if 2*i+1 < d {
				want[pos*d+2*i+1] = math.Cos(float64(pos) * div)
			}
		}
	}
	requireClose(t, "table", s.Table(steps), want, 1e-12)

	b := graph.NewBuilder(newStore64(1), graph.BuilderConfig{})
	x, _ := b.Input("x", 2, steps, d)
	y, err := s.Forward(b, x)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.Compile(b, nil, y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	xv := fixedValues(2*steps*d, 0.3, 1)
	p.Set("x", xv)
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	sum := make([]float64, len(xv))
	for i := range xv {
		sum[i] = xv[i] + want[i%(steps*d)]
	}
	requireClose(t, "x + PE", p.Output(0), sum, 1e-12)
}

// TestLearnedPositionalValues: y = x + P[t], and rows of P beyond T get no gradient.
func TestLearnedPositionalValues(t *testing.T) {
	s := newStore64(42)
	l, _ := NewLearnedPositional(s, "pos", PositionalConfig{MaxLen: 5, Dim: 2})
	table := fixedValues(10, 0.9, 1)
	s.SetValues("pos.p", table)
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 2, 3, 2)
	y, _ := l.Forward(b, x)
	p, err := graph.Compile(b, weightedLoss(t, y), y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	xv := fixedValues(12, 0.1, 1)
	p.Set("x", xv)
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	r := fixedValues(12, 0.7, 1) // weightedLoss's weights
	want, wantGrad := make([]float64, 12), make([]float64, 10)
	for i := range xv {
		row := (i / 2) % 3 // position of element i
		want[i] = xv[i] + table[row*2+i%2]
		wantGrad[row*2+i%2] += r[i]
	}
	requireIdentical(t, "output", p.Output(0), want)
	requireClose(t, "gradient", gradValues(t, p, "pos.p"), wantGrad, 1e-15)
	if s.Size() != 10 {
		t.Errorf("store holds %d weights, want the 5×2 table", s.Size())
	}
}

// positionalThenPool adds positions, then mean-pools: a positional layer is exact under padding as long
// as what follows it ignores padded positions.
type positionalThenPool struct{ pos Layer }

func (l positionalThenPool) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := l.pos.Forward(b, x)
	if err != nil {
		return nil, err
	}
	return MeanPool(b, y, mask)
}

func TestPositionalMaskingIsExact(t *testing.T) {
	const real, padded = 3, 6
	events := fixedValues(real*3, 0.9, 1.2)
	garbage := fixedValues((padded-real)*3, 4.1, 30)
	builds := map[string]func(s *graph.Store) (SeqLayer, error){
		"learned": func(s *graph.Store) (SeqLayer, error) {
			l, err := NewLearnedPositional(s, "pos", PositionalConfig{MaxLen: 8, Dim: 3})
			return positionalThenPool{l}, err
		},
		"sinusoidal": func(*graph.Store) (SeqLayer, error) {
			l, err := NewSinusoidal("pos", PositionalConfig{MaxLen: 8, Dim: 3})
			return positionalThenPool{l}, err
		},
	}
	for name, build := range builds {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s/%v", name, dt), func(t *testing.T) {
				a := runSeqLayer(t, dt, build, 3, real, real, events)
				b := runSeqLayer(t, dt, build, 3, padded, real, append(append([]float64(nil), events...), garbage...))
				requireIdentical(t, "output", b.out, a.out)
				for p, ga := range a.grads {
					gb := b.grads[p]
					if p == "x" {
						gb = gb[:len(ga)]
					}
					requireIdentical(t, "gradient of "+p, gb, ga)
				}
			})
		}
	}
}

func TestPositionalBadInput(t *testing.T) {
	for _, cfg := range []PositionalConfig{{MaxLen: 0, Dim: 2}, {MaxLen: 3, Dim: 0}, {MaxLen: 3, Dim: 2, Std: -1}} {
		if _, err := NewLearnedPositional(newStore64(1), "bad.pos", cfg); err == nil || !strings.Contains(err.Error(), `"bad.pos"`) {
			t.Errorf("learned, config %+v: error %v, want one naming the layer", cfg, err)
		}
		if _, err := NewSinusoidal("bad.pos", cfg); err == nil || !strings.Contains(err.Error(), `"bad.pos"`) {
			t.Errorf("sinusoidal, config %+v: error %v, want one naming the layer", cfg, err)
		}
	}
	s := newStore64(1)
	cfg := PositionalConfig{MaxLen: 4, Dim: 3}
	l, _ := NewLearnedPositional(s, "pos", cfg)
	if _, err := NewLearnedPositional(s, "pos", cfg); err == nil || !strings.Contains(err.Error(), `"pos"`) {
		t.Errorf("declared twice: %v", err)
	}
	sin, _ := NewSinusoidal("pos", cfg)
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	long, _ := b.Input("long", 2, 5, 3)
	wide, _ := b.Input("wide", 2, 4, 4)
	flat, _ := b.Input("flat", 2, 3)
	for _, layer := range []Layer{l, sin} {
		for what, x := range map[string]*gorgonia.Node{"nil": nil, "too long": long, "wrong features": wide, "rank 2": flat} {
			if _, err := layer.Forward(b, x); err == nil || !strings.Contains(err.Error(), `"pos"`) {
				t.Errorf("%T, %s: error %v, want one naming the layer", layer, what, err)
			}
		}
	}
}
