package datasets

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Split is a train / validation / test partition of a dataset. The index slices are ascending
// positions in the source dataset; the datasets share the source schema and copy its Session values.
// Val or Test is empty (no sessions) when its fraction is 0.
type Split struct {
	Train, Val, Test          *Dataset
	TrainIdx, ValIdx, TestIdx []int
}

func newSplit(d *Dataset, train, val, test []int) Split {
	slices.Sort(train)
	slices.Sort(val)
	slices.Sort(test)
	return Split{
		Train: d.Subset(train), Val: d.Subset(val), Test: d.Subset(test),
		TrainIdx: train, ValIdx: val, TestIdx: test,
	}
}

// Fold is one fold of k-fold cross-validation: ascending indices into the source dataset.
type Fold struct {
	Train, Val []int
}

// checkFractions wants three non-negative fractions that sum to 1 (±1e-9), with a positive train part.
func checkFractions(f [3]float64) error {
	sum := 0.0
	for i, x := range f {
		if !(x >= 0) || math.IsInf(x, 0) {
			return fmt.Errorf("split: fraction %d: want a number in [0, 1], got %v", i, x)
		}
		sum += x
	}
	if math.Abs(sum-1) > 1e-9 || f[0] == 0 {
		return fmt.Errorf("split: fractions (train, val, test) = %v: want a positive train part and a sum of 1, got sum %v", f, sum)
	}
	return nil
}

// classIndices returns the indices of sessions with purchase label 0 and 1, in dataset order.
func classIndices(d *Dataset) ([2][]int, error) {
	var idx [2][]int
	for i := range d.Sessions {
		if len(d.Sessions[i].Labels) == 0 {
			return idx, fmt.Errorf("split: dataset %q: session %q has no purchase label", d.Schema.Name, d.Sessions[i].ID)
		}
		c := classOf(&d.Sessions[i])
		idx[c] = append(idx[c], i)
	}
	return idx, nil
}

// cut splits n items into three counts: round(f1·n) and round(f2·n), train taking the rest, so each
// part is within one item of its exact share.
func cut(n int, f [3]float64) (nTrain, nVal, nTest int) {
	nVal = int(math.Round(f[1] * float64(n)))
	nTest = int(math.Round(f[2] * float64(n)))
	if nVal+nTest > n { // only when both round up past n
		nTest = n - nVal
	}
	return n - nVal - nTest, nVal, nTest
}

// SplitStratified partitions d at random into train, validation and test parts with the given
// fractions, separately within purchasers and non-purchasers, so that each part keeps the buyer
// rate: within each class a part holds its exact share of sessions ±1. The partition depends only
// on d and seed. It returns an error for fractions that are negative, do not sum to 1, or give
// train nothing.
func SplitStratified(d *Dataset, fractions [3]float64, seed uint64) (Split, error) {
	if err := checkFractions(fractions); err != nil {
		return Split{}, err
	}
	byClass, err := classIndices(d)
	if err != nil {
		return Split{}, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5e11))
	var train, val, test []int
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		nTrain, nVal, _ := cut(len(idx), fractions)
		train = append(train, idx[:nTrain]...)
		val = append(val, idx[nTrain:nTrain+nVal]...)
		test = append(test, idx[nTrain+nVal:]...)
	}
	return newSplit(d, train, val, test), nil
}

// KFold deals d into k stratified folds: sessions of each purchase class are shuffled and dealt
// round-robin, so every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ sessions of class c and the folds differ in
// size by at most one. Fold i validates on fold i and trains on the rest. The folds depend only on
// d, k and seed. It returns an error unless 2 ≤ k ≤ len(d.Sessions).
func KFold(d *Dataset, k int, seed uint64) ([]Fold, error) {
	if k < 2 || k > len(d.Sessions) {
		return nil, fmt.Errorf("kfold: dataset %q: want 2 ≤ k ≤ %d sessions, got k = %d", d.Schema.Name, len(d.Sessions), k)
	}
	byClass, err := classIndices(d)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	member := make([]int, len(d.Sessions)) // fold of each session
	next := 0
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx {
			member[i] = next
			next = (next + 1) % k
		}
	}
	folds := make([]Fold, k)
	for i, f := range member {
		for j := range folds {
			if j == f {
				folds[j].Val = append(folds[j].Val, i)
			} else {
				folds[j].Train = append(folds[j].Train, i)
			}
		}
	}
	return folds, nil
}

// SplitByTime orders sessions by Start (ties by ID, compared as strings) and cuts the order into
// train, validation and test parts with the given fractions: the past trains, the future tests.
// It returns an error for bad fractions or when a session has no start time (Start = 0).
func SplitByTime(d *Dataset, fractions [3]float64) (Split, error) {
	if err := checkFractions(fractions); err != nil {
		return Split{}, err
	}
	order := make([]int, len(d.Sessions))
	for i := range order {
		if d.Sessions[i].Start == 0 {
			return Split{}, fmt.Errorf("split by time: dataset %q: session %q has no start time", d.Schema.Name, d.Sessions[i].ID)
		}
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		sa, sb := &d.Sessions[a], &d.Sessions[b]
		if c := cmp.Compare(sa.Start, sb.Start); c != 0 {
			return c
		}
		return cmp.Compare(sa.ID, sb.ID)
	})
	nTrain, nVal, _ := cut(len(order), fractions)
	train := slices.Clone(order[:nTrain])
	val := slices.Clone(order[nTrain : nTrain+nVal])
	test := slices.Clone(order[nTrain+nVal:])
	return newSplit(d, train, val, test), nil
}
