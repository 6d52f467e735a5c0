package layers

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Fused layer normalisation: one op forward and one per gradient, instead of about ten Gorgonia nodes
// (two means, broadcast subtract, square, √, broadcast divide, scale, shift) with their broadcast
// copies and per-node allocations. On rows x (D) of a tensor of any rank, with γ, β (D) and
// r = 1/√(σ² + ε):
//
//	x̂ = (x − μ)·r,  y = γ ⊙ x̂ + β                                  (layerNormOp)
//	∂x = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)),  g = γ ⊙ ∂y            (layerNormGradOp)
//	∂γ = Σ_rows ∂y ⊙ x̂,  ∂β = Σ_rows ∂y                             (layerNormGammaGradOp, colSumOp)
//
// With a residual input (post-norm blocks) the op normalises x + res, and both get ∂x. Row statistics
// are accumulated in float64 for either dtype. The gradient ops recompute μ and r from x, an O(N·D) pass
// that costs less than keeping state between ops.
type layerNormOp struct {
	cpuOp
	eps      float64
	residual bool // inputs (x, res, γ, β) instead of (x, γ, β)
	out      *tensor.Dense
}

// layerNorm returns LN(x) (or LN(x + res) when res is not nil) over x's last axis.
func layerNorm(x, res, gamma, beta *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	if res != nil {
		return gorgonia.ApplyOp(&layerNormOp{eps: eps, residual: true}, x, res, gamma, beta)
	}
	return gorgonia.ApplyOp(&layerNormOp{eps: eps}, x, gamma, beta)
}

func (op *layerNormOp) Arity() int {
	if op.residual {
		return 4
	}
	return 3
}

// Type is polymorphic in x's rank as well as its dtype; InferShape and Do check the shapes.
func (op *layerNormOp) Type() hm.Type {
	a, x := hm.TypeVariable('a'), hm.TypeVariable('b')
	vec := &gorgonia.TensorType{Dims: 1, Of: a}
	if op.residual {
		return hm.NewFnType(x, x, vec, vec, x)
	}
	return hm.NewFnType(x, vec, vec, x)
}

func (op *layerNormOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

func (op *layerNormOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, err
	}
	x, res, gamma, beta := in[0], (*tensor.Dense)(nil), in[1], in[2]
	if op.residual {
		res, gamma, beta = in[1], in[2], in[3]
	}
	d, err := rowWidth(op, x, gamma, beta)
	if err != nil {
		return nil, err
	}
	if res != nil && (!res.Shape().Eq(x.Shape()) || res.Dtype() != x.Dtype()) {
		return nil, fmt.Errorf("%v: residual %v %v differs from input %v %v", op, res.Shape(), res.Dtype(), x.Shape(), x.Dtype())
	}
	op.out = ownBuffer(op.out, x)
	switch xd := x.Data().(type) {
	case []float64:
		var rd []float64
		if res != nil {
			rd = res.Data().([]float64)
		}
		layerNormRows(xd, rd, gamma.Data().([]float64), beta.Data().([]float64), op.out.Data().([]float64), d, op.eps)
	case []float32:
		var rd []float32
		if res != nil {
			rd = res.Data().([]float32)
		}
		layerNormRows(xd, rd, gamma.Data().([]float32), beta.Data().([]float32), op.out.Data().([]float32), d, op.eps)
	default:
		return nil, checkFloat(op, x.Dtype())
	}
	return op.out, nil
}

// rowStats returns the mean and 1/√(σ² + ε) of row (+ res when res is not nil), in float64.
func rowStats[F float32 | float64](row, res []F, eps float64) (mu, r float64) {
	var s float64
	for j, v := range row {
		if res != nil {
			v += res[j]
		}
		s += float64(v)
	}
	mu = s / float64(len(row))
	var v2 float64
	for j, v := range row {
		if res != nil {
			v += res[j]
		}
		c := float64(v) - mu
		v2 += c * c
	}
	return mu, 1 / math.Sqrt(v2/float64(len(row))+eps)
}

