package search

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestASHARungs(t *testing.T) {
	for _, c := range []struct {
		cfg  PrunerConfig
		want []int
	}{
		{PrunerConfig{MaxResource: 27}, []int{1, 3, 9}}, // 27 is the budget, not a rung
		{PrunerConfig{MaxResource: 28}, []int{1, 3, 9, 27}},
		{PrunerConfig{MinResource: 2, Reduction: 2, MaxResource: 20}, []int{2, 4, 8, 16}},
		{PrunerConfig{MaxResource: 2}, []int{1}},
	} {
		p, err := newASHA(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.rungs, c.want) {
			t.Errorf("%+v: rungs %v, want %v", c.cfg, p.rungs, c.want)
		}
	}
	for _, c := range []struct {
		cfg  PrunerConfig
		want string
	}{
		{PrunerConfig{}, "max resource 0"},
		{PrunerConfig{MaxResource: 10, Reduction: 1}, "reduction factor 1"},
		{PrunerConfig{MaxResource: 10, MinResource: -1}, "min resource -1"},
		{PrunerConfig{MaxResource: 10, MinResource: 10}, "no rung to prune at"},
	} {
		if _, err := NewPruner("asha", c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one saying %q", c.cfg, err, c.want)
		}
	}
}

// TestASHADecisions works through rungs 1, 3, 9 (η = 3, min 1, max 27). A trial at a rung with
// n values there (its own included) continues when fewer than max(1, ⌊n/η⌋) values beat it.
func TestASHADecisions(t *testing.T) {
	p, err := NewPruner("successive-halving", PrunerConfig{MaxResource: 27})
	if err != nil {
		t.Fatal(err)
	}
	five := []Trial{ // at rung 1: 0.9 0.8 0.7 0.6 0.5; the failed one does not count
		trial(0, Complete, 0.9, 0.9, 0.9),
		trial(1, Pruned, 0.8),
		trial(2, Running, 0.7, 0.75),
		trial(3, Pruned, 0.6),
		trial(4, Pruned, 0.5),
		trial(5, Failed, 0.95),
	}
	for _, c := range []struct {
		name   string
		trials []Trial
		scores []float64
		want   bool
	}{
		{"first at rung 1: n=1, keep 1, none better", nil, []float64{0.1}, false},
		{"second, worse: n=2, keep 1, 1 better", []Trial{trial(0, Running, 0.5)}, []float64{0.4}, true},
		{"second, better: n=2, keep 1, none better", []Trial{trial(0, Running, 0.5)}, []float64{0.6}, false},
		{"second, tied: n=2, keep 1, none strictly better", []Trial{trial(0, Running, 0.5)}, []float64{0.5}, false},
		{"0.85 of 6: keep 2, 1 better", five, []float64{0.85}, false},
		{"0.8 of 6: keep 2, 1 better (0.8 ties)", five, []float64{0.8}, false},
		{"0.75 of 6: keep 2, 2 better", five, []float64{0.75}, true},
		{"epoch 2 is no rung", five, []float64{0.0, 0.0}, false},
		{"rung 3: best so far 0.9 ≥ 0.9, the only other there", five, []float64{0.1, 0.9, 0.2}, false},
		{"rung 3: best so far 0.85 < 0.9", five, []float64{0.1, 0.85, 0.2}, true},
		{"rung 1 with no score", five, []float64{math.NaN()}, true},
		{"epoch 27 is the budget, no rung", five, make([]float64, 27), false},
	} {
		if got := p.Prune(trial(6, Running, c.scores...), c.trials); got != c.want {
			t.Errorf("%s: Prune = %v, want %v", c.name, got, c.want)
		}
	}
}

// learningCurve is a simulated trial: its validation score after epoch e is
// a·(1 − exp(−e/τ)) plus the noise in noise[e-1].
type learningCurve struct {
	a, tau float64
	noise  []float64
}

func (c learningCurve) score(e int) float64 {
	return c.a*(1-math.Exp(-float64(e)/c.tau)) + c.noise[e-1]
}

// truth is the noise-free score after epochs: what a trial is really worth.
func (c learningCurve) truth(epochs int) float64 { return c.a * (1 - math.Exp(-float64(epochs)/c.tau)) }

// randomCurves draws n curves from a seeded source: a ~ U(0.55, 0.95), τ ~ U(1, 6) epochs,
// Gaussian noise of standard deviation 0.01 per epoch.
func randomCurves(seed uint64, n, epochs int) []learningCurve {
	rng := rand.New(rand.NewPCG(seed, 1))
	curves := make([]learningCurve, n)
	for i := range curves {
		c := learningCurve{a: 0.55 + 0.4*rng.Float64(), tau: 1 + 5*rng.Float64(), noise: make([]float64, epochs)}
		for e := range c.noise {
			c.noise[e] = 0.01 * rng.NormFloat64()
		}
		curves[i] = c
	}
	return curves
}

