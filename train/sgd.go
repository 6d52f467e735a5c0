package train

import (
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// sgd is stochastic gradient descent with optional momentum and Nesterov momentum, as torch.optim.SGD
// (PyTorch 1.13, dampening 0). With d = g + wd·p:
//
//	plain:     p ← p − lr·d
//	momentum:  b ← μ·b + d (b = d on a parameter's first update),  p ← p − lr·b
//	Nesterov:  b as above,  p ← p − lr·(d + μ·b)
//
// (Sutskever et al., "On the importance of initialization and momentum in deep learning", ICML 2013.)
type sgd struct {
	cfg   OptimizerConfig
	state *slots
}

var _ Optimizer = (*sgd)(nil)

func (o *sgd) Step(params []*graph.Param, grads []tensor.Tensor, lr float64) error {
	if err := o.state.begin(params, grads, lr); err != nil {
		return err
	}
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		ps := &o.state.params[i]
		var vel []float64
		if len(ps.bufs) > 0 {
			vel = ps.bufs[0]
		}
		first := ps.steps == 0
		p32, p64, g32, g64, err := operands(o.state.name, p, grads[i], ps.size)
		if err != nil {
			return err
		}
		if p32 != nil {
			sgdUpdate(p32, g32, vel, first, lr, o.cfg.Momentum, o.cfg.WeightDecay, o.cfg.Nesterov)
		} else {
			sgdUpdate(p64, g64, vel, first, lr, o.cfg.Momentum, o.cfg.WeightDecay, o.cfg.Nesterov)
		}
		ps.steps++
	}
	o.state.step++
	return nil
}

// sgdUpdate applies one SGD update to p in float64; vel is nil without momentum.
func sgdUpdate[T float32 | float64](p, g []T, vel []float64, first bool, lr, mu, wd float64, nesterov bool) {
	g = g[:len(p)]
	for i := range p {
		pi := float64(p[i])
		d := float64(g[i])
		if wd != 0 {
			d += wd * pi
		}
		if vel != nil {
			if first {
				vel[i] = d
			} else {
				vel[i] = vel[i]*mu + d
			}
			if nesterov {
				d += mu * vel[i]
			} else {
				d = vel[i]
			}
		}
		p[i] = T(pi - lr*d)
	}
}

func (o *sgd) State() OptimizerState           { return o.state.get() }
func (o *sgd) SetState(s OptimizerState) error { return o.state.set(s) }
