package datasets

import (
	"math"
	"math/rand/v2"
)

// This file holds the parameters of the synthetic clickstream's hidden Markov model and the
// sampling and density functions that the generator (synthetic.go) and the oracle (oracle.go)
// share. The process itself is written out in the doc comment of SyntheticConfig.

// Latent shopping states.
const (
	stateExplore = iota // browsing widely: many page views and searches, short dwell
	stateCompare        // reading product pages in a few categories, long dwell
	stateDecide         // focused on one category, carting and checking out
	stateDrift          // losing interest: quick page views, likely to leave, never buys
	numStates
)

// Synthetic event types; the encoded id of type k is k+2 (0 pad, 1 unknown).
const (
	synthPageView = iota
	synthSearch
	synthProductView
	synthAddToCart
	synthRemoveFromCart
	synthCheckout
	numSynthTypes
)

var (
	synthEventTypes = []string{"page_view", "search", "product_view", "add_to_cart", "remove_from_cart", "checkout"}
	synthVisitors   = []string{"new", "returning"}
	synthDevices    = []string{"desktop", "mobile", "tablet"}
	synthSources    = []string{"direct", "search", "social", "ads", "email"}
)

// Static-feature tables: sampling probabilities and additive effects on the visitor's
// propensity u (see SyntheticConfig). Index i is code i+1 (0 is the unknown code).
var (
	visitorProb   = []float64{0.65, 0.35}
	visitorEffect = []float64{0, 0.6}
	deviceProb    = []float64{0.5, 0.4, 0.1}
	deviceEffect  = []float64{0.2, -0.25, 0}
	sourceProb    = []float64{0.25, 0.35, 0.12, 0.16, 0.12}
	sourceEffect  = []float64{0.1, 0.2, -0.6, -0.2, 0.5}
	monthProb     = []float64{7, 6.5, 7.5, 7.5, 8, 7.5, 7.5, 8, 8, 8.5, 11.5, 12.5} // normalised when used
	monthEffect   = []float64{-0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.45}
)

// HMM tables, indexed by state (explore, compare, decide, drift).
var (
	// initLogit[z'] + u·pull[z'] are the initial-state logits.
	initLogit = [numStates]float64{1.0, 0.0, -2.0, -1.0}
	// transLogit[z][z'] + u·pull[z'] are the transition logits.
	transLogit = [numStates][numStates]float64{
		{2.0, 0.3, -1.5, -0.5},
		{-0.2, 1.8, 0.3, -0.3},
		{-0.6, 0.0, 1.5, 0.3},
		{0.0, -1.0, -2.5, 1.8},
	}
	pull = [numStates]float64{0, 0.4, 0.8, -0.6}
	// typeLogit[z][k]: event-type logits before the difficulty scaling.
	typeLogit = [numStates][numSynthTypes]float64{
		{1.5, 1.0, 0.8, -2.0, -3.0, -4.0},
		{0.2, 0.5, 1.8, -0.5, -1.5, -3.0},
		{-0.5, -1.0, 0.8, 0.8, -0.8, 0.5},
		{1.5, 0.3, 0.3, -2.5, -1.0, -4.0},
	}
	dwellMedian = [numStates]float64{12, 45, 30, 8}          // seconds, before the difficulty scaling
	priceMedian = [numStates]float64{60, 80, 70, 40}         // currency units, before the difficulty scaling
	focus       = [numStates]float64{0.15, 0.55, 0.85, 0.05} // ρ(z), before the difficulty scaling
	endProb     = [numStates]float64{0.06, 0.05, 0.08, 0.25} // q(z)
	buyProb     = [numStates]float64{0.01, 0.05, 0.75, 0}    // p(z)
)

const (
	dwellSigma   = 0.9  // σ_d of log dwell
	priceSigma   = 0.6  // σ_p of log price
	categoryZipf = 1.0  // exponent s of category popularity ∝ 1/rank^s
	itemZipf     = 1.1  // exponent of item popularity within a category
	pastVisitsP  = 0.7  // returning visitors: past visits = 1 + Geometric(1−pastVisitsP)
	maxPastVisit = 1000 // bound on the geometric draw
)

// synthModel is the resolved HMM: the tables above after the difficulty scaling, plus the
// category and item popularity tables sized by the configuration.
type synthModel struct {
	logType [numStates][numSynthTypes]float64 // log P(type | z)
	typeCDF [numStates][numSynthTypes]float64
	dwellMu [numStates]float64 // μ_d(z), log seconds
	priceMu [numStates]float64 // μ_p(z), log price
	rho     [numStates]float64 // P(category = c* | z) extra mass on the preferred category
	q, p    [numStates]float64

	catPop    []float64   // π_c, category popularity
	catCDF    []float64   // cumulative catPop
	itemStart []int       // first raw item index of each category
	itemCDF   [][]float64 // per category, cumulative Zipf weights of its items
}

