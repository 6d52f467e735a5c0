package search

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// tpeSampler is the tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl,
// "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011), independent per parameter, with the
// kernel widths, weights and prior of Optuna's TPESampler (Watanabe, "Tree-Structured Parzen
// Estimator: Understanding Its Algorithm Components…", 2023).
//
// Its model sees the scored trials: Complete ones, and Pruned ones with their last intermediate
// score (pessimistic: they stopped early). Running and Failed trials are ignored; so while fewer
// than startup trials are scored, proposals are random (with parallel workers, more than startup
// random trials may start). Then the n scored trials split by score into the best γ(n) =
// min(⌈n/4⌉, 25) ("good") and the others ("bad"), and for each parameter:
//
//	l(x) = density fitted to the good trials' values,  g(x) = the same for the bad ones
//	x*   = argmax l(x)/g(x) among `candidates` draws from l
//
// A numeric parameter's density, in its internal space [lo, hi] (see Param.interval), is a mixture
// of Gaussians truncated to [lo, hi]: one per trial, centred on its value, with width the larger of
// the distances to its neighbours (the lowest and highest to their one inner neighbour), clipped to
// [(hi−lo)/min(100, n+2), hi−lo], plus a prior component N((lo+hi)/2, hi−lo). Weights are 1 each,
// the prior's included, except that beyond 25 trials the oldest are ramped down linearly. A stepped
// parameter's density is the mixture's mass over the values' bins. A choice's density is a mixture
// too: each trial's kernel puts most of its mass on the trial's option and spreads the rest evenly
// (see choiceWeights), with a uniform prior kernel.
type tpeSampler struct {
	startup, candidates int
}

func (s tpeSampler) Sample(space *Space, trials []Trial, rng *rand.Rand) (Values, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	var scored []Trial
	for _, t := range trials {
		if (t.State == Complete || t.State == Pruned) && !math.IsNaN(t.Score) && !math.IsInf(t.Score, 0) {
			scored = append(scored, t)
		}
	}
	if len(scored) < s.startup || len(scored) == 0 {
		return randomSampler{}.Sample(space, trials, rng)
	}
	slices.SortStableFunc(scored, func(a, b Trial) int { return cmp.Compare(b.Score, a.Score) })
	nGood := min((len(scored)+3)/4, 25)
	good, bad := slices.Clone(scored[:nGood]), slices.Clone(scored[nGood:])
	byNumber := func(a, b Trial) int { return cmp.Compare(a.Number, b.Number) }
	slices.SortFunc(good, byNumber) // oldest first: the weights ramp down the oldest
	slices.SortFunc(bad, byNumber)
	v := Values{}
	for _, p := range space.Params {
		if p.Kind == Choice {
			v[p.Name] = s.sampleChoice(p, good, bad, rng)
		} else {
			v[p.Name] = s.sampleNumber(p, good, bad, rng)
		}
	}
	return v, nil
}

// sampleNumber proposes a value of numeric parameter p.
func (s tpeSampler) sampleNumber(p Param, good, bad []Trial, rng *rand.Rand) float64 {
	lo, hi := p.interval()
	l, g := newParzen(p, good, lo, hi), newParzen(p, bad, lo, hi)
	best, bestRatio := math.NaN(), math.Inf(-1)
	for range s.candidates {
		v := p.value(l.sample(rng))
		if r := l.logDensity(p, v) - g.logDensity(p, v); math.IsNaN(best) || r > bestRatio {
			best, bestRatio = v, r
		}
	}
	return best
}

// sampleChoice proposes an option of choice parameter p.
func (s tpeSampler) sampleChoice(p Param, good, bad []Trial, rng *rand.Rand) any {
	l, g := choiceWeights(p, good), choiceWeights(p, bad)
	best, bestRatio := -1, math.Inf(-1)
	for range s.candidates {
		c := pick(l, rng.Float64())
		if r := math.Log(l[c]) - math.Log(g[c]); best < 0 || r > bestRatio {
			best, bestRatio = c, r
		}
	}
	return p.Choices[best]
}

// choiceWeights are the probabilities of p's options under the trials' mixture: a kernel per
// trial, (onehot(c_i) + 1/n_k)/(1 + K/n_k) over the K options, n_k = trials + 1, and the uniform
// prior kernel, mixed with the trial weights and weight 1 for the prior (Optuna's categorical
// kernel with prior weight 1).
func choiceWeights(p Param, trials []Trial) []float64 {
	K := float64(len(p.Choices))
	var idx []int
	for _, t := range trials {
		if x, ok := t.Params[p.Name]; ok {
			if i := p.choiceIndex(x); i >= 0 {
				idx = append(idx, i)
			}
		}
	}
	w := trialWeights(len(idx))
	nk := float64(len(idx) + 1)
	total := 1.0 // the prior's weight
	for _, wi := range w {
		total += wi
	}
	probs := make([]float64, len(p.Choices))
	for c := range probs {
		probs[c] = 1 / K / total // the prior kernel
	}
	for j, i := range idx {
		for c := range probs {
			share := 1 / nk
			if c == i {
				share++
			}
			probs[c] += w[j] / total * share / (1 + K/nk)
		}
	}
	return probs
}

// trialWeights are the mixture weights of n trials, oldest first: 1 each, except that beyond 25
// the oldest n−25 ramp linearly from 1/n up to 1 (Optuna's default_weights).
func trialWeights(n int) []float64 {
	w := make([]float64, n)
	ramp := n - 25
	for i := range w {
		w[i] = 1
		if i < ramp {
			w[i] = 1.0 / float64(n)
			if ramp > 1 {
				w[i] += float64(i) / float64(ramp-1) * (1 - 1.0/float64(n))
			}
		}
	}
	return w
}

