package train

import (
	"fmt"
	"math"
)

// ScheduleConfig chooses the learning-rate schedule. The zero value is a constant rate. A zero field means
// its default.
//
// With base rate lr, optimizer step s (0-based), E steps per epoch, S steps in the run and W warm-up steps:
//
//	constant:  lr
//	step:      lr · γ^⌊⌊s/E⌋ / StepEpochs⌋                        (torch StepLR stepped once per epoch)
//	cosine:    MinLR + (lr − MinLR)·(1 + cos(π·t/T))/2,  t = s − W, T = S − W
//	                                                              (Loshchilov & Hutter, SGDR, ICLR 2017;
//	                                                               torch CosineAnnealingLR stepped per step)
//	warm-up:   the above times (s + 1)/W for s < W, any schedule  (torch LinearLR from 1/W to 1)
//
// During warm-up the cosine is held at t = 0; it starts to fall after the warm-up, as torch's SequentialLR
// of the two does.
type ScheduleConfig struct {
	Name        string  `json:"name"`         // "constant" (default), "step", "cosine"
	StepEpochs  int     `json:"step_epochs"`  // step: multiply by Gamma every StepEpochs epochs; default 10
	Gamma       float64 `json:"gamma"`        // step: factor in (0, 1]; default 0.1
	MinLR       float64 `json:"min_lr"`       // cosine: floor; default 0
	WarmupSteps int     `json:"warmup_steps"` // linear warm-up over the first steps, any schedule; default 0
}

// WithDefaults returns c with its zero fields set to their defaults (StepEpochs and Gamma only for step).
func (c ScheduleConfig) WithDefaults() ScheduleConfig {
	if c.Name == "" {
		c.Name = "constant"
	}
	if c.Name == "step" {
		if c.StepEpochs == 0 {
			c.StepEpochs = 10
		}
		if c.Gamma == 0 {
			c.Gamma = 0.1
		}
	}
	return c
}

// Validate reports an unknown name, a negative or non-finite value, a Gamma above 1, and a setting that
// the chosen schedule would ignore.
func (c ScheduleConfig) Validate() error {
	name := c.WithDefaults().Name
	if c.WarmupSteps < 0 {
		return fmt.Errorf("schedule %s: warmup_steps = %d, want ≥ 0", name, c.WarmupSteps)
	}
	if name != "step" && (c.StepEpochs != 0 || c.Gamma != 0) {
		return fmt.Errorf("schedule %s: step_epochs and gamma belong to the step schedule", name)
	}
	if name != "cosine" && c.MinLR != 0 {
		return fmt.Errorf("schedule %s: min_lr belongs to the cosine schedule", name)
	}
	switch name {
	case "constant":
	case "step":
		if c.StepEpochs < 0 {
			return fmt.Errorf("schedule step: step_epochs = %d, want ≥ 1", c.StepEpochs)
		}
		if !(c.Gamma >= 0 && c.Gamma <= 1) {
			return fmt.Errorf("schedule step: gamma = %v, want a value in (0, 1]", c.Gamma)
		}
	case "cosine":
		if !(c.MinLR >= 0) || math.IsInf(c.MinLR, 0) {
			return fmt.Errorf("schedule cosine: min_lr = %v, want a finite value ≥ 0", c.MinLR)
		}
	default:
		return fmt.Errorf("schedule: unknown name %q (want constant, step or cosine)", c.Name)
	}
	return nil
}

// LR is the learning rate of (0-based) optimizer step `step`, with stepsPerEpoch steps per epoch and
// totalSteps in the whole run, for base rate base. c should be valid; a step count below 1 counts as 1.
// Past totalSteps the cosine stays at MinLR.
func (c ScheduleConfig) LR(base float64, step, stepsPerEpoch, totalSteps int) float64 {
	c = c.WithDefaults()
	step = max(step, 0)
	lr := base
	switch c.Name {
	case "step":
		epoch := step / max(stepsPerEpoch, 1)
		lr = base * math.Pow(c.Gamma, float64(epoch/max(c.StepEpochs, 1)))
	case "cosine":
		t := max(step-c.WarmupSteps, 0)
		T := totalSteps - c.WarmupSteps
		if T > 0 {
			frac := float64(min(t, T)) / float64(T)
			lr = c.MinLR + (base-c.MinLR)*(1+math.Cos(math.Pi*frac))/2
		}
	}
	if step < c.WarmupSteps {
		lr *= float64(step+1) / float64(c.WarmupSteps)
	}
	return lr
}
