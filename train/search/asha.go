package search

import (
	"fmt"
	"math"
)

var _ Pruner = (*asha)(nil)

// asha is asynchronous successive halving (Li et al., 2020, "A System for Massively Parallel
// Hyperparameter Tuning"), in the stopping form that Optuna's SuccessiveHalvingPruner uses: a
// trial is never paused and resumed, only stopped.
//
// Rungs lie at r_k = min·η^k epochs for k = 0, 1, … while r_k < max (min 1, η 3, max 27: rungs
// 1, 3, 9). When a trial has run a rung's epochs, its value there is its best score over those
// epochs (the score it would deliver if stopped now, since training keeps its best checkpoint;
// a noisy last epoch does not decide). The rung's values are those of every trial that reached
// it (complete, pruned or running, t included; failed trials do not count). With n values, t
// continues when its value is among the top max(1, ⌊n/η⌋) (ties continue), and is pruned
// otherwise. So while fewer than η trials have reached a rung (⌊n/η⌋ = 0), only a trial whose
// value is the best there so far continues: the first trial at a rung always does, and the
// search cannot stall for want of rivals. Between rungs it never prunes, and a trial with no
// score yet (all NaN, a diverged run) is pruned at a rung.
type asha struct {
	rungs []int // epochs, increasing
	eta   int
}

// newASHA returns ASHA with cfg's MinResource, Reduction and MaxResource.
func newASHA(cfg PrunerConfig) (*asha, error) {
	first, eta, budget := cfg.MinResource, cfg.Reduction, cfg.MaxResource
	if first == 0 {
		first = 1
	}
	if eta == 0 {
		eta = 3
	}
	switch {
	case first < 0:
		return nil, fmt.Errorf("search: asha: min resource %d epochs, want 1 or more", first)
	case eta < 2:
		return nil, fmt.Errorf("search: asha: reduction factor %d, want 2 or more", eta)
	case budget <= 0:
		return nil, fmt.Errorf("search: asha: max resource %d epochs, want the experiment's epochs (1 or more)", budget)
	case first >= budget:
		return nil, fmt.Errorf("search: asha: min resource %d epochs is not below max resource %d, so there is no rung to prune at", first, budget)
	}
	p := &asha{eta: eta}
	for r := first; r < budget; r *= eta {
		p.rungs = append(p.rungs, r)
	}
	return p, nil
}

// Prune reports whether t, at a rung, is outside the top 1/η of the trials that reached it.
func (p *asha) Prune(t Trial, trials []Trial) bool {
	s := len(t.Intermediate)
	if !p.isRung(s) {
		return false
	}
	v, _ := bestUpTo(t.Intermediate, s)
	if math.IsNaN(v) {
		return true
	}
	vals := othersAt(t, trials, s) // sorted ascending
	keep := max(1, (len(vals)+1)/p.eta)
	// t continues when fewer than keep values beat it.
	better := 0
	for _, u := range vals {
		if u > v {
			better++
		}
	}
	return better >= keep
}

func (p *asha) isRung(epochs int) bool {
	for _, r := range p.rungs {
		if r == epochs {
			return true
		}
	}
	return false
}