// pick returns the index i where u ∈ [0, 1) falls in the cumulative sums of probs (summing to 1).
func pick(probs []float64, u float64) int {
	total := 0.0
	for _, p := range probs {
		total += p
	}
	u *= total
	for i, p := range probs {
		if u < p {
			return i
		}
		u -= p
	}
	return len(probs) - 1
}

// parzen is a mixture of Gaussians truncated to [lo, hi], in a parameter's internal space.
type parzen struct {
	lo, hi                float64
	weights, mus, sigmas  []float64
	logWeights, logMasses []float64 // log w_k and log of N(mu_k, sigma_k)'s mass on [lo, hi]
}

// newParzen fits the density of p's values among trials (oldest first), with its prior component.
func newParzen(p Param, trials []Trial, lo, hi float64) *parzen {
	var obs []float64
	for _, t := range trials {
		if x, ok := t.Params[p.Name]; ok && p.contains(x) {
			obs = append(obs, p.internal(x.(float64)))
		}
	}
	n := len(obs)
	d := &parzen{lo: lo, hi: hi, mus: append(obs, (lo+hi)/2)}
	d.weights = append(trialWeights(n), 1)
	// Widths: the larger distance to a neighbour, among the observations and the prior's centre
	// sorted between the ends lo and hi; the first and last take their inner neighbour's distance.
	order := make([]int, n+1)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(d.mus[a], d.mus[b]) })
	sorted := make([]float64, 0, n+3)
	sorted = append(sorted, lo)
	for _, i := range order {
		sorted = append(sorted, d.mus[i])
	}
	sorted = append(sorted, hi)
	d.sigmas = make([]float64, n+1)
	maxSigma, minSigma := hi-lo, (hi-lo)/min(100, float64(n)+2)
	for j, i := range order {
		s := max(sorted[j+1]-sorted[j], sorted[j+2]-sorted[j+1])
		switch {
		case n+1 >= 2 && j == 0:
			s = sorted[2] - sorted[1]
		case n+1 >= 2 && j == n:
			s = sorted[n+1] - sorted[n]
		}
		d.sigmas[i] = min(max(s, minSigma), maxSigma)
	}
	d.sigmas[n] = hi - lo // the prior
	total := 0.0
	for _, w := range d.weights {
		total += w
	}
	for k := range d.mus {
		d.weights[k] /= total
		d.logWeights = append(d.logWeights, math.Log(d.weights[k]))
		d.logMasses = append(d.logMasses, logNormalMass((lo-d.mus[k])/d.sigmas[k], (hi-d.mus[k])/d.sigmas[k]))
	}
	return d
}

// sample draws a point of [lo, hi]: a component by weight, then its truncated Gaussian by inverse CDF.
func (d *parzen) sample(rng *rand.Rand) float64 {
	k := pick(d.weights, rng.Float64())
	mu, sigma := d.mus[k], d.sigmas[k]
	a, b := normalCDF((d.lo-mu)/sigma), normalCDF((d.hi-mu)/sigma)
	x := mu + sigma*normalQuantile(a+rng.Float64()*(b-a))
	if math.IsNaN(x) {
		return mu
	}
	return min(max(x, d.lo), d.hi)
}

// logDensity is the log density of value v of p: the mixture's log density at its internal point,
// or, for a stepped p, the log of the mixture's mass over the bin of v.
func (d *parzen) logDensity(p Param, v float64) float64 {
	terms := make([]float64, len(d.mus))
	a, b, stepped := p.bin(v)
	x := p.internal(v)
	for k, mu := range d.mus {
		s := d.sigmas[k]
		if stepped {
			terms[k] = logNormalMass((a-mu)/s, (b-mu)/s)
		} else {
			z := (x - mu) / s
			terms[k] = -z*z/2 - math.Log(s) - 0.5*math.Log(2*math.Pi)
		}
		terms[k] += d.logWeights[k] - d.logMasses[k]
	}
	return logSumExp(terms)
}

// logSumExp is log Σ exp(x_i), computed without overflow.
func logSumExp(x []float64) float64 {
	m := slices.Max(x)
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// normalCDF is Φ(z), the standard normal distribution function.
func normalCDF(z float64) float64 {
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

// normalQuantile is Φ⁻¹(u).
func normalQuantile(u float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*u-1)
}

// logNormalCDF is log Φ(z), accurate in the far left tail: below −37, where Φ underflows, the
// asymptotic series Φ(z) = φ(z)/(−z)·(1 − z⁻² + 3z⁻⁴ − 15z⁻⁶ + 105z⁻⁸ − …), whose next term is under
// 10⁻¹² there.
func logNormalCDF(z float64) float64 {
	if z > -37 {
		return math.Log(normalCDF(z))
	}
	u := 1 / (z * z)
	return -z*z/2 - math.Log(-z) - 0.5*math.Log(2*math.Pi) + math.Log1p(u*(-1+u*(3+u*(-15+u*105))))
}

// logNormalMass is log(Φ(b) − Φ(a)) for a < b, accurate in both tails.
func logNormalMass(a, b float64) float64 {
	if a > 0 { // the right tail is the mirror of the left
		a, b = -b, -a
	}
	if b <= 0 {
		la, lb := logNormalCDF(a), logNormalCDF(b)
		return lb + math.Log1p(-math.Exp(la-lb))
	}
	return math.Log1p(-(normalCDF(a) + normalCDF(-b)))
}
