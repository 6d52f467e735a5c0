package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Tests of the whole-sequence recurrent ops (lstm_ops.go, gru_ops.go) beyond the shared layer tests of
// recurrent_test.go.

func TestLSTMOpGradientsMaskHoles(t *testing.T) { testRecurrentMaskHoles(t, lstmKind) }
func TestLSTMOpBuffersReused(t *testing.T)      { testRecurrentRerun(t, lstmKind) }

// testRecurrentMaskHoles checks the op's gradients against central differences with a mask that
// prefixMask never gives — padding before and between real steps, a sequence with no real step, and
// mask values strictly between 0 and 1, for which the state is the blend m·s̃ + (1 − m)·s — in both
// return modes, with a batch of 3 (so the per-step products have several rows).
func testRecurrentMaskHoles(t *testing.T, kind recurrentKind) {
	const b, steps, d = 3, 5, 2
	mask := []float64{
		0, 1, 0, 1, 1,
		1, 1, 1, 0, 0,
		0, 0, 0, 0, 0,
	}
	mask[1*steps+1] = 0.3 // the second sequence's second step is a blend
	for _, seq := range []bool{false, true} {
		t.Run(fmt.Sprintf("sequence=%v", seq), func(t *testing.T) {
			s := newStore64(21)
			layer, err := kind.build(s, "rnn", RecurrentConfig{Input: d, Hiddens: []int{3, 2}, ReturnSequence: seq})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range s.Params() {
				if err := s.SetValues(p.Name, fixedValues(p.Value.Shape().TotalSize(), float64(i)+0.4, 0.9)); err != nil {
					t.Fatal(err)
				}
			}
			bld := graph.NewBuilder(s, graph.BuilderConfig{})
			x := paramInput(t, s, bld, "x", fixedValues(b*steps*d, 0.1, 1.3), b, steps, d)
			m, err := bld.Input("mask", b, steps)
			if err != nil {
				t.Fatal(err)
			}
			y, err := layer.Forward(bld, x, m)
			if err != nil {
				t.Fatal(err)
			}
			checkGrads(t, bld, weightedLoss(t, y), func(p *graph.Program) {
				if err := p.Set("mask", mask); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// testRecurrentRerun runs one program three times on changing inputs: the second input's results must
// differ from the first's, and the third (the first input again) must reproduce the first bit for bit —
// the op's reused buffers keep nothing from one run to the next. It also checks that float32 agrees
// with float64 to float32 accuracy.
func testRecurrentRerun(t *testing.T, kind recurrentKind) {
	const b, steps, d = 4, 6, 3
	cfg := RecurrentConfig{Input: d, Hiddens: []int{5, 4}, ReturnSequence: true}
	xa, xb := fixedValues(b*steps*d, 0.2, 1), fixedValues(b*steps*d, 1.7, 2)
	mask := prefixMask([]int{6, 3, 1, 5}, steps)
	results := map[tensor.Dtype][]float64{}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		s := graph.NewStore(dt, rand.New(rand.NewPCG(8, 9))) // the same initial values in both dtypes
		layer, err := kind.build(s, "rnn", cfg)
		if err != nil {
			t.Fatal(err)
		}
		bld := graph.NewBuilder(s, graph.BuilderConfig{})
		x, _ := bld.Input("x", b, steps, d)
		m, _ := bld.Input("mask", b, steps)
		y, err := layer.Forward(bld, x, m)
		if err != nil {
			t.Fatal(err)
		}
		loss := weightedLoss(t, y)
		p, err := graph.Compile(bld, loss, y)
		if err != nil {
			t.Fatal(err)
		}
		run := func(xv []float64) (out, grad []float64) {
			if err := p.Set("x", xv); err != nil {
				t.Fatal(err)
			}
			if err := p.Set("mask", mask); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			g, err := p.Grad("rnn.l0.u")
			if err != nil {
				t.Fatal(err)
			}
			return append([]float64(nil), p.Output(0)...), graph.Float64s(g)
		}
		outA, gradA := run(xa)
		outB, gradB := run(xb)
		outC, gradC := run(xa)
		p.Close()
		if equalSlices(outA, outB) || equalSlices(gradA, gradB) {
			t.Errorf("%v: a different input gave the same output or gradient", dt)
		}
		requireIdentical(t, fmt.Sprintf("%v: output of the rerun", dt), outC, outA)
		requireIdentical(t, fmt.Sprintf("%v: gradient of the rerun", dt), gradC, gradA)
		results[dt] = append(outA, gradA...)
	}
	for i, want := range results[tensor.Float64] {
		if got := results[tensor.Float32][i]; math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Fatalf("float32 value %d = %g, float64 %g", i, got, want)
		}
	}
}

func TestGRUOpGradientsMaskHoles(t *testing.T) { testRecurrentMaskHoles(t, gruKind) }
func TestGRUOpBuffersReused(t *testing.T)      { testRecurrentRerun(t, gruKind) }
