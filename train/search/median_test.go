package search

import (
	"math"
	"testing"
)

// trial makes a trial of the given number and state with per-epoch scores.
func trial(n int, st State, scores ...float64) Trial {
	return Trial{Number: n, State: st, Intermediate: scores}
}

// medianStudy is a study of seven other trials. Their best scores up to epoch 2, which is
// where the cases below decide, are:
//
//	0 complete [0.60 0.70]      → 0.70
//	1 complete [0.65 0.62]      → 0.65 (the best so far, not the last)
//	2 complete [0.50 0.55 0.90] → 0.55 (epoch 3 is later than 2)
//	3 pruned   [0.80]           → did not reach epoch 2: left out
//	4 pruned   [0.58 0.60]      → 0.60
//	5 failed   [0.90 0.95]      → failed: left out
//	6 pruned   [0.66 0.67]      → 0.67
//	7 running  [0.61 NaN]       → 0.61 (NaN is no score)
//
// Sorted: 0.55 0.60 0.61 0.65 0.67 0.70, six trials, median (0.61+0.65)/2 = 0.63.
// At epoch 1 the eight values without trial 5 are 0.60 0.65 0.50 0.80 0.58 0.66 0.61: sorted
// 0.50 0.58 0.60 0.61 0.65 0.66 0.80, median 0.61.
func medianStudy() []Trial {
	nan := math.NaN()
	return []Trial{
		trial(0, Complete, 0.60, 0.70),
		trial(1, Complete, 0.65, 0.62),
		trial(2, Complete, 0.50, 0.55, 0.90),
		trial(3, Pruned, 0.80),
		trial(4, Pruned, 0.58, 0.60),
		trial(5, Failed, 0.90, 0.95),
		trial(6, Pruned, 0.66, 0.67),
		trial(7, Running, 0.61, nan),
		trial(8, Running, 0.99), // a stale copy of the trial being decided: ignored
	}
}

func TestMedianPruner(t *testing.T) {
	nan := math.NaN()
	study := medianStudy()
	for _, c := range []struct {
		name   string
		cfg    PrunerConfig
		scores []float64
		want   bool
	}{
		{"best 0.64 ≥ median 0.63", PrunerConfig{}, []float64{0.64, 0.62}, false},
		{"best 0.62 < median 0.63", PrunerConfig{}, []float64{0.60, 0.62}, true},
		{"best 0.63 = median: continue", PrunerConfig{}, []float64{0.63, 0.50}, false},
		{"epoch 1 is warm-up by default", PrunerConfig{}, []float64{0.10}, false},
		{"7 startup trials, 6 reached epoch 2", PrunerConfig{StartupTrials: 7}, []float64{0.60, 0.62}, false},
		{"6 startup trials, 6 reached epoch 2", PrunerConfig{StartupTrials: 6}, []float64{0.60, 0.62}, true},
		{"warm-up 2 covers epoch 2", PrunerConfig{WarmupEpochs: 2}, []float64{0.60, 0.62}, false},
		{"no score at all", PrunerConfig{}, []float64{nan, nan}, true},
		{"no warm-up: 0.605 < median 0.61 at epoch 1", PrunerConfig{WarmupEpochs: -1}, []float64{0.605}, true},
		{"no warm-up: 0.61 = median 0.61 at epoch 1", PrunerConfig{WarmupEpochs: -1}, []float64{0.61}, false},
		{"no epochs yet", PrunerConfig{WarmupEpochs: -1}, nil, false},
		{"epoch 4: nobody else reached it", PrunerConfig{StartupTrials: 1}, []float64{0.1, 0.1, 0.1, 0.1}, false},
	} {
		p, err := NewPruner("median", c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Prune(trial(8, Running, c.scores...), study); got != c.want {
			t.Errorf("%s: Prune = %v, want %v", c.name, got, c.want)
		}
	}
	if _, err := NewPruner("median", PrunerConfig{StartupTrials: -1}); err == nil {
		t.Error("median with -1 startup trials: no error")
	}
}