// newSynthModel builds the model for a resolved configuration (defaults applied, validated).
func newSynthModel(cfg SyntheticConfig) *synthModel {
	s := 1 / cfg.Difficulty
	m := &synthModel{q: endProb, p: buyProb}
	// Event types: logits pulled towards their mean over states by 1/Difficulty.
	for k := range numSynthTypes {
		mean := 0.0
		for z := range numStates {
			mean += typeLogit[z][k] / numStates
		}
		for z := range numStates {
			m.logType[z][k] = mean + s*(typeLogit[z][k]-mean)
		}
	}
	for z := range numStates {
		lse := synthLogSumExp(m.logType[z][:])
		acc := 0.0
		for k := range numSynthTypes {
			m.logType[z][k] -= lse
			acc += math.Exp(m.logType[z][k])
			m.typeCDF[z][k] = acc
		}
		m.typeCDF[z][numSynthTypes-1] = 1
	}
	scale := func(v [numStates]float64, log bool) [numStates]float64 {
		var out [numStates]float64
		mean := 0.0
		for z := range numStates {
			if log {
				v[z] = math.Log(v[z])
			}
			mean += v[z] / numStates
		}
		for z := range numStates {
			out[z] = mean + s*(v[z]-mean)
		}
		return out
	}
	m.dwellMu = scale(dwellMedian, true)
	m.priceMu = scale(priceMedian, true)
	m.rho = scale(focus, false)
	for z := range numStates {
		m.rho[z] = min(max(m.rho[z], 0.01), 0.99)
	}

	m.catPop = synthZipf(cfg.NumCategories, categoryZipf)
	m.catCDF = synthCumulative(m.catPop)
	m.itemStart = make([]int, cfg.NumCategories+1)
	m.itemCDF = make([][]float64, cfg.NumCategories)
	for c := range cfg.NumCategories {
		lo := c * cfg.NumItems / cfg.NumCategories
		hi := (c + 1) * cfg.NumItems / cfg.NumCategories
		m.itemStart[c], m.itemStart[c+1] = lo, hi
		m.itemCDF[c] = synthCumulative(synthZipf(hi-lo, itemZipf))
	}
	return m
}

// synthVisitor holds one visitor's static features as codes (index+1; 0 is unknown).
type synthVisitor struct {
	visitor, device, source, month int
	pastVisits                     int
}

// propensity is u(x), the visitor's pull towards deciding (positive) or drifting (negative).
func (v *synthVisitor) propensity() float64 {
	return visitorEffect[v.visitor-1] + 0.3*math.Log1p(float64(v.pastVisits)) +
		deviceEffect[v.device-1] + sourceEffect[v.source-1] + monthEffect[v.month-1]
}

func synthSampleVisitor(rng *rand.Rand) synthVisitor {
	v := synthVisitor{
		visitor: 1 + synthSampleWeights(rng, visitorProb),
		device:  1 + synthSampleWeights(rng, deviceProb),
		source:  1 + synthSampleWeights(rng, sourceProb),
		month:   1 + synthSampleWeights(rng, monthProb),
	}
	if v.visitor == 2 {
		v.pastVisits = 1
		for v.pastVisits < maxPastVisit && rng.Float64() < pastVisitsP {
			v.pastVisits++
		}
	}
	return v
}

// synthDynamics are a visitor's chain: π(x), A(x), and the absorbing-chain values
// r(z) = P(purchase | next event is emitted in state z) and
// g(z) = P(no add-to-cart from that event on | state z).
type synthDynamics struct {
	init     [numStates]float64
	trans    [numStates][numStates]float64
	initCDF  [numStates]float64
	transCDF [numStates][numStates]float64
	r, g     [numStates]float64
}

func (m *synthModel) dynamics(v *synthVisitor) synthDynamics {
	var d synthDynamics
	u := v.propensity()
	var l [numStates]float64
	for z := range numStates {
		l[z] = initLogit[z] + u*pull[z]
	}
	d.init = synthSoftmax(l)
	for z := range numStates {
		for y := range numStates {
			l[y] = transLogit[z][y] + u*pull[y]
		}
		d.trans[z] = synthSoftmax(l)
		d.transCDF[z] = synthCumulative4(d.trans[z])
	}
	d.initCDF = synthCumulative4(d.init)
	d.r, d.g = m.absorbing(&d)
	return d
}

// absorbing solves the two absorbing-chain systems
//
//	r = q∘p + (1−q)∘(A r)                     ⇔ (I − diag(1−q) A) r = q∘p
//	g = (1−e)∘(q + (1−q)∘(A g))               ⇔ (I − diag((1−e)(1−q)) A) g = (1−e)∘q
//
// where e(z) = P(add_to_cart | z). Both matrices are strictly diagonally dominant by rows
// because q > 0, so the systems have unique solutions in [0,1].
func (m *synthModel) absorbing(d *synthDynamics) (r, g [numStates]float64) {
	var a, b [numStates][numStates]float64
	var ra, gb [numStates]float64
	for z := range numStates {
		e := math.Exp(m.logType[z][synthAddToCart])
		for y := range numStates {
			a[z][y] = -(1 - m.q[z]) * d.trans[z][y]
			b[z][y] = -(1 - e) * (1 - m.q[z]) * d.trans[z][y]
		}
		a[z][z]++
		b[z][z]++
		ra[z] = m.q[z] * m.p[z]
		gb[z] = (1 - e) * m.q[z]
	}
	return solve4(a, ra), solve4(b, gb)
}

