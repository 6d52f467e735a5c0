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

// poolLengths has a full row, a padded row and a row with no real position.
var poolLengths = []int{4, 2, 0}

// poolFunc adapts MeanPool and LastPool to SeqLayer.
type poolFunc func(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error)

func (f poolFunc) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	return f(b, x, mask)
}

// attnPoolOut and attnPoolAlpha adapt AttentionPool to SeqLayer: its pooled output, or its weights.
type attnPoolOut struct{ *AttentionPool }
type attnPoolAlpha struct{ *AttentionPool }

func (a attnPoolOut) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	y, _, err := a.AttentionPool.Forward(b, x, mask)
	return y, err
}
func (a attnPoolAlpha) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	_, w, err := a.AttentionPool.Forward(b, x, mask)
	return w, err
}

// pools builds each pooling on a store: D = 3 features, attention hidden size 4.
var pools = map[string]func(s *graph.Store) (SeqLayer, error){
	"mean": func(*graph.Store) (SeqLayer, error) { return poolFunc(MeanPool), nil },
	"last": func(*graph.Store) (SeqLayer, error) { return poolFunc(LastPool), nil },
	"attention": func(s *graph.Store) (SeqLayer, error) {
		a, err := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: 3, Hidden: 4})
		if err != nil {
			return nil, err
		}
		// A non-zero bias, so that a row of zeros does not score exactly 0.
		return attnPoolOut{a}, s.SetValues("pool.b", []float64{0.2, -0.4, 0.1, 0.3})
	},
	"attention weights": func(s *graph.Store) (SeqLayer, error) {
		a, err := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: 3, Hidden: 4})
		return attnPoolAlpha{a}, err
	},
}

func TestPoolingGradients(t *testing.T) {
	for name, build := range pools {
		t.Run(name, func(t *testing.T) {
			s := newStore64(31)
			layer, err := build(s)
			if err != nil {
				t.Fatal(err)
			}
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			x := paramInput(t, s, b, "x", fixedValues(3*4*3, 0.2, 2), 3, 4, 3)
			mask, _ := b.Input("mask", 3, 4)
			y, err := layer.Forward(b, x, mask)
			if err != nil {
				t.Fatal(err)
			}
			checkAllLearnablesInStore(t, b)
			checkGrads(t, b, weightedLoss(t, y), func(p *graph.Program) {
				p.Set("mask", prefixMask(poolLengths, 4))
			})
		})
	}
}

// TestPoolingMaskingIsExact: 3 events alone (T = 3) and padded with garbage to T = 6 pool to bit-for-bit
// the same vector, with the same gradients (of the attention parameters and of x at the real positions).
func TestPoolingMaskingIsExact(t *testing.T) {
	const real, padded = 3, 6
	events := fixedValues(real*3, 0.9, 1.2)
	garbage := fixedValues((padded-real)*3, 4.1, 30)
	for name, build := range pools {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s/%v", name, dt), func(t *testing.T) {
				a := runSeqLayer(t, dt, build, 3, real, real, events)
				b := runSeqLayer(t, dt, build, 3, padded, real, append(append([]float64(nil), events...), garbage...))
				if name == "attention weights" {
					for i, w := range b.out[real:] {
						if w != 0 {
							t.Errorf("weight at padded position %d is %g, want exactly 0", real+i, w)
						}
					}
					b.out = b.out[:real]
				}
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

// poolRun runs layer on x (3, 4, 3) with poolLengths and returns its output.
func poolRun(t *testing.T, layer SeqLayer, s *graph.Store, x []float64) []float64 {
	t.Helper()
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	xn, _ := b.Input("x", 3, 4, 3)
	mask, _ := b.Input("mask", 3, 4)
	y, err := layer.Forward(b, xn, mask)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.Compile(b, nil, y)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Set("x", x)
	p.Set("mask", prefixMask(poolLengths, 4))
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), p.Output(0)...)
}

// TestMeanAndLastPoolValues compares with plain Go loops over the definitions.
func TestMeanAndLastPoolValues(t *testing.T) {
	x := fixedValues(3*4*3, 0.5, 2)
	mean, last := make([]float64, 9), make([]float64, 9)
	for bi, n := range poolLengths {
		for d := 0; d < 3; d++ {
			for tt := 0; tt < n; tt++ {
				mean[bi*3+d] += x[(bi*4+tt)*3+d]
			}
			mean[bi*3+d] /= math.Max(float64(n), 1)
			if n > 0 {
				last[bi*3+d] = x[(bi*4+n-1)*3+d]
			}
		}
	}
	requireClose(t, "mean pool", poolRun(t, poolFunc(MeanPool), newStore64(1), x), mean, 1e-15)
	requireIdentical(t, "last pool", poolRun(t, poolFunc(LastPool), newStore64(1), x), last)
}

