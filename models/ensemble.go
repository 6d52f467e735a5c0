package models

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// EnsembleConfig configures how an ensemble combines its members.
type EnsembleConfig struct {
	// Mode is "average" (default): the mean of the member probabilities; or "stack": a logistic layer
	// over the member logits, fitted on validation predictions (Wolpert, 1992, stacked generalisation).
	Mode string `json:"mode"`
}

// Stacking settings: probabilities are clipped to [ensembleClip, 1 − ensembleClip] before their logits are
// taken; Fit's L2 penalty is λ = stackL2·n; Newton's method stops when no coordinate of the full step
// exceeds stackTol, and fails after stackMaxIter iterations.
const (
	ensembleClip = 1e-7
	stackL2      = 1e-4
	stackTol     = 1e-10
	stackMaxIter = 100
)

// Ensemble combines the predicted probabilities of already-trained models. It is not a graph model —
// each member has its own store and graph — so it is not registered; it reads the members' predictions
// p[m][i] (member m, example i) and writes one probability per example:
//
//	average:  P_i = (1/M) Σ_m p_mi
//	stack:    P_i = σ(b + Σ_m w_m ℓ_mi),   ℓ_mi = logit(clip(p_mi, 1e-7, 1 − 1e-7))
//
// The stacking weights w (M) and bias b are fitted by Fit on held-out (validation) predictions, never on
// the predictions of the data the members were trained on (Wolpert, 1992). An Ensemble is plain data and
// marshals to JSON as it is.
type Ensemble struct {
	Mode    string    `json:"mode"`
	Members int       `json:"members"`
	Weights []float64 `json:"weights,omitempty"` // w, one per member; nil until a stack is fitted
	Bias    float64   `json:"bias"`              // b
}

// NewEnsemble returns an ensemble of members models. It returns an error for fewer than one member or
// an unknown mode.
func NewEnsemble(members int, cfg EnsembleConfig) (*Ensemble, error) {
	if members < 1 {
		return nil, fmt.Errorf("ensemble: %d members, want at least one", members)
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = "average"
	case "average", "stack":
	default:
		return nil, fmt.Errorf("ensemble: mode %q, want average or stack", cfg.Mode)
	}
	return &Ensemble{Mode: cfg.Mode, Members: members}, nil
}

// Fit fits the stacking layer on validation predictions probs[m][i] and their 0/1 labels; for "average"
// it only checks its input. It minimises the L2-regularised log loss
//
//	J(w, b) = Σ_i [softplus(z_i) − y_i z_i] + (λ/2)‖w‖²,   z_i = b + Σ_m w_m ℓ_mi,   λ = 1e-4·n
//
// (the bias is not penalised; this is scikit-learn's LogisticRegression with C = 1/λ) by Newton's
// method — iteratively reweighted least squares — in float64 from w = 0, b = 0, halving a step that
// would raise J. The penalty is 5e-5‖w‖² per example: negligible next to the data at any realistic n,
// but it keeps the weights finite when a member separates the labels perfectly. Fit is deterministic;
// it returns an error for mismatched lengths, probabilities outside [0, 1], labels other than 0 and 1,
// labels of a single class, or when the largest Newton step is still above 1e-10 after 100 iterations.
func (e *Ensemble) Fit(probs [][]float64, labels []float64) error {
	n, err := e.check(probs)
	if err != nil {
		return err
	}
	if len(labels) != n {
		return fmt.Errorf("ensemble: %d labels for %d examples", len(labels), n)
	}
	pos := 0
	for i, y := range labels {
		if y != 0 && y != 1 {
			return fmt.Errorf("ensemble: label %d is %g, want 0 or 1", i, y)
		}
		pos += int(y)
	}
	if pos == 0 || pos == n {
		return fmt.Errorf("ensemble: all %d labels are %g: stacking needs both classes", n, labels[0])
	}
	if e.Mode != "stack" {
		return nil
	}
	theta, err := fitStack(stackFeatures(probs, n), labels, stackL2*float64(n))
	if err != nil {
		return fmt.Errorf("ensemble: %w", err)
	}
	e.Weights, e.Bias = theta[:e.Members], theta[e.Members]
	return nil
}

// Predict combines member probabilities probs[m][i] into one probability per example. A stack must be
// fitted first.
func (e *Ensemble) Predict(probs [][]float64) ([]float64, error) {
	n, err := e.check(probs)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	if e.Mode != "stack" {
		for _, p := range probs {
			for i, v := range p {
				out[i] += v
			}
		}
		for i := range out {
			out[i] /= float64(e.Members)
		}
		return out, nil
	}
	if len(e.Weights) != e.Members {
		return nil, fmt.Errorf("ensemble: the stack has %d weights for %d members (call Fit first)", len(e.Weights), e.Members)
	}
	for i := range out {
		z := e.Bias
		for m, p := range probs {
			z += e.Weights[m] * clippedLogit(p[i])
		}
		out[i] = stackSigmoid(z)
	}
	return out, nil
}

