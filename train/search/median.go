package search

import (
	"fmt"
	"math"
)

var _ Pruner = (*medianPruner)(nil)

// medianPruner stops a trial whose best score so far is below the median of the other trials'
// best scores up to the same epoch: the idea of Optuna's MedianPruner (Akiba et al., 2019)
// and of Google Vizier's median stopping rule (Golovin et al., 2017).
//
// At epoch s = len(t.Intermediate) it prunes when s > WarmupEpochs, at least StartupTrials
// other trials reached s (complete, pruned or running; failed ones do not count), and
// max(t's scores of epochs 1..s) < median over those trials u of max(u's scores of epochs
// 1..s). Comparing running maxima with running maxima keeps one noisy epoch from deciding.
// A trial with no score yet (all NaN, a diverged run) is pruned once the conditions hold.
type medianPruner struct {
	startup int
	warmup  int
}

// newMedianPruner returns the median pruner with cfg's StartupTrials and WarmupEpochs.
func newMedianPruner(cfg PrunerConfig) (*medianPruner, error) {
	p := &medianPruner{startup: cfg.StartupTrials, warmup: cfg.WarmupEpochs}
	switch {
	case p.startup < 0:
		return nil, fmt.Errorf("search: median pruner: %d startup trials, want 0 (default 5) or more", p.startup)
	case p.startup == 0:
		p.startup = 5
	}
	switch {
	case p.warmup < 0:
		p.warmup = 0
	case p.warmup == 0:
		p.warmup = 1
	}
	return p, nil
}

// Prune reports whether t's best so far is below the median of the others' at its epoch.
func (p *medianPruner) Prune(t Trial, trials []Trial) bool {
	s := len(t.Intermediate)
	if s == 0 || s <= p.warmup {
		return false
	}
	others := othersAt(t, trials, s)
	if len(others) == 0 || len(others) < p.startup {
		return false
	}
	best, _ := bestUpTo(t.Intermediate, s)
	return math.IsNaN(best) || best < median(others)
}

// median of sorted, non-empty vals: the middle one, or the mean of the middle two.
func median(vals []float64) float64 {
	m := len(vals) / 2
	if len(vals)%2 == 1 {
		return vals[m]
	}
	return (vals[m-1] + vals[m]) / 2
}