func layerNormRows[F float32 | float64](x, res, gamma, beta, dst []F, d int, eps float64) {
	forRows(len(x)/d, d, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row, out := x[n*d:(n+1)*d], dst[n*d:(n+1)*d]
			var rr []F
			if res != nil {
				rr = res[n*d : (n+1)*d]
			}
			mu, r := rowStats(row, rr, eps)
			for j, v := range row {
				if rr != nil {
					v += rr[j]
				}
				out[j] = gamma[j]*F((float64(v)-mu)*r) + beta[j]
			}
		}
	})
}

func (op *layerNormOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.layernorm eps=%v residual=%v", op.eps, op.residual)
}
func (op *layerNormOp) Hashcode() uint32 { return hashOf(op) }
func (op *layerNormOp) String() string {
	if op.residual {
		return fmt.Sprintf("LayerNorm(x+res, eps=%g)", op.eps)
	}
	return fmt.Sprintf("LayerNorm(eps=%g)", op.eps)
}

func (op *layerNormOp) DiffWRT(n int) []bool { return allTrue(n) }

// SymDiff: ∂x (also ∂res), ∂γ and ∂β as the type's doc gives them.
func (op *layerNormOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	x, gamma := in[0], in[1]
	var res *gorgonia.Node
	if op.residual {
		res, gamma = in[1], in[2]
	}
	args := gorgonia.Nodes{x, gamma, grad}
	if res != nil {
		args = gorgonia.Nodes{x, res, gamma, grad}
	}
	dx, err := gorgonia.ApplyOp(&layerNormGradOp{eps: op.eps, residual: op.residual}, args...)
	if err != nil {
		return nil, err
	}
	args = gorgonia.Nodes{x, grad}
	if res != nil {
		args = gorgonia.Nodes{x, res, grad}
	}
	dgamma, err := gorgonia.ApplyOp(&layerNormGammaGradOp{dims: x.Dims(), eps: op.eps, residual: op.residual}, args...)
	if err != nil {
		return nil, err
	}
	dbeta, err := colSum(grad)
	if err != nil {
		return nil, err
	}
	if res != nil {
		return gorgonia.Nodes{dx, dx, dgamma, dbeta}, nil
	}
	return gorgonia.Nodes{dx, dgamma, dbeta}, nil
}

// layerNormGradOp computes ∂x from x (and res), γ and ∂y.
type layerNormGradOp struct {
	cpuOp
	eps      float64
	residual bool
	out      *tensor.Dense
}

func (op *layerNormGradOp) Arity() int {
	if op.residual {
		return 4
	}
	return 3
}
func (op *layerNormGradOp) Type() hm.Type {
	a, x := hm.TypeVariable('a'), hm.TypeVariable('b')
	vec := &gorgonia.TensorType{Dims: 1, Of: a}
	if op.residual {
		return hm.NewFnType(x, x, vec, x, x)
	}
	return hm.NewFnType(x, vec, x, x)
}
func (op *layerNormGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

func (op *layerNormGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, err
	}
	x, res, gamma, g := in[0], (*tensor.Dense)(nil), in[1], in[2]
	if op.residual {
		res, gamma, g = in[1], in[2], in[3]
	}
	d, err := rowWidth(op, x, gamma, g)
	if err != nil {
		return nil, err
	}
	op.out = ownBuffer(op.out, x)
	switch xd := x.Data().(type) {
	case []float64:
		var rd []float64
		if res != nil {
			rd = res.Data().([]float64)
		}
		layerNormGradRows(xd, rd, gamma.Data().([]float64), g.Data().([]float64), op.out.Data().([]float64), d, op.eps)
	case []float32:
		var rd []float32
		if res != nil {
			rd = res.Data().([]float32)
		}
		layerNormGradRows(xd, rd, gamma.Data().([]float32), g.Data().([]float32), op.out.Data().([]float32), d, op.eps)
	default:
		return nil, checkFloat(op, x.Dtype())
	}
	return op.out, nil
}

