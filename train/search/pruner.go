package search

import (
	"fmt"
	"math"
	"sort"
)

// Pruner decides from a trial's per-epoch validation scores whether to stop it early.
type Pruner interface {
	// Prune reports whether trial t should stop now, after len(t.Intermediate) epochs, given
	// every trial of the study (t among them or not, in any state; t's own entry is ignored in
	// favour of t). Scores are maximised.
	Prune(t Trial, trials []Trial) bool
}

// PrunerConfig holds the settings of the pruners; each pruner reads only its own fields, and a
// zero field takes its default.
type PrunerConfig struct {
	// StartupTrials (median) is how many other trials must have reached an epoch before the
	// median pruner prunes there; default 5.
	StartupTrials int
	// WarmupEpochs (median): never prune at epochs up to it, where scores are mostly the
	// initialisation's; default 1, and a negative value means none.
	WarmupEpochs int
	// MinResource (asha) is the first rung, in epochs; default 1.
	MinResource int
	// Reduction (asha) is η: a rung keeps the top 1/η of its trials, and rungs are η times
	// apart; default 3, at least 2.
	Reduction int
	// MaxResource (asha) is the experiment's epochs: rungs lie below it. Required by asha.
	MaxResource int
}

// Pruner names, as NewPruner takes them.
var prunerNames = []string{"none", "median", "asha", "successive-halving"}

// NewPruner returns the pruner called name, with cfg's settings and their defaults: "none"
// never prunes, "median" is the median stopping rule (median.go) and "asha", also called
// "successive-halving", is asynchronous successive halving (asha.go).
func NewPruner(name string, cfg PrunerConfig) (Pruner, error) {
	switch name {
	case "none":
		return noPruner{}, nil
	case "median":
		return newMedianPruner(cfg)
	case "asha", "successive-halving":
		return newASHA(cfg)
	}
	return nil, fmt.Errorf("search: unknown pruner %q, want one of %q", name, prunerNames)
}

// noPruner never prunes.
type noPruner struct{}

func (noPruner) Prune(Trial, []Trial) bool { return false }

// bestUpTo is the best non-NaN score among the first epochs of scores (NaN when none), or
// false when fewer epochs were reported.
func bestUpTo(scores []float64, epochs int) (float64, bool) {
	if epochs < 1 || len(scores) < epochs {
		return math.NaN(), false
	}
	best := math.NaN()
	for _, v := range scores[:epochs] {
		if !math.IsNaN(v) && (math.IsNaN(best) || v > best) {
			best = v
		}
	}
	return best, true
}

// othersAt collects the best-so-far scores at epoch of the trials other than t that reached it,
// leaving out failed trials and those with no score yet.
func othersAt(t Trial, trials []Trial, epoch int) []float64 {
	var vals []float64
	for _, u := range trials {
		if u.Number == t.Number || u.State == Failed {
			continue
		}
		if v, ok := bestUpTo(u.Intermediate, epoch); ok && !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	sort.Float64s(vals)
	return vals
}
