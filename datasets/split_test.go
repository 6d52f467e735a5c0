package datasets

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// coreLabelled builds n sessions of which the first nBuy buy, with shuffled-looking start times.
func coreLabelled(n, nBuy int) *Dataset {
	d := &Dataset{Schema: Schema{Name: "lab", Tasks: []string{TaskPurchase}}}
	for i := range n {
		y := 0.0
		if i < nBuy {
			y = 1
		}
		// (i·7919) mod n is a permutation of 0..n-1 for n not a multiple of 7919, so starts are distinct.
		start := int64(1_000_000 + (i*7919)%n)
		d.Sessions = append(d.Sessions, Session{ID: fmt.Sprintf("%05d", i), Start: start, Labels: []float64{y}})
	}
	return d
}

// checkPartition fails unless parts are disjoint, ascending and cover 0..n-1.
func coreCheckPartition(t *testing.T, n int, parts ...[]int) {
	t.Helper()
	seen := make([]int, n)
	for _, p := range parts {
		if !slices.IsSorted(p) {
			t.Errorf("part not ascending: %v", p)
		}
		for _, i := range p {
			seen[i]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("session %d is in %d parts, want exactly 1", i, c)
		}
	}
}

func coreBuyers(d *Dataset, idx []int) int {
	n := 0
	for _, i := range idx {
		n += int(d.Sessions[i].Labels[0])
	}
	return n
}

func TestSplitStratified(t *testing.T) {
	d := coreLabelled(1000, 155) // 15.5% buyers, as in UCI
	f := [3]float64{0.7, 0.15, 0.15}
	s, err := SplitStratified(d, f, 7)
	if err != nil {
		t.Fatal(err)
	}
	coreCheckPartition(t, 1000, s.TrainIdx, s.ValIdx, s.TestIdx)
	for k, idx := range [][]int{s.TrainIdx, s.ValIdx, s.TestIdx} {
		pos, neg := coreBuyers(d, idx), len(idx)-coreBuyers(d, idx)
		if math.Abs(float64(pos)-f[k]*155) > 1 || math.Abs(float64(neg)-f[k]*845) > 1 {
			t.Errorf("part %d: %d buyers and %d others, want %v and %v ±1", k, pos, neg, f[k]*155, f[k]*845)
		}
	}
	if len(s.Train.Sessions) != len(s.TrainIdx) || s.Test.Sessions[0].ID != d.Sessions[s.TestIdx[0]].ID {
		t.Error("Split datasets do not match their indices")
	}
	again, _ := SplitStratified(d, f, 7)
	if !slices.Equal(again.TestIdx, s.TestIdx) || !slices.Equal(again.ValIdx, s.ValIdx) {
		t.Error("same seed gave a different split")
	}
	other, _ := SplitStratified(d, f, 8)
	if slices.Equal(other.TestIdx, s.TestIdx) {
		t.Error("seeds 7 and 8 gave the same test part")
	}
	noVal, err := SplitStratified(d, [3]float64{0.8, 0, 0.2}, 1)
	if err != nil || len(noVal.ValIdx) != 0 || len(noVal.TestIdx) != 200 {
		t.Errorf("(0.8, 0, 0.2): val %d test %d err %v; want 0, 200", len(noVal.ValIdx), len(noVal.TestIdx), err)
	}
	for _, bad := range [][3]float64{{0.7, 0.2, 0.2}, {0, 0.5, 0.5}, {1.2, -0.2, 0}, {math.NaN(), 0.5, 0.5}} {
		if _, err := SplitStratified(d, bad, 1); err == nil || !strings.Contains(err.Error(), "split: fraction") {
			t.Errorf("fractions %v: error %v", bad, err)
		}
	}
}

func TestKFold(t *testing.T) {
	d := coreLabelled(103, 17)
	folds, err := KFold(d, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	var vals [][]int
	for i, f := range folds {
		coreCheckPartition(t, 103, f.Train, f.Val)
		vals = append(vals, f.Val)
		pos := coreBuyers(d, f.Val)
		// 17 buyers over 5 folds: 3 or 4 each; 86 others: 17 or 18 each.
		if pos < 3 || pos > 4 || len(f.Val)-pos < 17 || len(f.Val)-pos > 18 {
			t.Errorf("fold %d: %d buyers, %d others; want 3–4 and 17–18", i, pos, len(f.Val)-pos)
		}
		if len(f.Val) < 20 || len(f.Val) > 21 {
			t.Errorf("fold %d: %d sessions, want 20 or 21", i, len(f.Val))
		}
	}
	coreCheckPartition(t, 103, vals...)
	again, _ := KFold(d, 5, 3)
	for i := range folds {
		if !slices.Equal(again[i].Val, folds[i].Val) {
			t.Error("same seed gave different folds")
		}
	}
	for _, k := range []int{1, 0, 104} {
		if _, err := KFold(d, k, 1); err == nil || !strings.Contains(err.Error(), "want 2 ≤ k ≤ 103") {
			t.Errorf("k = %d: error %v", k, err)
		}
	}
}

func TestSplitByTime(t *testing.T) {
	d := coreLabelled(200, 30)
	d.Sessions[10].Start = d.Sessions[11].Start // a tie, broken by ID: "00010" before "00011"
	s, err := SplitByTime(d, [3]float64{0.6, 0.2, 0.2})
	if err != nil {
		t.Fatal(err)
	}
	coreCheckPartition(t, 200, s.TrainIdx, s.ValIdx, s.TestIdx)
	if len(s.TrainIdx) != 120 || len(s.ValIdx) != 40 || len(s.TestIdx) != 40 {
		t.Fatalf("sizes %d %d %d, want 120 40 40", len(s.TrainIdx), len(s.ValIdx), len(s.TestIdx))
	}
	latest := func(idx []int) int64 {
		m := int64(math.MinInt64)
		for _, i := range idx {
			m = max(m, d.Sessions[i].Start)
		}
		return m
	}
	earliest := func(idx []int) int64 {
		m := int64(math.MaxInt64)
		for _, i := range idx {
			m = min(m, d.Sessions[i].Start)
		}
		return m
	}
	if latest(s.TrainIdx) > earliest(s.ValIdx) || latest(s.ValIdx) > earliest(s.TestIdx) {
		t.Error("a later session trains while an earlier one is held out")
	}
	// Ties: put 3 sessions at one instant across the train/val boundary and check ID order decides.
	e := coreLabelled(10, 2)
	for _, i := range []int{4, 7, 9} {
		e.Sessions[i].Start = 5 // earlier than every other start
	}
	st, _ := SplitByTime(e, [3]float64{0.2, 0.8, 0})
	if !slices.Equal(st.TrainIdx, []int{4, 7}) { // IDs "00004" < "00007" < "00009"
		t.Errorf("tie-broken train part %v, want [4 7]", st.TrainIdx)
	}
	e.Sessions[3].Start = 0
	if _, err := SplitByTime(e, [3]float64{0.5, 0.5, 0}); err == nil || !strings.Contains(err.Error(), `session "00003" has no start time`) {
		t.Errorf("zero start: %v", err)
	}
}
