package datasets

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// synthROCAUC is the exact, tie-aware ROC-AUC: the Mann–Whitney U statistic divided by
// (positives × negatives), with tied scores counting one half (average ranks).
func synthROCAUC(scores, labels []float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	rankSum, pos := 0.0, 0.0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j averaged
		for k := i; k < j; k++ {
			if labels[idx[k]] == 1 {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := float64(len(scores)) - pos
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// synthLogistic fits an L2-penalised logistic regression (intercept unpenalised) by Newton's
// method and returns the weights, intercept last. x rows are feature vectors.
func synthLogistic(x [][]float64, y []float64, l2 float64, iters int) []float64 {
	d := len(x[0]) + 1
	w := make([]float64, d)
	for it := 0; it < iters; it++ {
		grad := make([]float64, d)
		hess := make([][]float64, d)
		for i := range hess {
			hess[i] = make([]float64, d)
		}
		row := make([]float64, d)
		for n, xi := range x {
			copy(row, xi)
			row[d-1] = 1
			p := 1 / (1 + math.Exp(-synthDot(w, row)))
			for a := range d {
				grad[a] += (p - y[n]) * row[a]
				wa := p * (1 - p) * row[a]
				for b := a; b < d; b++ {
					hess[a][b] += wa * row[b]
				}
			}
		}
		for a := range d {
			for b := 0; b < a; b++ {
				hess[a][b] = hess[b][a]
			}
			if a < d-1 {
				grad[a] += l2 * w[a]
				hess[a][a] += l2
			}
		}
		step := synthSolve(hess, grad)
		for a := range d {
			w[a] -= step[a]
		}
	}
	return w
}

func synthDot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// synthSolve solves a x = b (the Newton step of the test's logistic regression) with gonum.
func synthSolve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.SetRow(i, a[i])
	}
	var x mat.VecDense
	if err := x.SolveVec(m, mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
		panic(fmt.Sprintf("synthSolve: %v", err)) // a singular Hessian is a bug in the test's L2 term
	}
	return x.RawVector().Data
}

// synthBagFeatures are the order-free features of a synthetic session: every Numeric aggregate
// (standardised later), one-hot static codes, and counts of events per category.
func synthBagFeatures(d *Dataset, s *Session, recency bool) []float64 {
	var f []float64
	f = append(f, s.Numeric...)
	f[0] = math.Log1p(f[0])
	for j, code := range s.Categorical {
		for k := 1; k < d.Schema.CategoricalSizes[j]; k++ {
			f = append(f, synthBool(code == k))
		}
	}
	counts := make([]float64, d.Schema.NumCategories-2)
	for _, e := range s.Events {
		counts[e.Category-2]++
	}
	f = append(f, counts...)
	if recency {
		// Event types of the last three seen events, one-hot each (zeros when absent).
		for back := 1; back <= 3; back++ {
			for k := range d.Schema.EventTypes {
				f = append(f, 0)
				if n := len(s.Events) - back; n >= 0 && s.Events[n].Type == k+2 {
					f[len(f)-1] = 1
				}
			}
		}
	}
	return f
}

// synthFitBagLR fits the bag-of-events logistic regression on train and returns test scores.
func synthFitBagLR(d *Dataset, train, test []int, task int, recency bool) []float64 {
	build := func(idx []int) ([][]float64, []float64) {
		x := make([][]float64, len(idx))
		y := make([]float64, len(idx))
		for i, j := range idx {
			x[i] = synthBagFeatures(d, &d.Sessions[j], recency)
			y[i] = d.Sessions[j].Labels[task]
		}
		return x, y
	}
	xtr, ytr := build(train)
	xte, _ := build(test)
	// Standardise with training statistics only.
	nf := len(xtr[0])
	for a := range nf {
		mean, sq := 0.0, 0.0
		for _, r := range xtr {
			mean += r[a]
		}
		mean /= float64(len(xtr))
		for _, r := range xtr {
			sq += (r[a] - mean) * (r[a] - mean)
		}
		sd := math.Sqrt(sq / float64(len(xtr)))
		if sd == 0 {
			sd = 1
		}
		for _, m := range [][][]float64{xtr, xte} {
			for _, r := range m {
				r[a] = (r[a] - mean) / sd
			}
		}
	}
	w := synthLogistic(xtr, ytr, 1e-2, 12)
	scores := make([]float64, len(xte))
	for i, r := range xte {
		scores[i] = synthDot(w[:nf], r) + w[nf]
	}
	return scores
}