// solve4 solves a x = b by Gaussian elimination with partial pivoting.
func solve4(a [numStates][numStates]float64, b [numStates]float64) [numStates]float64 {
	const n = numStates
	for col := range n {
		piv := col
		for i := col + 1; i < n; i++ {
			if math.Abs(a[i][col]) > math.Abs(a[piv][col]) {
				piv = i
			}
		}
		a[col], a[piv] = a[piv], a[col]
		b[col], b[piv] = b[piv], b[col]
		for i := col + 1; i < n; i++ {
			f := a[i][col] / a[col][col]
			for j := col; j < n; j++ {
				a[i][j] -= f * a[col][j]
			}
			b[i] -= f * b[col]
		}
	}
	var x [n]float64
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < n; j++ {
			s -= a[i][j] * x[j]
		}
		x[i] = s / a[i][i]
	}
	return x
}

// sampleEvent draws one event in state z for a visitor whose preferred category is cstar.
// Type, Item and Category are encoded ids (raw index + 2).
func (m *synthModel) sampleEvent(rng *rand.Rand, z, cstar int) Event {
	typ := synthSampleCDF(rng, m.typeCDF[z][:])
	cat := cstar
	if rng.Float64() >= m.rho[z] {
		cat = synthSampleCDF(rng, m.catCDF)
	}
	item := m.itemStart[cat] + synthSampleCDF(rng, m.itemCDF[cat])
	return Event{
		Type:     typ + 2,
		Item:     item + 2,
		Category: cat + 2,
		Dwell:    math.Exp(m.dwellMu[z] + dwellSigma*rng.NormFloat64()),
		Price:    math.Exp(m.priceMu[z] + priceSigma*rng.NormFloat64()),
	}
}

// future runs the chain on from an event about to be emitted in state z until the session
// ends, and reports whether it ends in a purchase, whether any of these events is an
// add-to-cart, and how many events it ran. Only event types are drawn: nothing else of the
// unseen events is observed.
func (m *synthModel) future(rng *rand.Rand, d *synthDynamics, z int) (purchase, cart bool, n int) {
	for {
		n++
		if synthSampleCDF(rng, m.typeCDF[z][:]) == synthAddToCart {
			cart = true
		}
		if rng.Float64() < m.q[z] {
			return rng.Float64() < m.p[z], cart, n
		}
		z = synthSampleCDF(rng, d.transCDF[z][:])
	}
}

// logEmit is log P(type | z) + log N(log dwell; μ_d(z), σ_d²) + log N(log price; μ_p(z), σ_p²)
// up to terms that do not depend on z (the Gaussian normalisers and the log-normal Jacobians,
// since σ_d and σ_p are shared by all states). The category term is in catProb; the item term
// P(item | category) does not depend on z or c* and cancels from every posterior.
func (m *synthModel) logEmit(z, typ int, logDwell, logPrice float64) float64 {
	dd := (logDwell - m.dwellMu[z]) / dwellSigma
	dp := (logPrice - m.priceMu[z]) / priceSigma
	return m.logType[z][typ] - 0.5*(dd*dd+dp*dp)
}

// catProb is P(category = c | z, c*) = ρ(z)[c = c*] + (1−ρ(z)) π_c.
func (m *synthModel) catProb(z, c, cstar int) float64 {
	p := (1 - m.rho[z]) * m.catPop[c]
	if c == cstar {
		p += m.rho[z]
	}
	return p
}

func synthSampleWeights(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := rng.Float64() * total
	for i, x := range w {
		u -= x
		if u < 0 {
			return i
		}
	}
	return len(w) - 1
}

// sampleCDF returns the first index whose cumulative probability exceeds a uniform draw.
func synthSampleCDF(rng *rand.Rand, cdf []float64) int {
	u := rng.Float64()
	if len(cdf) > 16 {
		lo, hi := 0, len(cdf)-1
		for lo < hi {
			mid := (lo + hi) / 2
			if cdf[mid] > u {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return lo
	}
	for i, c := range cdf {
		if u < c {
			return i
		}
	}
	return len(cdf) - 1
}

func synthZipf(n int, s float64) []float64 {
	w := make([]float64, n)
	total := 0.0
	for i := range w {
		w[i] = math.Pow(float64(i+1), -s)
		total += w[i]
	}
	for i := range w {
		w[i] /= total
	}
	return w
}

func synthCumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	acc := 0.0
	for i, x := range w {
		acc += x
		c[i] = acc
	}
	c[len(c)-1] = 1
	return c
}

func synthCumulative4(w [numStates]float64) [numStates]float64 {
	var c [numStates]float64
	copy(c[:], synthCumulative(w[:]))
	return c
}

func synthSoftmax(l [numStates]float64) [numStates]float64 {
	lse := synthLogSumExp(l[:])
	for i := range l {
		l[i] = math.Exp(l[i] - lse)
	}
	return l
}

func synthLogSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}
