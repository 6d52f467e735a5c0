package metrics

import (
	"math"
	"testing"
)

// TestDeLongNaive compares with the fixture script's naive O(n_pos·n_neg) structural-components
// implementation (no ranks; numpy.cov, scipy.stats.norm.sf), including a heavily tied case.
func TestDeLongNaive(t *testing.T) {
	for _, c := range loadFixtures(t).DeLong {
		r, err := DeLong(c.ScoresA, c.ScoresB, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": AUCA", r.AUCA, c.AUCA)
		checkNear(t, c.Name+": AUCB", r.AUCB, c.AUCB)
		checkNear(t, c.Name+": Diff", r.Diff, c.Diff)
		checkNear(t, c.Name+": SE", r.SE, c.SE)
		checkNear(t, c.Name+": Z", r.Z, c.Z)
		checkNear(t, c.Name+": P", r.P, c.P)
		// Small p-values also agree relatively, not just to 1e-9 absolute.
		if math.Abs(r.P-c.P) > 1e-9*c.P {
			t.Errorf("%s: P = %.17g, want %.17g to 1e-9 relative", c.Name, r.P, c.P)
		}
		for _, m := range []struct {
			scores []float64
			v, auc float64
		}{{c.ScoresA, c.VarA, c.AUCA}, {c.ScoresB, c.VarB, c.AUCB}} {
			checkNear(t, c.Name+": single-model variance", aucVariance(t, m.scores, c.Labels), m.v)
			auc, err := ROCAUC(m.scores, c.Labels)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, c.Name+": ROCAUC", auc, m.auc)
		}
	}
}

// aucVariance is DeLong's variance of one AUC, var(V10)/m + var(V01)/n.
func aucVariance(t testing.TB, scores, labels []float64) float64 {
	pos, neg, err := classCounts("test", scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	_, v10, v01 := placements(scores, labels, pos)
	return sampleVariance(v10)/float64(pos) + sampleVariance(v01)/float64(neg)
}

// TestDeLongSymmetry: swapping the classifiers negates Diff and Z and keeps SE and P.
func TestDeLongSymmetry(t *testing.T) {
	c := loadFixtures(t).DeLong[0]
	ab, err := DeLong(c.ScoresA, c.ScoresB, c.Labels)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := DeLong(c.ScoresB, c.ScoresA, c.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if ab.Diff != -ba.Diff || ab.Z != -ba.Z || math.Abs(ab.SE-ba.SE) > 1e-15 || math.Abs(ab.P-ba.P) > 1e-15 {
		t.Errorf("A,B %+v vs B,A %+v", ab, ba)
	}
}

// TestDeLongIdentical: the same scores twice give Diff 0, SE 0, Z 0 and P 1, not NaN.
func TestDeLongIdentical(t *testing.T) {
	c := loadFixtures(t).DeLong[2]
	r, err := DeLong(c.ScoresA, c.ScoresA, c.Labels)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "AUCA", r.AUCA, c.AUCA)
	if r.Diff != 0 || r.SE != 0 || r.Z != 0 || r.P != 1 {
		t.Errorf("identical scores: %+v, want Diff 0, SE 0, Z 0, P 1", r)
	}
}

// TestDeLongZeroVariance: a perfect classifier against a constant one (every placement 1 against
// every placement ½) has Diff ½ with zero estimated variance: Z = +Inf, P = 0, by hand.
func TestDeLongZeroVariance(t *testing.T) {
	y := []float64{1, 1, 1, 0, 0}
	r, err := DeLong([]float64{5, 4, 3, 2, 1}, []float64{7, 7, 7, 7, 7}, y)
	if err != nil {
		t.Fatal(err)
	}
	if r.AUCA != 1 || r.AUCB != 0.5 || r.Diff != 0.5 || r.SE != 0 || !math.IsInf(r.Z, 1) || r.P != 0 {
		t.Errorf("%+v, want AUCs 1 and ½, Diff ½, SE 0, Z +Inf, P 0", r)
	}
}

func TestDeLongTooFew(t *testing.T) {
	if _, err := DeLong([]float64{1, 2, 3}, []float64{3, 2, 1}, []float64{1, 0, 0}); err == nil {
		t.Error("one positive: no error")
	}
	if _, err := DeLong([]float64{1, 2, 3}, []float64{3, 2}, []float64{1, 0, 0}); err == nil {
		t.Error("mismatched score lengths: no error")
	}
	if _, err := DeLong([]float64{1, 2, 3}, []float64{3, 2, math.NaN()}, []float64{1, 1, 0}); err == nil {
		t.Error("NaN in scores B: no error")
	}
}
