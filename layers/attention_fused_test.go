package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// The fused attention ops' case: B = 2 sequences of T = 4 steps (lengths 4 and 2), H = 2 heads of width
// 3 (D = 6), and a dropout multiplier of 0s and 2s (rate 0.5).
const fusedB, fusedT, fusedH, fusedDh = 2, 4, 2, 3

func fusedCase() (q, k, v, mask, drop []float64) {
	n := fusedB * fusedT * fusedH * fusedDh
	drop = fixedValues(fusedB*fusedH*fusedT*fusedT, 0.9, 1)
	for i, r := range drop {
		drop[i] = float64(2 * b2i(r > 0))
	}
	return fixedValues(n, 0.1, 2), fixedValues(n, 0.2, 2), fixedValues(n, 0.3, 1), prefixMask([]int{4, 2}, fusedT), drop
}

// attnReference computes the weights P (B·H, T, T) and the output C (B, T, D) from their definitions in
// float64 loops: S = Q_h·K_hᵀ/√d + maskedKey at padded (and, when causal, later) keys, P = softmax(S)
// with math.Exp, C_h = (P ⊙ M)·V_h; drop nil is M = 1.
func attnReference(q, k, v, mask, drop []float64, causal bool) (p, c []float64) {
	const d = fusedH * fusedDh
	p, c = make([]float64, fusedB*fusedH*fusedT*fusedT), make([]float64, len(v))
	for b := range fusedB {
		for h := range fusedH {
			n := b*fusedH + h
			for i := range fusedT {
				row := p[(n*fusedT+i)*fusedT : (n*fusedT+i+1)*fusedT]
				mx := math.Inf(-1)
				for j := range row {
					for e := range fusedDh {
						row[j] += q[(b*fusedT+i)*d+h*fusedDh+e] * k[(b*fusedT+j)*d+h*fusedDh+e]
					}
					row[j] = row[j]/math.Sqrt(fusedDh) + (1-mask[b*fusedT+j])*maskedKey
					if causal && j > i {
						row[j] += maskedKey
					}
					mx = max(mx, row[j])
				}
				var sum float64
				for j := range row {
					row[j] = math.Exp(row[j] - mx)
					sum += row[j]
				}
				for j := range row {
					row[j] /= sum
					w := row[j]
					if drop != nil {
						w *= drop[(n*fusedT+i)*fusedT+j]
					}
					for e := range fusedDh {
						c[(b*fusedT+i)*d+h*fusedDh+e] += w * v[(b*fusedT+j)*d+h*fusedDh+e]
					}
				}
			}
		}
	}
	return p, c
}

// fusedAttention adds attnProbs and attnContext on the inputs q, k, v (shape qs), mask and, unless
// noDrop, the multiplier "drop".
func fusedAttention(t *testing.T, b *graph.Builder, q, k, v *gorgonia.Node, noDrop, causal bool) (p, c *gorgonia.Node) {
	t.Helper()
	mask, _ := b.Input("mask", fusedB, fusedT)
	var drop *gorgonia.Node
	if !noDrop {
		drop, _ = b.Input("drop", fusedB*fusedH, fusedT, fusedT)
	}
	p, err := attnProbs(q, k, mask, fusedH, causal)
	if err != nil {
		t.Fatal(err)
	}
	c, err = attnContext(p, v, mask, drop, fusedH)
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// TestAttentionFusedMatchesDefinition: the fused ops compute what attnReference computes, to 1e-14 in
// float64 and 1e-5 in float32, in both projection layouts, with and without dropout and the causal
// mask; hidden keys get exactly zero weight.
func TestAttentionFusedMatchesDefinition(t *testing.T) {
	q, k, v, mask, drop := fusedCase()
	const d = fusedH * fusedDh
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, shape := range []tensor.Shape{{fusedB, fusedT, d}, {fusedB * fusedT, d}} {
			for _, c := range []struct{ noDrop, causal bool }{{true, false}, {false, false}, {false, true}} {
				name := fmt.Sprintf("%v %v dropout=%v causal=%v", dt, shape, !c.noDrop, c.causal)
				s := graph.NewStore(dt, rand.New(rand.NewPCG(1, 1)))
				b := graph.NewBuilder(s, graph.BuilderConfig{})
				qn, _ := b.Input("q", shape...)
				kn, _ := b.Input("k", shape...)
				vn, _ := b.Input("v", shape...)
				pn, cn := fusedAttention(t, b, qn, kn, vn, c.noDrop, c.causal)
				if !cn.Shape().Eq(shape) {
					t.Fatalf("%s: output shape %v", name, cn.Shape())
				}
				prog, err := graph.Compile(b, nil, pn, cn)
				if err != nil {
					t.Fatal(err)
				}
				for in, vals := range map[string][]float64{"q": q, "k": k, "v": v, "mask": mask} {
					prog.Set(in, vals)
				}
				m := drop
				if c.noDrop {
					m = nil
				} else {
					prog.Set("drop", drop)
				}
				if err := prog.Run(); err != nil {
					t.Fatal(err)
				}
				wantP, wantC := attnReference(q, k, v, mask, m, c.causal)
				tol := 1e-14
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				closeTo(t, name+": P", prog.Output(0), wantP, tol)
				closeTo(t, name+": C", prog.Output(1), wantC, 4*tol)
				for i, w := range prog.Output(0) {
					if (wantP[i] == 0) != (w == 0) {
						t.Errorf("%s: P[%d] = %g, reference %g", name, i, w, wantP[i])
					}
				}
				prog.Close()
			}
		}
	}
}