// simulate runs trials one after the other, trial i following curves[i], asking p after each
// epoch, until budget epochs are spent (the trial then running is left unfinished).
func simulate(p Pruner, curves []learningCurve, epochs, budget int) []Trial {
	var trials []Trial
	spent := 0
	for i := 0; spent < budget && i < len(curves); i++ {
		trials = append(trials, Trial{Number: i, State: Running, Score: math.NaN()})
		t := &trials[i]
		for e := 1; e <= epochs && spent < budget; e++ {
			t.Intermediate = append(t.Intermediate, curves[i].score(e))
			spent++
			switch {
			case e == epochs:
				t.State, t.Score = Complete, t.Best()
			case p.Prune(*t, trials):
				t.State, t.Score = Pruned, t.Intermediate[e-1]
			}
			if t.State != Running {
				break
			}
		}
	}
	return trials
}

// searchOutcome summarises a simulated search: how many trials it finished and trained to the
// end, and the true worth of the complete trial with the best score (the one a search picks).
type searchOutcome struct {
	began, finished, complete int
	picked                    int     // trial number
	pickedTruth               float64 // its noise-free final score
	pickedRank                int     // 1 = truly best among the trials the search began
}

func outcomeOf(trials []Trial, curves []learningCurve, epochs int) searchOutcome {
	o := searchOutcome{began: len(trials), picked: -1}
	for _, t := range trials {
		if t.State != Running {
			o.finished++
		}
		if t.State == Complete {
			o.complete++
			if o.picked < 0 || t.Score > trials[o.picked].Score {
				o.picked = t.Number
			}
		}
	}
	o.pickedTruth = curves[o.picked].truth(epochs)
	o.pickedRank = 1
	for _, t := range trials {
		if curves[t.Number].truth(epochs) > o.pickedTruth {
			o.pickedRank++
		}
	}
	return o
}

// TestASHASimulation compares ASHA (η 3, rungs 1, 3, 9) with no pruning on simulated trials of
// 27 epochs and a budget of 20 full trials (540 epochs), over 20 seeded studies. Both see the
// same sequence of curves, so ASHA's trials include all of no pruning's. Measured (logged with
// -v): ASHA finished 114 to 224 trials a study (mean 155.7; no pruning 20), 9.2 of them complete
// on average; its pick was truly better than no pruning's in 14 studies and worse in 2; it was
// the truly best of the trials ASHA began in 8 studies, among the best 3 in 15, and never
// ranked below 7th (of 161). The test asserts weaker, rounder versions of these figures.
func TestASHASimulation(t *testing.T) {
	const epochs, studies = 27, 20
	budget := 20 * epochs
	asha, err := NewPruner("asha", PrunerConfig{MaxResource: epochs})
	if err != nil {
		t.Fatal(err)
	}
	var finished, complete, better, worse, top3 int
	var ranks []int
	for seed := range uint64(studies) {
		curves := randomCurves(seed, 400, epochs)
		none := outcomeOf(simulate(noPruner{}, curves, epochs, budget), curves, epochs)
		got := outcomeOf(simulate(asha, curves, epochs, budget), curves, epochs)
		if none.finished != 20 || none.complete != 20 {
			t.Fatalf("seed %d: no pruning finished %d trials, %d complete; want 20 and 20", seed, none.finished, none.complete)
		}
		if got.finished <= 2*none.finished {
			t.Errorf("seed %d: ASHA finished %d trials, no pruning %d: want over twice as many", seed, got.finished, none.finished)
		}
		if got.pickedRank > got.began/20 {
			t.Errorf("seed %d: ASHA picked the %dth truly best of %d trials, want the top 5%%", seed, got.pickedRank, got.began)
		}
		finished += got.finished
		complete += got.complete
		ranks = append(ranks, got.pickedRank)
		if got.pickedRank <= 3 {
			top3++
		}
		switch {
		case got.pickedTruth > none.pickedTruth:
			better++
		case got.pickedTruth < none.pickedTruth:
			worse++
		}
		t.Logf("seed %2d: ASHA %3d finished, %2d complete, picked rank %d of %d (truth %.4f); no pruning picked truth %.4f",
			seed, got.finished, got.complete, got.pickedRank, got.began, got.pickedTruth, none.pickedTruth)
	}
	sort.Ints(ranks)
	t.Logf("over %d studies: ASHA finished %.1f trials a study (no pruning 20), %.1f complete; "+
		"its pick was better than no pruning's in %d, worse in %d; one of the truly best 3 in %d; ranks %v",
		studies, float64(finished)/studies, float64(complete)/studies, better, worse, top3, ranks)
	if better <= 2*worse {
		t.Errorf("ASHA's pick was truly better than no pruning's in %d studies and worse in %d: want better over twice as often", better, worse)
	}
	if top3 < studies/2 {
		t.Errorf("ASHA's pick was among the truly best 3 of its trials in %d of %d studies, want half or more", top3, studies)
	}
}
