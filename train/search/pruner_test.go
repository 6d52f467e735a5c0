package search

import (
	"fmt"
	"strings"
	"testing"
)

func TestNewPruner(t *testing.T) {
	for _, name := range []string{"none", "median", "asha", "successive-halving"} {
		if _, err := NewPruner(name, PrunerConfig{MaxResource: 10}); err != nil {
			t.Errorf("NewPruner(%q): %v", name, err)
		}
	}
	_, err := NewPruner("hyperband", PrunerConfig{})
	if err == nil || !strings.Contains(err.Error(), `"hyperband"`) ||
		!strings.Contains(err.Error(), `["none" "median" "asha" "successive-halving"]`) {
		t.Errorf("unknown pruner: error %v, want one naming it and the known pruners", err)
	}
	p, _ := NewPruner("none", PrunerConfig{})
	if p.Prune(trial(1, Running, 0, 0, 0), []Trial{trial(0, Complete, 1, 1, 1)}) {
		t.Error(`"none" pruned`)
	}
}

// Three trials have run; a fourth has just finished epoch 1. ASHA with rungs at epochs 1 and 3
// keeps the top max(1, ⌊4/3⌋) = 1 of the 4 values at rung 1: 0.62 is beaten by 0.70 and 0.65,
// 0.72 by none. The median pruner (no warm-up, 3 startup trials) compares with the median of
// 0.70, 0.60, 0.65, which is 0.65.
func ExampleNewPruner() {
	study := []Trial{
		{Number: 0, State: Complete, Intermediate: []float64{0.70, 0.74, 0.75, 0.75}},
		{Number: 1, State: Pruned, Intermediate: []float64{0.60}},
		{Number: 2, State: Pruned, Intermediate: []float64{0.65}},
	}
	asha, err := NewPruner("asha", PrunerConfig{MinResource: 1, Reduction: 3, MaxResource: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	median, err := NewPruner("median", PrunerConfig{StartupTrials: 3, WarmupEpochs: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, score := range []float64{0.62, 0.72} {
		t := Trial{Number: 3, State: Running, Intermediate: []float64{score}}
		fmt.Printf("at %.2f: asha prunes %v, median prunes %v\n", score, asha.Prune(t, study), median.Prune(t, study))
	}
	// Output:
	// at 0.62: asha prunes true, median prunes true
	// at 0.72: asha prunes false, median prunes false
}
