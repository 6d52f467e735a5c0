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

var conv1DConfigs = []Conv1DConfig{
	{In: 3, Out: 2, Kernel: 3, Activation: Tanh},
	{In: 3, Out: 2, Kernel: 3, Activation: Tanh, Causal: true},
	{In: 3, Out: 2, Kernel: 2, Causal: true, NoBias: true},
	{In: 3, Out: 2, Kernel: 5, Activation: ReLU},
}

func TestConv1DGradients(t *testing.T) {
	for _, cfg := range conv1DConfigs {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			s := newStore64(21)
			c, err := NewConv1D(s, "conv", cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.NoBias {
				s.SetValues("conv.b", []float64{0.3, -0.2}) // non-zero, so ReLU's kinks are away from 0
			}
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			x := paramInput(t, s, b, "x", fixedValues(2*5*3, 0.2, 2), 2, 5, 3)
			mask, _ := b.Input("mask", 2, 5)
			y, err := c.Forward(b, x, mask)
			if err != nil {
				t.Fatal(err)
			}
			if !y.Shape().Eq(tensor.Shape{2, 5, 2}) {
				t.Fatalf("output shape %v, want (2, 5, 2)", y.Shape())
			}
			checkAllLearnablesInStore(t, b)
			checkGrads(t, b, weightedLoss(t, y), func(p *graph.Program) {
				p.Set("mask", prefixMask([]int{5, 3}, 5))
			})
		})
	}
}

// conv1DByHand is the convolution written as loops over the definition in Conv1D's doc comment.
func conv1DByHand(cfg Conv1DConfig, x, mask, w, bias []float64, bs, steps int) []float64 {
	k, in, out := cfg.Kernel, cfg.In, cfg.Out
	left := (k - 1) / 2
	if cfg.Causal {
		left = k - 1
	}
	y := make([]float64, bs*steps*out)
	for bi := 0; bi < bs; bi++ {
		for t := 0; t < steps; t++ {
			if mask[bi*steps+t] == 0 {
				continue
			}
			for o := 0; o < out; o++ {
				v := 0.0
				if bias != nil {
					v = bias[o]
				}
				for j := 0; j < k; j++ {
					p := t + j - left
					if p < 0 || p >= steps || mask[bi*steps+p] == 0 {
						continue
					}
					for i := 0; i < in; i++ {
						v += x[(bi*steps+p)*in+i] * w[(j*in+i)*out+o]
					}
				}
				switch cfg.Activation {
				case Tanh:
					v = math.Tanh(v)
				case ReLU:
					v = math.Max(v, 0)
				}
				y[(bi*steps+t)*out+o] = v
			}
		}
	}
	return y
}

func TestConv1DMatchesDefinition(t *testing.T) {
	for _, cfg := range conv1DConfigs {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			s := newStore64(22)
			c, _ := NewConv1D(s, "conv", cfg)
			w := fixedValues(cfg.Kernel*cfg.In*cfg.Out, 0.6, 1)
			s.SetValues("conv.w", w)
			var bias []float64
			if !cfg.NoBias {
				bias = []float64{0.3, -0.2}
				s.SetValues("conv.b", bias)
			}
			b := graph.NewBuilder(s, graph.BuilderConfig{})
			x, _ := b.Input("x", 2, 6, 3)
			mask, _ := b.Input("mask", 2, 6)
			y, _ := c.Forward(b, x, mask)
			p, err := graph.Compile(b, nil, y)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			xv, mv := fixedValues(2*6*3, 0.1, 2), prefixMask([]int{6, 4}, 6)
			p.Set("x", xv)
			p.Set("mask", mv)
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			requireClose(t, "output", p.Output(0), conv1DByHand(cfg, xv, mv, w, bias, 2, 6), 1e-14)
		})
	}
}

// TestConv1DMaskingIsExact: the same 3 events alone (T = 3) and padded with garbage to T = 6 give
// bit-for-bit the same outputs at the real positions and the same gradients.
func TestConv1DMaskingIsExact(t *testing.T) {
	const real, padded = 3, 6
	events := fixedValues(real*3, 0.9, 1.2)
	garbage := fixedValues((padded-real)*3, 4.1, 30)
	for _, cfg := range append(conv1DConfigs, Conv1DConfig{In: 3, Out: 2, Kernel: 5, Causal: true}) {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%v/%+v", dt, cfg), func(t *testing.T) {
				build := func(s *graph.Store) (SeqLayer, error) { return NewConv1D(s, "conv", cfg) }
				a := runSeqLayer(t, dt, build, 3, real, real, events)
				b := runSeqLayer(t, dt, build, 3, padded, real, append(append([]float64(nil), events...), garbage...))
				requireIdentical(t, "output", b.out[:len(a.out)], a.out)
				for name, ga := range a.grads {
					gb := b.grads[name]
					if name == "x" {
						gb = gb[:len(ga)]
					}
					requireIdentical(t, "gradient of "+name, gb, ga)
				}
			})
		}
	}
}

func TestConv1DBadInput(t *testing.T) {
	for _, cfg := range []Conv1DConfig{
		{In: 0, Out: 2}, {In: 2, Out: 0}, {In: 2, Out: 2, Kernel: -1}, {In: 2, Out: 2, Kernel: 4},
		{In: 2, Out: 2, Activation: "swish"},
	} {
		if _, err := NewConv1D(newStore64(1), "bad.conv", cfg); err == nil || !strings.Contains(err.Error(), `"bad.conv"`) {
			t.Errorf("config %+v: error %v, want one naming the layer", cfg, err)
		}
	}
	s := newStore64(1)
	c, err := NewConv1D(s, "conv", Conv1DConfig{In: 3, Out: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewConv1D(s, "conv", Conv1DConfig{In: 3, Out: 2}); err == nil || !strings.Contains(err.Error(), `"conv"`) {
		t.Errorf("declared twice: %v", err)
	}
	b := graph.NewBuilder(s, graph.BuilderConfig{})
	x, _ := b.Input("x", 2, 4, 3)
	wrongFeatures, _ := b.Input("x5", 2, 4, 5)
	flat, _ := b.Input("flat", 2, 3)
	mask, _ := b.Input("mask", 2, 4)
	shortMask, _ := b.Input("short", 2, 3)
	for what, in := range map[string][2]*gorgonia.Node{
		"nil input": {nil, mask}, "wrong features": {wrongFeatures, mask}, "rank 2": {flat, mask},
		"nil mask": {x, nil}, "mask too short": {x, shortMask},
	} {
		if _, err := c.Forward(b, in[0], in[1]); err == nil || !strings.Contains(err.Error(), `"conv"`) {
			t.Errorf("%s: error %v, want one naming the layer", what, err)
		}
	}
}