// TestAttentionFusedGradients checks both ops' hand-written gradients for q, k and v against central
// differences (float64, relative error ≤ 1e-6), with padding, the causal mask and a dropout multiplier;
// the loss weighs both the weights and the output, so ∂L/∂P has both parts.
func TestAttentionFusedGradients(t *testing.T) {
	q, k, v, mask, drop := fusedCase()
	const d = fusedH * fusedDh
	for _, c := range []struct{ noDrop, causal bool }{{true, false}, {false, false}, {false, true}} {
		s := newStore64(31)
		b := graph.NewBuilder(s, graph.BuilderConfig{})
		qn := paramInput(t, s, b, "q", q, fusedB, fusedT, d)
		kn := paramInput(t, s, b, "k", k, fusedB, fusedT, d)
		vn := paramInput(t, s, b, "v", v, fusedB, fusedT, d)
		pn, cn := fusedAttention(t, b, qn, kn, vn, c.noDrop, c.causal)
		loss := attnAdd(t, weightedLoss(t, cn), weightedLoss(t, pn))
		checkGrads(t, b, loss, func(p *graph.Program) {
			p.Set("mask", mask)
			if !c.noDrop {
				p.Set("drop", drop)
			}
		})
	}
}

// TestAttentionDropoutGradients checks a training graph's attention (dropout 0.5 on the weights, the
// masks drawn once and held) against central differences, as TestAttentionGradients does without.
func TestAttentionDropoutGradients(t *testing.T) {
	s := newStore64(32)
	a, err := NewMultiHeadAttention(s, "mha", AttentionConfig{Dim: 4, Heads: 2, Dropout: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	attnFill(t, s, 0.8)
	b := graph.NewBuilder(s, graph.BuilderConfig{Train: true, Seed: 5})
	x := paramInput(t, s, b, "x", fixedValues(2*4*4, 0.2, 1.5), 2, 4, 4)
	mask, _ := b.Input("mask", 2, 4)
	y, _, err := a.Forward(b, x, mask)
	if err != nil {
		t.Fatal(err)
	}
	attnCheckGrads(t, b, weightedLoss(t, y), func(p *graph.Program) { p.Set("mask", prefixMask([]int{4, 2}, 4)) })
}

// TestAttentionFusedBadInput: values that do not fit are errors from Do, not panics.
func TestAttentionFusedBadInput(t *testing.T) {
	dense := func(shape ...int) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(make([]float64, tensor.Shape(shape).TotalSize())))
	}
	x, mask, w := dense(2, 4, 6), dense(2, 4), dense(4, 4, 4)
	f32 := tensor.New(tensor.WithShape(2, 4, 6), tensor.WithBacking(make([]float32, 48)))
	probs, ctx := &attnProbsOp{heads: 2}, &attnContextOp{heads: 2}
	for _, c := range []struct {
		name string
		op   gorgonia.Op
		in   []gorgonia.Value
	}{
		{"keys of another shape", probs, []gorgonia.Value{x, dense(2, 4, 4), mask}},
		{"mask that does not fit", probs, []gorgonia.Value{x, x, dense(3, 4)}},
		{"heads that do not divide D", &attnProbsOp{heads: 4}, []gorgonia.Value{x, x, mask}},
		{"mixed dtypes", probs, []gorgonia.Value{x, f32, mask}},
		{"weights of another shape", ctx, []gorgonia.Value{dense(4, 4, 3), x, mask}},
		{"dropout of another shape", &attnContextOp{heads: 2, dropout: true}, []gorgonia.Value{w, x, mask, dense(4, 3, 4)}},
		{"weight gradient of another shape", &attnProbsGradOp{heads: 2}, []gorgonia.Value{x, x, mask, w, dense(4, 4, 3)}},
		{"output gradient of another shape", &attnContextGradOp{fwd: ctx}, []gorgonia.Value{w, x, mask, dense(2, 4, 5)}},
	} {
		if _, err := c.op.Do(c.in...); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