// check validates probs against the ensemble and returns the number of examples.
func (e *Ensemble) check(probs [][]float64) (int, error) {
	if e.Members < 1 {
		return 0, fmt.Errorf("ensemble: %d members, want at least one", e.Members)
	}
	if len(probs) != e.Members {
		return 0, fmt.Errorf("ensemble: predictions of %d members, want %d", len(probs), e.Members)
	}
	n := len(probs[0])
	for m, p := range probs {
		if len(p) != n {
			return 0, fmt.Errorf("ensemble: member %d has %d predictions, member 0 has %d", m, len(p), n)
		}
		for i, v := range p {
			if !(v >= 0 && v <= 1) {
				return 0, fmt.Errorf("ensemble: member %d, example %d: probability %g outside [0, 1]", m, i, v)
			}
		}
	}
	return n, nil
}

// stackFeatures is the design matrix X (n, M+1): the clipped member logits and a column of ones.
func stackFeatures(probs [][]float64, n int) *mat.Dense {
	x := mat.NewDense(n, len(probs)+1, nil)
	for i := 0; i < n; i++ {
		for m, p := range probs {
			x.Set(i, m, clippedLogit(p[i]))
		}
		x.Set(i, len(probs), 1)
	}
	return x
}

// fitStack minimises J(θ) = Σ_i [softplus(x_i·θ) − y_i x_i·θ] + (λ/2) Σ_{j<k−1} θ_j² over θ (k), the last
// column of x being the unpenalised intercept, by damped Newton steps: g = Xᵀ(p − y) + λθ̃,
// H = Xᵀ diag(p(1 − p)) X + λĨ, δ = H⁻¹g (Cholesky), θ ← θ − tδ with t halved from 1 while J rises.
func fitStack(x *mat.Dense, y []float64, lambda float64) ([]float64, error) {
	n, k := x.Dims()
	theta := mat.NewVecDense(k, nil)
	z := mat.NewVecDense(n, nil)
	grad := mat.NewVecDense(k, nil)
	step := mat.NewVecDense(k, nil)
	r := mat.NewVecDense(n, nil)
	xw := mat.NewDense(n, k, nil)
	hess := mat.NewSymDense(k, nil)
	trial := mat.NewVecDense(k, nil)
	var chol mat.Cholesky
	objective := func(th *mat.VecDense) float64 {
		z.MulVec(x, th)
		j := 0.0
		for i := 0; i < n; i++ {
			zi := z.AtVec(i)
			j += math.Max(zi, 0) + math.Log1p(math.Exp(-math.Abs(zi))) - y[i]*zi
		}
		for c := 0; c < k-1; c++ {
			j += lambda / 2 * th.AtVec(c) * th.AtVec(c)
		}
		return j
	}
	j := objective(theta)
	for iter := 0; iter < stackMaxIter; iter++ {
		z.MulVec(x, theta)
		for i := 0; i < n; i++ {
			p := stackSigmoid(z.AtVec(i))
			r.SetVec(i, p-y[i])
			for c := 0; c < k; c++ {
				xw.Set(i, c, p*(1-p)*x.At(i, c))
			}
		}
		grad.MulVec(x.T(), r)
		var h mat.Dense
		h.Mul(x.T(), xw)
		for a := 0; a < k; a++ {
			for c := a; c < k; c++ {
				hess.SetSym(a, c, h.At(a, c))
			}
		}
		for c := 0; c < k-1; c++ {
			grad.SetVec(c, grad.AtVec(c)+lambda*theta.AtVec(c))
			hess.SetSym(c, c, hess.At(c, c)+lambda)
		}
		if !chol.Factorize(hess) {
			return nil, fmt.Errorf("stacking: iteration %d: the Hessian is not positive definite", iter)
		}
		if err := chol.SolveVecTo(step, grad); err != nil {
			return nil, fmt.Errorf("stacking: iteration %d: %w", iter, err)
		}
		if mat.Norm(step, math.Inf(1)) <= stackTol {
			theta.SubVec(theta, step)
			return append([]float64(nil), theta.RawVector().Data...), nil
		}
		// Accept a step that does not raise J beyond the rounding of its sum (about 1e-12 relative).
		t, jt := 1.0, 0.0
		for ; t > 0x1p-40; t /= 2 {
			trial.AddScaledVec(theta, -t, step)
			if jt = objective(trial); jt <= j+1e-12*math.Abs(j) {
				break
			}
		}
		if t <= 0x1p-40 {
			return nil, fmt.Errorf("stacking: iteration %d: no step lowers the log loss (%.17g)", iter, j)
		}
		theta.CopyVec(trial)
		j = jt
	}
	return nil, fmt.Errorf("stacking: Newton's method did not converge to %g in %d iterations", stackTol, stackMaxIter)
}

// clippedLogit is log(p / (1 − p)) of p clipped to [1e-7, 1 − 1e-7].
func clippedLogit(p float64) float64 {
	p = math.Min(math.Max(p, ensembleClip), 1-ensembleClip)
	return math.Log(p / (1 - p))
}

// stackSigmoid is 1 / (1 + e^{−z}), without overflow for any z.
func stackSigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	ez := math.Exp(z)
	return ez / (1 + ez)
}
