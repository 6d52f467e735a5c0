package search

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sampler proposes the parameters of a study's next trial.
type Sampler interface {
	// Sample proposes the next trial's parameters: a value of every parameter of space, within its
	// range and on its step. trials holds every trial of the study so far (any state, Running
	// included, in Number order); rng is the study's seeded source for this proposal, so the same
	// trials and the same source give the same proposal. It returns an error for an invalid space,
	// and ErrGridExhausted from a grid sampler that has proposed every point.
	Sample(space *Space, trials []Trial, rng *rand.Rand) (Values, error)
}

// SamplerConfig configures NewSampler; the zero value gives every default.
type SamplerConfig struct {
	// StartupTrials is the number of scored trials (Complete, or Pruned with a score) below which
	// tpe proposes at random; default 10.
	StartupTrials int
	// Candidates is the number of draws from the good trials' density among which tpe picks the one
	// that maximises l(x)/g(x), per parameter; default 24.
	Candidates int
	// GridPoints is the number of grid values of a continuous parameter (evenly spaced, on a log
	// scale for log parameters), and the most values an int or stepped parameter contributes; default 3.
	GridPoints int
}

// samplerNames are the samplers NewSampler knows.
var samplerNames = []string{"grid", "random", "tpe"}

// NewSampler returns the named sampler: "grid" (every point of the grid, in a fixed order),
// "random" (independent uniform draws) or "tpe" (the tree-structured Parzen estimator).
func NewSampler(name string, cfg SamplerConfig) (Sampler, error) {
	if cfg.StartupTrials < 0 || cfg.Candidates < 0 || cfg.GridPoints < 0 {
		return nil, fmt.Errorf("sampler %s: startup trials %d, candidates %d, grid points %d: want ≥ 0 (0: the default)",
			name, cfg.StartupTrials, cfg.Candidates, cfg.GridPoints)
	}
	switch name {
	case "grid":
		return gridSampler{points: cmp0(cfg.GridPoints, 3)}, nil
	case "random":
		return randomSampler{}, nil
	case "tpe":
		return tpeSampler{startup: cmp0(cfg.StartupTrials, 10), candidates: cmp0(cfg.Candidates, 24)}, nil
	}
	return nil, fmt.Errorf("unknown sampler %q (known: grid, random, tpe)", name)
}

// cmp0 is v, or def when v is 0.
func cmp0(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// A numeric parameter has an internal space where samplers work: a real interval [lo, hi], the
// range itself or its logarithm; a stepped parameter's interval reaches half a step (half an integer
// in log space) beyond its first and last values, so that rounding gives each value an equal share.

// interval is p's internal interval (p numeric).
func (p Param) interval() (lo, hi float64) {
	switch {
	case p.Kind == LogUniform:
		return math.Log(p.Low), math.Log(p.High)
	case p.Kind == Int && p.Log:
		return math.Log(p.first() - 0.5), math.Log(p.at(p.points()-1) + 0.5)
	case p.step() != 0:
		return p.first() - p.step()/2, p.at(p.points()-1) + p.step()/2
	}
	return p.Low, p.High
}

// logScale reports whether p's internal space is the logarithm of its values.
func (p Param) logScale() bool {
	return p.Kind == LogUniform || p.Log
}

// internal maps a value of p to its internal space.
func (p Param) internal(v float64) float64 {
	if p.logScale() {
		return math.Log(v)
	}
	return v
}

// value maps a point of p's internal interval to the value of p it stands for.
func (p Param) value(x float64) float64 {
	if p.logScale() {
		x = math.Exp(x)
	}
	switch {
	case p.Kind == Int && p.Log:
		return min(max(math.Round(x), p.first()), p.at(p.points()-1))
	case p.step() != 0:
		k := math.Round((x - p.first()) / p.step())
		return p.at(int(min(max(k, 0), float64(p.points()-1))))
	}
	return min(max(x, p.Low), p.High)
}

// bin is the part of the internal interval that rounds to value v of a stepped parameter; ok is
// false for a continuous one.
func (p Param) bin(v float64) (a, b float64, ok bool) {
	switch {
	case p.Kind == Int && p.Log:
		return math.Log(v - 0.5), math.Log(v + 0.5), true
	case p.step() != 0:
		return v - p.step()/2, v + p.step()/2, true
	}
	return 0, 0, false
}
