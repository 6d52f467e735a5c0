package models

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// probEps keeps a probability head's loss finite: p is mapped to ε + (1 − 2ε)p before the logarithm.
const probEps = 1e-6

// Loss is the training objective of a model's outputs: the weighted binary cross-entropy of each
// predicted task, averaged over the batch with the per-row weights w (0 for padding rows), and summed
// over tasks with taskWeights (nil: 1 for every task):
//
//	L = Σ_k λ_k · Σ_b w_b ℓ(y_bk, ·) / Σ_b w_b
//	ℓ = softplus(z) − y z                        from a logit z
//	ℓ = −y log p̃ − (1 − y) log(1 − p̃)            from a probability, p̃ = ε + (1 − 2ε) p, ε = 1e-6
//
// A task's label column is found by name in the schema of in. The result is a scalar.
func Loss(in *Inputs, out *Outputs, taskWeights []float64) (*gorgonia.Node, error) {
	if taskWeights != nil && len(taskWeights) != len(out.Tasks) {
		return nil, fmt.Errorf("loss: %d task weights for %d tasks %v", len(taskWeights), len(out.Tasks), out.Tasks)
	}
	g := in.Weights.Graph()
	dt := in.Weights.Dtype()
	wsum, err := gorgonia.Sum(in.Weights) // scalar
	if err != nil {
		return nil, err
	}
	var total *gorgonia.Node
	for k, task := range out.Tasks {
		col := in.Schema.TaskIndex(task)
		if col < 0 {
			return nil, fmt.Errorf("loss: task %q is not in dataset %q (tasks %v)", task, in.Schema.Name, in.Schema.Tasks)
		}
		y, err := labelColumn(in, col) // (B)
		if err != nil {
			return nil, err
		}
		var l *gorgonia.Node
		if out.Logits[k] != nil {
			l, err = bceLogits(out.Logits[k], y)
		} else {
			l, err = bceProb(g, dt, out.Probs[k], y)
		}
		if err != nil {
			return nil, fmt.Errorf("loss: task %q: %w", task, err)
		}
		wl, err := gorgonia.HadamardProd(l, in.Weights) // (B)
		if err != nil {
			return nil, err
		}
		s, err := gorgonia.Sum(wl) // scalar
		if err != nil {
			return nil, err
		}
		if s, err = gorgonia.Div(s, wsum); err != nil {
			return nil, err
		}
		if taskWeights != nil && taskWeights[k] != 1 {
			s, err = gorgonia.Mul(s, constant(g, dt, fmt.Sprintf("loss.task%d.weight", k), taskWeights[k]))
			if err != nil {
				return nil, err
			}
		}
		if total == nil {
			total = s
		} else if total, err = gorgonia.Add(total, s); err != nil {
			return nil, err
		}
	}
	if total == nil {
		return nil, fmt.Errorf("loss: the model predicts no task")
	}
	return total, nil
}

// labelColumn is labels[:, col] (B).
func labelColumn(in *Inputs, col int) (*gorgonia.Node, error) {
	if len(in.Schema.Tasks) == 1 {
		return graph.Reshape(in.Labels, in.Batch)
	}
	return gorgonia.Slice(in.Labels, nil, gorgonia.S(col))
}

// bceLogits is softplus(z) − y z, with Gorgonia's Softplus (log(1 + e^z), exact branches for large
// |z|; its gradient is σ(z)).
//
// Written as max(z, 0) + log(1 + e^{−|z|}) instead, autodiff gets the slope at z = 0 wrong: the two
// kinks do not cancel (Gorgonia's max′(0) = 1, |·|′(0) = 0). A ReLU network with a zero output bias gives
// exactly z = 0 to rows whose hidden units are all off (TestLossGradientAtZeroLogit).
func bceLogits(z, y *gorgonia.Node) (*gorgonia.Node, error) {
	sp, err := gorgonia.Softplus(z)
	if err != nil {
		return nil, err
	}
	yz, err := gorgonia.HadamardProd(y, z)
	if err != nil {
		return nil, err
	}
	return gorgonia.Sub(sp, yz)
}

// bceProb is −y log p̃ − (1 − y) log(1 − p̃).
func bceProb(g *gorgonia.ExprGraph, dt tensor.Dtype, p, y *gorgonia.Node) (*gorgonia.Node, error) {
	ps, err := gorgonia.Mul(p, constant(g, dt, "loss.prob.scale", 1-2*probEps))
	if err != nil {
		return nil, err
	}
	if ps, err = gorgonia.Add(ps, constant(g, dt, "loss.prob.eps", probEps)); err != nil {
		return nil, err
	}
	one := constant(g, dt, "loss.one", 1)
	lp, err := gorgonia.Log(ps)
	if err != nil {
		return nil, err
	}
	q, err := gorgonia.Sub(one, ps)
	if err != nil {
		return nil, err
	}
	lq, err := gorgonia.Log(q)
	if err != nil {
		return nil, err
	}
	ny, err := gorgonia.Sub(one, y)
	if err != nil {
		return nil, err
	}
	a, err := gorgonia.HadamardProd(y, lp)
	if err != nil {
		return nil, err
	}
	c, err := gorgonia.HadamardProd(ny, lq)
	if err != nil {
		return nil, err
	}
	s, err := gorgonia.Add(a, c)
	if err != nil {
		return nil, err
	}
	return gorgonia.Neg(s)
}

// constant is a named scalar constant of dtype dt. Gorgonia merges constants by name, so every
// constant is named (an unnamed one is named by its printed value).
func constant(g *gorgonia.ExprGraph, dt tensor.Dtype, name string, v float64) *gorgonia.Node {
	if dt == tensor.Float32 {
		return gorgonia.NewConstant(float32(v), gorgonia.WithName(name))
	}
	return gorgonia.NewConstant(v, gorgonia.WithName(name))
}