// TestAttentionPoolValues compares the weights with the formula in AttentionPool's doc comment computed
// in plain Go, and checks that they sum to 1 over real positions, are exactly 0 at padding, and that the
// pooled vector is their weighted sum.
func TestAttentionPoolValues(t *testing.T) {
	s := newStore64(32)
	a, err := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: 3, Hidden: 4})
	if err != nil {
		t.Fatal(err)
	}
	w, bias, v := fixedValues(12, 0.3, 1), []float64{0.2, -0.4, 0.1, 0.3}, fixedValues(4, 0.8, 2)
	s.SetValues("pool.w", w)
	s.SetValues("pool.b", bias)
	s.SetValues("pool.v", v)
	x := fixedValues(3*4*3, 0.5, 2)
	pooled := poolRun(t, attnPoolOut{a}, s, x)
	weights := poolRun(t, attnPoolAlpha{a}, s, x)
	wantW, wantY := make([]float64, 12), make([]float64, 9)
	for bi, n := range poolLengths {
		scores := make([]float64, n)
		var z float64
		for tt := range scores {
			for h := 0; h < 4; h++ {
				u := bias[h]
				for d := 0; d < 3; d++ {
					u += x[(bi*4+tt)*3+d] * w[d*4+h]
				}
				scores[tt] += v[h] * math.Tanh(u)
			}
			z += math.Exp(scores[tt])
		}
		sum := 0.0
		for tt, sc := range scores {
			wantW[bi*4+tt] = math.Exp(sc) / z
			sum += weights[bi*4+tt]
			for d := 0; d < 3; d++ {
				wantY[bi*3+d] += wantW[bi*4+tt] * x[(bi*4+tt)*3+d]
			}
		}
		if n > 0 && math.Abs(sum-1) > 1e-15 {
			t.Errorf("row %d: weights sum to %.17g over real positions, want 1", bi, sum)
		}
		for tt := n; tt < 4; tt++ {
			if weights[bi*4+tt] != 0 {
				t.Errorf("row %d: weight %g at padded position %d, want exactly 0", bi, weights[bi*4+tt], tt)
			}
		}
	}
	requireClose(t, "weights", weights, wantW, 1e-15)
	requireClose(t, "pooled", pooled, wantY, 1e-15)
}

func TestPoolingBadInput(t *testing.T) {
	for _, cfg := range []AttentionPoolConfig{{Dim: 0}, {Dim: 3, Hidden: -1}} {
		if _, err := NewAttentionPool(newStore64(1), "bad.pool", cfg); err == nil || !strings.Contains(err.Error(), `"bad.pool"`) {
			t.Errorf("config %+v: error %v, want one naming the layer", cfg, err)
		}
	}
	s := newStore64(1)
	a, _ := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: 3})
	if _, err := NewAttentionPool(s, "pool", AttentionPoolConfig{Dim: 3}); err == nil || !strings.Contains(err.Error(), `"pool"`) {
		t.Errorf("declared twice: %v", err)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 2, 4, 3)
	x5, _ := b.Input("x5", 2, 4, 5)
	flat, _ := b.Input("flat", 2, 3)
	mask, _ := b.Input("mask", 2, 4)
	short, _ := b.Input("short", 2, 3)
	cases := map[string][2]*gorgonia.Node{
		"nil input": {nil, mask}, "rank 2": {flat, mask}, "nil mask": {x, nil}, "mask too short": {x, short},
	}
	layers := map[string]SeqLayer{"mean pool": poolFunc(MeanPool), "last pool": poolFunc(LastPool), `"pool"`: attnPoolOut{a}}
	for lname, layer := range layers {
		for what, in := range cases {
			if _, err := layer.Forward(b, in[0], in[1]); err == nil || !strings.Contains(err.Error(), lname) {
				t.Errorf("%s, %s: error %v, want one naming the layer", lname, what, err)
			}
		}
	}
	if _, _, err := a.Forward(b, x5, mask); err == nil || !strings.Contains(err.Error(), `"pool"`) {
		t.Errorf("attention pool, wrong features: error %v, want one naming the layer", err)
	}
}
