package train

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// OptimizerConfig chooses and configures the optimizer. The zero value is Adam with PyTorch's defaults.
// A zero field means its default, so β1 = 0 cannot be asked for.
//
// Weight decay applies to every parameter, biases and norm gains included, as PyTorch does when
// parameters are not split into groups. For sgd and adam it is L2 regularisation added to the gradient
// (g ← g + wd·p); for adamw it is decoupled (p ← p·(1 − lr·wd) before the Adam step; Loshchilov & Hutter,
// "Decoupled Weight Decay Regularization", ICLR 2019). Note that PyTorch's AdamW defaults to wd = 0.01;
// here every optimizer defaults to 0.
type OptimizerConfig struct {
	Name        string  `json:"name"`         // "sgd", "adam" (default), "adamw"
	Momentum    float64 `json:"momentum"`     // SGD momentum μ in [0, 1); default 0 (plain SGD)
	Nesterov    bool    `json:"nesterov"`     // SGD Nesterov momentum (needs Momentum > 0)
	Beta1       float64 `json:"beta1"`        // Adam β1 in [0, 1); default 0.9
	Beta2       float64 `json:"beta2"`        // Adam β2 in [0, 1); default 0.999
	Eps         float64 `json:"eps"`          // Adam ε; default 1e-8
	WeightDecay float64 `json:"weight_decay"` // L2 (sgd, adam) or decoupled (adamw) decay; default 0
}

// WithDefaults returns c with its zero fields set to their defaults. Adam's β1, β2 and ε are filled in only
// for adam and adamw.
func (c OptimizerConfig) WithDefaults() OptimizerConfig {
	if c.Name == "" {
		c.Name = "adam"
	}
	if c.Name == "adam" || c.Name == "adamw" {
		if c.Beta1 == 0 {
			c.Beta1 = 0.9
		}
		if c.Beta2 == 0 {
			c.Beta2 = 0.999
		}
		if c.Eps == 0 {
			c.Eps = 1e-8
		}
	}
	return c
}

// Validate reports an unknown name, a negative or non-finite value, a β or μ outside [0, 1), Nesterov
// without momentum, and a setting that the chosen optimizer would ignore (momentum for Adam, β for SGD).
func (c OptimizerConfig) Validate() error {
	name := c.WithDefaults().Name
	inUnit := func(field string, v float64) error {
		if !(v >= 0 && v < 1) {
			return fmt.Errorf("optimizer %s: %s = %v, want a value in [0, 1)", name, field, v)
		}
		return nil
	}
	switch name {
	case "sgd":
		if err := inUnit("momentum", c.Momentum); err != nil {
			return err
		}
		if c.Nesterov && c.Momentum == 0 {
			return fmt.Errorf("optimizer sgd: nesterov needs momentum > 0")
		}
		if c.Beta1 != 0 || c.Beta2 != 0 || c.Eps != 0 {
			return fmt.Errorf("optimizer sgd: beta1, beta2 and eps are Adam settings; sgd does not use them")
		}
	case "adam", "adamw":
		if c.Momentum != 0 || c.Nesterov {
			return fmt.Errorf("optimizer %s: momentum and nesterov are SGD settings (Adam's momentum is beta1)", name)
		}
		if err := inUnit("beta1", c.Beta1); err != nil {
			return err
		}
		if err := inUnit("beta2", c.Beta2); err != nil {
			return err
		}
		if !(c.Eps >= 0) || math.IsInf(c.Eps, 0) {
			return fmt.Errorf("optimizer %s: eps = %v, want a finite value ≥ 0", name, c.Eps)
		}
	default:
		return fmt.Errorf("optimizer: unknown name %q (want sgd, adam or adamw)", c.Name)
	}
	if !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0) {
		return fmt.Errorf("optimizer %s: weight_decay = %v, want a finite value ≥ 0", name, c.WeightDecay)
	}
	return nil
}

// Optimizer updates parameters in place from their gradients.
//
// State is kept in float64 whatever the parameters' dtype: each update is computed in float64 from the
// parameter, its gradient and the state, and a float32 parameter receives the float32 rounding of the
// result. An optimizer binds to the parameter list of its first Step (names, order and sizes) and
// allocates its state then; later Steps must pass the same list and allocate nothing.
type Optimizer interface {
	// Step applies one update with learning rate lr: params[i] is updated from grads[i], which must have
	// the parameter's dtype and size. len(params) == len(grads); a nil grad skips that parameter (one the
	// graph does not use) without advancing its state, as PyTorch skips a parameter whose grad is None.
	// Every argument is checked before any update: after an error, parameters and state are unchanged.
	Step(params []*graph.Param, grads []tensor.Tensor, lr float64) error
	// State returns a copy of the optimizer's state for a checkpoint: the number of Step calls and named
	// float64 slots "<kind>/<param>": "velocity/<param>" (SGD with momentum), "m/<param>" and "v/<param>"
	// (Adam), and "step/<param>", the updates that parameter has received (one value).
	State() OptimizerState
	// SetState restores a state returned by State. The slots are checked against the parameters at once
	// if the optimizer has taken a step, else on the first Step: a missing, extra or wrongly sized slot is
	// an error naming it.
	SetState(s OptimizerState) error
}

// OptimizerState is an optimizer's state: the number of Step calls and its per-parameter slots.
type OptimizerState struct {
	Step  int    `json:"step"`
	Slots []Slot `json:"slots"`
}

// Slot is one named float64 array of optimizer state.
type Slot struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// NewOptimizer returns the optimizer cfg names, after validating it and filling in its defaults.
func NewOptimizer(cfg OptimizerConfig) (Optimizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	switch cfg.Name {
	case "sgd":
		kinds := []string(nil)
		if cfg.Momentum > 0 {
			kinds = []string{"velocity"}
		}
		return &sgd{cfg: cfg, state: newSlots("sgd", kinds...)}, nil
	default:
		return &adam{cfg: cfg, decoupled: cfg.Name == "adamw", state: newSlots(cfg.Name, "m", "v")}, nil
	}
}