func layerNormGradRows[F float32 | float64](x, res, gamma, g, dst []F, d int, eps float64) {
	forRows(len(x)/d, d, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row, gr, out := x[n*d:(n+1)*d], g[n*d:(n+1)*d], dst[n*d:(n+1)*d]
			var rr []F
			if res != nil {
				rr = res[n*d : (n+1)*d]
			}
			mu, r := rowStats(row, rr, eps)
			var mg, mgx float64 // mean(γ⊙∂y), mean(γ⊙∂y⊙x̂)
			for j, v := range row {
				if rr != nil {
					v += rr[j]
				}
				gj := float64(gamma[j] * gr[j])
				mg += gj
				mgx += gj * (float64(v) - mu) * r
			}
			mg /= float64(d)
			mgx /= float64(d)
			for j, v := range row {
				if rr != nil {
					v += rr[j]
				}
				xh := (float64(v) - mu) * r
				out[j] = F(r * (float64(gamma[j]*gr[j]) - mg - xh*mgx))
			}
		}
	})
}

func (op *layerNormGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.layernormgrad eps=%v residual=%v", op.eps, op.residual)
}
func (op *layerNormGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *layerNormGradOp) String() string   { return fmt.Sprintf("LayerNormGrad(eps=%g)", op.eps) }

// layerNormGammaGradOp computes ∂γ = Σ_rows ∂y ⊙ x̂ from x (and res) and ∂y.
type layerNormGammaGradOp struct {
	cpuOp
	vecSum
	dims     int // of x
	eps      float64
	residual bool
}

func (op *layerNormGammaGradOp) Arity() int {
	if op.residual {
		return 3
	}
	return 2
}
func (op *layerNormGammaGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, vec := &gorgonia.TensorType{Dims: op.dims, Of: a}, &gorgonia.TensorType{Dims: 1, Of: a}
	if op.residual {
		return hm.NewFnType(x, x, x, vec)
	}
	return hm.NewFnType(x, x, vec)
}
func (op *layerNormGammaGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) == 0 {
		return nil, fmt.Errorf("%v: input shape is %v", op, in[0])
	}
	return tensor.Shape{s[len(s)-1]}, nil
}

func (op *layerNormGammaGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denseArgs(op, vals)
	if err != nil {
		return nil, err
	}
	x, res, g := in[0], (*tensor.Dense)(nil), in[1]
	if op.residual {
		res, g = in[1], in[2]
	}
	if x.Dims() == 0 || !x.Shape().Eq(g.Shape()) || x.Dtype() != g.Dtype() {
		return nil, fmt.Errorf("%v: input %v %v and gradient %v %v differ or are scalars", op, x.Shape(), x.Dtype(), g.Shape(), g.Dtype())
	}
	d := x.Shape()[x.Dims()-1]
	acc := op.zero(x.Dtype(), d)
	switch xd := x.Data().(type) {
	case []float64:
		var rd []float64
		if res != nil {
			rd = res.Data().([]float64)
		}
		gammaGrad(xd, rd, g.Data().([]float64), acc, d, op.eps)
	case []float32:
		var rd []float32
		if res != nil {
			rd = res.Data().([]float32)
		}
		gammaGrad(xd, rd, g.Data().([]float32), acc, d, op.eps)
	default:
		return nil, checkFloat(op, x.Dtype())
	}
	return op.value(), nil
}

func gammaGrad[F float32 | float64](x, res, g []F, acc []float64, d int, eps float64) {
	for n := 0; n < len(x)/d; n++ {
		row, gr := x[n*d:(n+1)*d], g[n*d:(n+1)*d]
		var rr []F
		if res != nil {
			rr = res[n*d : (n+1)*d]
		}
		mu, r := rowStats(row, rr, eps)
		for j, v := range row {
			if rr != nil {
				v += rr[j]
			}
			acc[j] += float64(gr[j]) * (float64(v) - mu) * r
		}
	}
}

func (op *layerNormGammaGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "intentlab.layernormgammagrad dims=%d eps=%v residual=%v", op.dims, op.eps, op.residual)
}
func (op *layerNormGammaGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *layerNormGammaGradOp) String() string {
	return fmt.Sprintf("LayerNormGammaGrad(eps=%g)", op.eps)
}
