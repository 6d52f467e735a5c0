package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// GradCheck configures CheckGradients. The zero value uses the defaults.
type GradCheck struct {
	Eps   float64 // central-difference step; default 1e-5 (near (machine ε)^⅓, which balances truncation O(ε²) against rounding O(u/ε))
	Tol   float64 // largest relative error accepted; default 1e-6
	Floor float64 // denominator floor of the relative error, so that near-zero gradients are compared absolutely; default 1e-4
}

// GradError is the worst disagreement found for one parameter.
type GradError struct {
	Param    string
	Index    int     // flat index of the worst element
	Autodiff float64 // gradient from the backward pass
	Numeric  float64 // central difference (L(w+ε) − L(w−ε)) / 2ε
	RelError float64 // |autodiff − numeric| / max(|autodiff|, |numeric|, Floor)
}

// CheckGradients compares the gradient that p's backward pass computes for every element of every
// parameter its graph uses with a central difference of its loss. The store must hold float64; the inputs
// must already be set. Noise (dropout masks) is drawn once and then held fixed. To check the gradient with
// respect to an input, make the input a parameter of the store in the test.
//
// It returns the worst error per parameter, and a non-nil error naming the first parameter whose
// relative error exceeds Tol.
func CheckGradients(p *Program, cfg GradCheck) ([]GradError, error) {
	if cfg.Eps == 0 {
		cfg.Eps = 1e-5
	}
	if cfg.Tol == 0 {
		cfg.Tol = 1e-6
	}
	if cfg.Floor == 0 {
		cfg.Floor = 1e-4
	}
	if p.b.Store.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("graph: gradient check needs a float64 store, have %v", p.b.Store.Dtype())
	}
	if p.loss == nil {
		return nil, fmt.Errorf("graph: gradient check of a program without a loss")
	}
	before := map[string][]float64{}
	for _, n := range p.params {
		prm, _ := p.b.Store.Get(n.Name())
		before[n.Name()] = Float64s(prm.Value)
	}
	if err := p.Run(); err != nil {
		return nil, err
	}
	// A run must never write into a parameter: Gorgonia's TapeMachine can, through views (see Reshape).
	for _, n := range p.params {
		prm, _ := p.b.Store.Get(n.Name())
		after := Float64s(prm.Value)
		for i, v := range before[n.Name()] {
			if after[i] != v {
				return nil, fmt.Errorf("graph: running the program changed parameter %q[%d] from %g to %g in place", n.Name(), i, v, after[i])
			}
		}
	}
	defer func() { p.frozenNoise = false }()
	p.frozenNoise = true
	autodiff := map[string][]float64{}
	for _, n := range p.params {
		g, err := p.Grad(n.Name())
		if err != nil {
			return nil, err
		}
		autodiff[n.Name()] = Float64s(g)
	}
	var report []GradError
	var firstBad error
	for _, n := range p.params {
		name := n.Name()
		param, _ := p.b.Store.Get(name)
		w := param.Value.Data().([]float64)
		worst := GradError{Param: name, Index: -1}
		for i := range w {
			orig := w[i]
			w[i] = orig + cfg.Eps
			if err := p.Run(); err != nil {
				w[i] = orig
				return nil, err
			}
			plus := p.Loss()
			w[i] = orig - cfg.Eps
			if err := p.Run(); err != nil {
				w[i] = orig
				return nil, err
			}
			minus := p.Loss()
			w[i] = orig
			num := (plus - minus) / (2 * cfg.Eps)
			a := autodiff[name][i]
			rel := math.Abs(a-num) / math.Max(math.Max(math.Abs(a), math.Abs(num)), cfg.Floor)
			if math.IsNaN(rel) {
				rel = math.Inf(1)
			}
			if worst.Index < 0 || rel > worst.RelError {
				worst = GradError{Param: name, Index: i, Autodiff: a, Numeric: num, RelError: rel}
			}
		}
		report = append(report, worst)
		if worst.RelError > cfg.Tol && firstBad == nil {
			firstBad = fmt.Errorf("graph: gradient of %q[%d]: autodiff %.10g, numeric %.10g, relative error %.3g > %.3g",
				name, worst.Index, worst.Autodiff, worst.Numeric, worst.RelError, cfg.Tol)
		}
	}
	// Leave the program's gradients as they are at the unperturbed weights.
	if err := p.Run(); err != nil {
		return nil, err
	}
	return report, firstBad
}
