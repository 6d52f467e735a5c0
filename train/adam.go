package train

import (
	"math"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// adam is Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with PyTorch 1.13's
// bias correction, and AdamW when decoupled. At a parameter's t-th update (t = 1, 2, …):
//
//	AdamW only: p ← p·(1 − lr·wd)
//	g ← g + wd·p                      (Adam only: L2)
//	m ← β1·m + (1 − β1)·g
//	v ← β2·v + (1 − β2)·g²
//	p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
type adam struct {
	cfg       OptimizerConfig
	decoupled bool
	state     *slots
}

var _ Optimizer = (*adam)(nil)

func (o *adam) Step(params []*graph.Param, grads []tensor.Tensor, lr float64) error {
	if err := o.state.begin(params, grads, lr); err != nil {
		return err
	}
	b1, b2, wd := o.cfg.Beta1, o.cfg.Beta2, o.cfg.WeightDecay
	l2, decay := wd, 1.0
	if o.decoupled {
		l2, decay = 0, 1-lr*wd
	}
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		ps := &o.state.params[i]
		t := float64(ps.steps + 1)
		stepSize := lr / (1 - math.Pow(b1, t))
		bc2Sqrt := math.Sqrt(1 - math.Pow(b2, t))
		p32, p64, g32, g64, err := operands(o.state.name, p, grads[i], ps.size)
		if err != nil {
			return err
		}
		m, v := ps.bufs[0], ps.bufs[1]
		if p32 != nil {
			adamUpdate(p32, g32, m, v, decay, l2, b1, b2, stepSize, bc2Sqrt, o.cfg.Eps)
		} else {
			adamUpdate(p64, g64, m, v, decay, l2, b1, b2, stepSize, bc2Sqrt, o.cfg.Eps)
		}
		ps.steps++
	}
	o.state.step++
	return nil
}

// adamUpdate applies one Adam update to p in float64. The operations follow torch's order (mul_, add_,
// addcmul_, addcdiv_) so that float64 results agree with PyTorch to rounding.
func adamUpdate[T float32 | float64](p, g []T, m, v []float64, decay, l2, b1, b2, stepSize, bc2Sqrt, eps float64) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		pi := float64(p[i])
		if decay != 1 {
			pi *= decay
		}
		gi := float64(g[i])
		if l2 != 0 {
			gi += l2 * pi
		}
		m[i] = m[i]*b1 + (1-b1)*gi
		v[i] = v[i]*b2 + (1-b2)*gi*gi
		denom := math.Sqrt(v[i])/bc2Sqrt + eps
		p[i] = T(pi - stepSize*m[i]/denom)
	}
}

func (o *adam) State() OptimizerState           { return o.state.get() }
func (o *adam) SetState(s OptimizerState) error { return o.state.set(s) }
