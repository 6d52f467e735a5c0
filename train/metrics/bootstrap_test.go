package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// aucStat is the ROC-AUC of a resample of (scores, labels).
func aucStat(scores, labels []float64) func(idx []int) (float64, error) {
	s, y := make([]float64, len(scores)), make([]float64, len(labels))
	return func(idx []int) (float64, error) {
		for k, i := range idx {
			s[k], y[k] = scores[i], labels[i]
		}
		return ROCAUC(s, y)
	}
}

// TestBootstrapAUCWidth: on the fixtures random_250 and random_1000 (the same generating process,
// 4× the data), the 95% interval covers the point estimate; each width is within 20% of the normal
// approximation 2·1.96·SE with DeLong's SE; and the 4× larger sample gives an interval about half as
// wide: the ratio of widths is within 2 ± 0.4 and within 10% of the ratio of DeLong SEs (the
// two samples' AUCs differ, 0.81 and 0.76, so their SE ratio is not exactly 2).
func TestBootstrapAUCWidth(t *testing.T) {
	f := loadFixtures(t)
	width := map[string]float64{}
	se := map[string]float64{}
	for _, name := range []string{"random_250", "random_1000"} {
		c := f.find(t, name)
		auc, err := ROCAUC(c.Scores, c.Labels)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi, err := BootstrapCI(len(c.Scores), aucStat(c.Scores, c.Labels), 2000, 0.95, rand.New(rand.NewPCG(7, 11)))
		if err != nil {
			t.Fatal(err)
		}
		if !(lo < auc && auc < hi) {
			t.Errorf("%s: interval [%v, %v] misses the AUC %v", name, lo, hi, auc)
		}
		width[name], se[name] = hi-lo, math.Sqrt(aucVariance(t, c.Scores, c.Labels))
		normal := 2 * 1.959963984540054 * se[name]
		t.Logf("%s: AUC %.4f, 95%% interval [%.4f, %.4f], width %.4f, DeLong 2·1.96·SE %.4f", name, auc, lo, hi, hi-lo, normal)
		if r := (hi - lo) / normal; r < 0.8 || r > 1.2 {
			t.Errorf("%s: bootstrap width / DeLong normal width = %.3f, want within 0.8–1.2", name, r)
		}
	}
	ratio := width["random_250"] / width["random_1000"]
	t.Logf("width ratio n=250 / n=1000: %.3f (1/sqrt(n) predicts 2; DeLong SE ratio %.3f)", ratio, se["random_250"]/se["random_1000"])
	if ratio < 1.6 || ratio > 2.4 {
		t.Errorf("width ratio %.3f, want 2 ± 0.4", ratio)
	}
	if r := ratio / (se["random_250"] / se["random_1000"]); r < 0.9 || r > 1.1 {
		t.Errorf("width ratio / DeLong SE ratio = %.3f, want within 0.9–1.1", r)
	}
}

// TestBootstrapScaling: repeating each example of random_250 four times keeps the empirical
// distribution (and the AUC) and quadruples n, so the bootstrap interval should be half as wide:
// ratio of widths within 2 ± 0.2 (Monte Carlo error of 2000 resamples is a few percent).
func TestBootstrapScaling(t *testing.T) {
	c := loadFixtures(t).find(t, "random_250")
	var s4, y4 []float64
	for range 4 {
		s4 = append(s4, c.Scores...)
		y4 = append(y4, c.Labels...)
	}
	auc, _ := ROCAUC(c.Scores, c.Labels)
	if auc4, _ := ROCAUC(s4, y4); auc4 != auc {
		t.Fatalf("replicated AUC %v, want %v", auc4, auc)
	}
	lo1, hi1, err := BootstrapCI(len(c.Scores), aucStat(c.Scores, c.Labels), 2000, 0.95, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	lo4, hi4, err := BootstrapCI(len(s4), aucStat(s4, y4), 2000, 0.95, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	ratio := (hi1 - lo1) / (hi4 - lo4)
	t.Logf("n=250 [%.4f, %.4f], n=1000 replicated [%.4f, %.4f], width ratio %.3f", lo1, hi1, lo4, hi4, ratio)
	if !(lo4 < auc && auc < hi4) {
		t.Errorf("replicated interval [%v, %v] misses the AUC %v", lo4, hi4, auc)
	}
	if ratio < 1.8 || ratio > 2.2 {
		t.Errorf("width ratio %.3f, want 2 ± 0.2", ratio)
	}
}

// TestBootstrapSeed: the same seed gives the same interval, another seed a different one.
func TestBootstrapSeed(t *testing.T) {
	c := loadFixtures(t).find(t, "random_250")
	run := func(seed uint64) (float64, float64) {
		lo, hi, err := BootstrapCI(len(c.Scores), aucStat(c.Scores, c.Labels), 300, 0.9, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return lo, hi
	}
	lo1, hi1 := run(1)
	lo2, hi2 := run(1)
	lo3, hi3 := run(2)
	if lo1 != lo2 || hi1 != hi2 {
		t.Errorf("same seed: [%v, %v] then [%v, %v]", lo1, hi1, lo2, hi2)
	}
	if lo1 == lo3 && hi1 == hi3 {
		t.Errorf("seeds 1 and 2 gave the same interval [%v, %v]", lo1, hi1)
	}
}

// TestBootstrapFailures: resamples whose statistic fails are skipped while they are at most half;
// beyond that the error wraps the statistic's error. The statistic fails when the resample's first
// index is below a cut, so about cut/n of the resamples fail.
func TestBootstrapFailures(t *testing.T) {
	errBad := errors.New("bad resample")
	stat := func(cut int) func(idx []int) (float64, error) {
		return func(idx []int) (float64, error) {
			if idx[0] < cut {
				return 0, errBad
			}
			if idx[0] < cut+5 {
				return math.NaN(), nil // counted as a failure too
			}
			return float64(idx[0]), nil
		}
	}
	lo, hi, err := BootstrapCI(100, stat(25), 1000, 0.5, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatalf("30%% failures: %v", err)
	}
	// The surviving statistics are uniform on {30, …, 99}: quartiles near 47.5 and 82.5.
	if math.Abs(lo-47.5) > 4 || math.Abs(hi-82.5) > 4 {
		t.Errorf("interval [%v, %v], want about [47.5, 82.5]", lo, hi)
	}
	_, _, err = BootstrapCI(100, stat(65), 1000, 0.5, rand.New(rand.NewPCG(1, 2)))
	if !errors.Is(err, errBad) {
		t.Errorf("70%% failures: error %v, want one wrapping %v", err, errBad)
	}
}

func TestBootstrapArguments(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ok := func([]int) (float64, error) { return 1, nil }
	for name, f := range map[string]func() error{
		"n=0":       func() error { _, _, err := BootstrapCI(0, ok, 10, 0.9, rng); return err },
		"reps=0":    func() error { _, _, err := BootstrapCI(5, ok, 0, 0.9, rng); return err },
		"level=1":   func() error { _, _, err := BootstrapCI(5, ok, 10, 1, rng); return err },
		"level=NaN": func() error { _, _, err := BootstrapCI(5, ok, 10, math.NaN(), rng); return err },
		"nil stat":  func() error { _, _, err := BootstrapCI(5, nil, 10, 0.9, rng); return err },
		"nil rng":   func() error { _, _, err := BootstrapCI(5, ok, 10, 0.9, nil); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
