package datasets

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// synthISEstimate estimates P(purchase | seen) and P(cart | seen) for one prefix by Monte Carlo,
// without the forward algorithm or the absorbing-chain solutions: it draws latent state paths
// z_1..z_n from the prior chain π(x), A(x), weights each by the likelihood of the seen events
// and of the end flag — Σ_c π_c Π_t P(cat_t | z_t, c) summed over the preferred category
// exactly, times Π_t P(type, dwell, price | z_t), Π_{t<n} (1 − q(z_t)) and q(z_n) or
// 1 − q(z_n) — and then simulates the rest of the session by the generator's own sampler.
// It returns the self-normalised importance-sampling estimates, their standard errors
// (√(Σ w²(y − μ)²) / Σ w) and the effective sample size (Σ w)² / Σ w².
func synthISEstimate(m *synthModel, d *synthDynamics, events []Event, continued bool, rng *rand.Rand, samples int) (mu, se [2]float64, ess float64) {
	n := len(events)
	logW := make([]float64, samples)
	ys := make([][2]float64, samples)
	zs := make([]int, n)
	nc := len(m.catPop)
	for s := range samples {
		zs[0] = synthSampleCDF(rng, d.initCDF[:])
		for t := 1; t < n; t++ {
			zs[t] = synthSampleCDF(rng, d.transCDF[zs[t-1]][:])
		}
		lw := 0.0
		for t, e := range events {
			lw += m.logEmit(zs[t], e.Type-2, math.Log(e.Dwell), math.Log(e.Price))
			if t < n-1 {
				lw += math.Log(1 - m.q[zs[t]])
			}
		}
		catLik := 0.0
		for c := range nc {
			p := m.catPop[c]
			for t, e := range events {
				p *= m.catProb(zs[t], e.Category-2, c)
			}
			catLik += p
		}
		lw += math.Log(catLik)
		last := zs[n-1]
		if continued {
			lw += math.Log(1 - m.q[last])
			next := synthSampleCDF(rng, d.transCDF[last][:])
			buy, cart, _ := m.future(rng, d, next)
			ys[s] = [2]float64{synthBool(buy), synthBool(cart)}
		} else {
			lw += math.Log(m.q[last])
			ys[s] = [2]float64{synthBool(rng.Float64() < m.p[last]), 0}
		}
		logW[s] = lw
	}
	top := math.Inf(-1)
	for _, l := range logW {
		top = max(top, l)
	}
	var sw, sw2 float64
	w := make([]float64, samples)
	for s, l := range logW {
		w[s] = math.Exp(l - top)
		sw += w[s]
		sw2 += w[s] * w[s]
	}
	for k := range 2 {
		for s := range samples {
			mu[k] += w[s] * ys[s][k]
		}
		mu[k] /= sw
		v := 0.0
		for s := range samples {
			r := ys[s][k] - mu[k]
			v += w[s] * w[s] * r * r
		}
		se[k] = math.Sqrt(v) / sw
	}
	return mu, se, sw * sw / sw2
}

// TestOracleMonteCarlo compares the oracle with importance-sampling Monte Carlo for prefixes
// that ended inside the window (at fewer than W events and at exactly W) and prefixes that
// went on past it, for both tasks. Agreement within 4 standard errors is required, and the
// standard errors must be small enough (≤ 0.01) for the comparison to mean something.
func TestOracleMonteCarlo(t *testing.T) {
	g, err := NewSyntheticStream(SyntheticConfig{Sessions: 600, Window: 4, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	type prefix struct {
		s      Session
		v      synthVisitor
		spread float64
		label  string
	}
	var ended, endedAtW, cont []prefix
	for i := range g.cfg.Sessions {
		s, tr := g.generateTrace(i)
		p := prefix{s: s, v: tr.visitor}
		// spread is the variance, under the state posterior, of the quantity the oracle
		// averages (p(z) if the session ended, r(z') of the next state if it went on): the
		// larger it is, the more a wrong posterior moves the oracle.
		d := g.model.dynamics(&tr.visitor)
		continued := s.Numeric[1] == 1
		post := g.model.posterior(&d, s.Events, continued, &g.filter)
		var val, w [numStates]float64
		for z := range numStates {
			if continued {
				val[z] = d.r[z]
				for y := range numStates {
					w[z] += post[y] * d.trans[y][z]
				}
			} else {
				val[z], w[z] = g.model.p[z], post[z]
			}
		}
		var m1, m2 float64
		for z := range numStates {
			m1 += w[z] * val[z]
			m2 += w[z] * val[z] * val[z]
		}
		p.spread = m2 - m1*m1
		switch {
		case continued:
			p.label = "continued"
			cont = append(cont, p)
		case len(s.Events) == g.cfg.Window:
			p.label = "ended at W"
			endedAtW = append(endedAtW, p)
		default:
			p.label = "ended before W"
			ended = append(ended, p)
		}
	}
	// In each group take the three prefixes with the largest spread and the first one.
	var cases []prefix
	for _, ps := range [][]prefix{ended, endedAtW, cont} {
		cases = append(cases, ps[0])
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].spread > ps[b].spread })
		cases = append(cases, ps[:3]...)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		d := g.model.dynamics(&c.v)
		mu, se, ess := synthISEstimate(g.model, &d, c.s.Events, c.s.Numeric[1] == 1, rng, 100000)
		if ess < 10000 { // a peaked likelihood: draw enough paths for about 10,000 effective ones
			n := min(int(100000*10000/ess), 1000000)
			mu, se, ess = synthISEstimate(g.model, &d, c.s.Events, c.s.Numeric[1] == 1, rng, n)
		}
		for k, task := range []string{"purchase", "cart"} {
			o := c.s.Oracle[k]
			t.Logf("%-14s session %3s, %d events, %-8s oracle %.4f, Monte Carlo %.4f ± %.4f (ESS %.0f)",
				c.label, c.s.ID, len(c.s.Events), task, o, mu[k], se[k], ess)
			if se[k] > 0.01 {
				t.Errorf("session %s %s: Monte Carlo standard error %.4f too large to test", c.s.ID, task, se[k])
			}
			if math.Abs(o-mu[k]) > 4*se[k]+1e-12 {
				t.Errorf("session %s %s: oracle %.4f, Monte Carlo %.4f ± %.4f: off by %.1f standard errors",
					c.s.ID, task, o, mu[k], se[k], math.Abs(o-mu[k])/se[k])
			}
		}
	}
}

// TestOracleCalibration checks the whole oracle end to end against the generator's labels:
// if Oracle = P(label | seen), then within any group of sessions chosen by the oracle value,
// Σ (label − oracle) has mean 0 and variance Σ oracle(1 − oracle). Sessions are grouped into
// ten oracle deciles per task, plus all sessions together; every group must be within 4
// standard deviations.
func TestOracleCalibration(t *testing.T) {
	d, err := Synthetic(SyntheticConfig{Sessions: 40000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for k, task := range d.Schema.Tasks {
		idx := make([]int, len(d.Sessions))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return d.Sessions[idx[a]].Oracle[k] < d.Sessions[idx[b]].Oracle[k] })
		check := func(name string, group []int) {
			var diff, v, meanO, meanY float64
			for _, i := range group {
				s := &d.Sessions[i]
				diff += s.Labels[k] - s.Oracle[k]
				v += s.Oracle[k] * (1 - s.Oracle[k])
				meanO += s.Oracle[k]
				meanY += s.Labels[k]
			}
			n := float64(len(group))
			z := 0.0
			if v > 0 {
				z = diff / math.Sqrt(v)
			} else if diff != 0 {
				z = math.Inf(1)
			}
			t.Logf("%-8s %-9s n=%5d mean oracle %.4f, label rate %.4f, z = %+.2f", task, name, len(group), meanO/n, meanY/n, z)
			if math.Abs(z) > 4 {
				t.Errorf("%s %s: mean oracle %.4f vs label rate %.4f, %.1f standard deviations apart", task, name, meanO/n, meanY/n, z)
			}
		}
		check("all", idx)
		for b := range 10 {
			check("decile "+string(rune('0'+b)), idx[b*len(idx)/10:(b+1)*len(idx)/10])
		}
	}
}

// TestOracleRecompute: Oracle on a generated session reproduces Session.Oracle, and malformed
// sessions are errors that say what is wrong.
func TestOracleRecompute(t *testing.T) {
	g, _ := NewSyntheticStream(SyntheticConfig{Sessions: 200, Window: 6})
	for s, ok := g.Next(); ok; s, ok = g.Next() {
		got, err := g.Oracle(&s)
		if err != nil {
			t.Fatal(err)
		}
		for k := range got {
			if got[k] != s.Oracle[k] {
				t.Fatalf("session %s: Oracle %v, generated %v", s.ID, got, s.Oracle)
			}
		}
	}
	s := g.generate(0)
	for _, tc := range []struct {
		edit func(s *Session)
		want string
	}{
		{func(s *Session) { s.Categorical[1] = 9 }, "device code 9"},
		{func(s *Session) { s.Categorical = s.Categorical[:2] }, "categorical"},
		{func(s *Session) { s.Numeric[0] = 1.5 }, "past_visits 1.5"},
		{func(s *Session) { s.Events = nil }, "0 events"},
		{func(s *Session) { s.Events[0].Type = 1 }, "event 0: type 1"},
		{func(s *Session) { s.Events[0].Category = 99 }, "event 0: category 99"},
		{func(s *Session) { s.Events[0].Dwell = 0 }, "event 0: dwell 0"},
		{func(s *Session) { s.Numeric[1] = 1; s.Events = s.Events[:1] }, "exactly 6 when continued"},
	} {
		c := s
		c.Categorical = append([]int(nil), s.Categorical...)
		c.Numeric = append([]float64(nil), s.Numeric...)
		c.Events = append([]Event(nil), s.Events...)
		tc.edit(&c)
		if _, err := g.Oracle(&c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
}

// TestOracleLongWindow: with per-step normalisation the forward algorithm stays finite over
// thousands of events, where unnormalised likelihoods would underflow.
func TestOracleLongWindow(t *testing.T) {
	const w = 3000
	g, _ := NewSyntheticStream(SyntheticConfig{Sessions: 1, Window: w})
	s := g.generate(0)
	base := s.Events
	s.Events = nil
	for len(s.Events) < w {
		s.Events = append(s.Events, base...)
	}
	s.Events = s.Events[:w]
	s.Numeric[1] = 1
	got, err := g.Oracle(&s)
	if err != nil {
		t.Fatal(err)
	}
	for k, o := range got {
		if !(o > 0 && o < 1) {
			t.Fatalf("oracle[%d] = %v after %d events", k, o, w)
		}
	}
}

// TestOracleBruteForce checks the forward recursion exactly: for prefixes of up to 7 events it
// sums the joint probability of the seen events, the end flag and every latent path
// (z_1..z_n) — 4^7 = 16,384 paths — with the preferred category summed out, straight from the
// definitions, and compares the resulting P(purchase | seen) and P(cart | seen) with the
// oracle to 1e-9. (The Monte Carlo test above has little power against an error such as a
// dropped (1 − q) factor, which moves these short-prefix oracles by under 0.01.)
func TestOracleBruteForce(t *testing.T) {
	g, err := NewSyntheticStream(SyntheticConfig{Sessions: 60, Window: 7, Seed: 21})
	if err != nil {
		t.Fatal(err)
	}
	checked := map[bool]int{}
	for i := range g.cfg.Sessions {
		s, tr := g.generateTrace(i)
		d := g.model.dynamics(&tr.visitor)
		continued := s.Numeric[1] == 1
		n := len(s.Events)
		if n < 3 {
			continue
		}
		checked[continued]++
		m := g.model
		zs := make([]int, n)
		var logJ []float64
		var vals [][2]float64
		for code := 0; code < 1<<(2*n); code++ { // base-4 digits are the states
			for t := range n {
				zs[t] = code >> (2 * t) & 3
			}
			lj := math.Log(d.init[zs[0]])
			for t, e := range s.Events {
				if t > 0 {
					lj += math.Log((1 - m.q[zs[t-1]]) * d.trans[zs[t-1]][zs[t]])
				}
				lj += m.logEmit(zs[t], e.Type-2, math.Log(e.Dwell), math.Log(e.Price))
			}
			cat := 0.0
			for c := range m.catPop {
				p := m.catPop[c]
				for t, e := range s.Events {
					p *= m.catProb(zs[t], e.Category-2, c)
				}
				cat += p
			}
			lj += math.Log(cat)
			last := zs[n-1]
			var v [2]float64
			if continued {
				lj += math.Log(1 - m.q[last])
				noCart := 0.0
				for y := range numStates {
					v[0] += d.trans[last][y] * d.r[y]
					noCart += d.trans[last][y] * d.g[y]
				}
				v[1] = 1 - noCart
			} else {
				lj += math.Log(m.q[last])
				v[0] = m.p[last]
			}
			logJ = append(logJ, lj)
			vals = append(vals, v)
		}
		top := math.Inf(-1)
		for _, l := range logJ {
			top = max(top, l)
		}
		var num [2]float64
		den := 0.0
		for k, l := range logJ {
			w := math.Exp(l - top)
			den += w
			num[0] += w * vals[k][0]
			num[1] += w * vals[k][1]
		}
		for k := range 2 {
			if want := num[k] / den; math.Abs(s.Oracle[k]-want) > 1e-9 {
				t.Errorf("session %s (%d events, continued %v) task %d: oracle %.12f, brute force %.12f", s.ID, n, continued, k, s.Oracle[k], want)
			}
		}
	}
	if checked[true] < 3 || checked[false] < 10 {
		t.Fatalf("only %d continued and %d ended prefixes checked", checked[true], checked[false])
	}
	t.Logf("checked %d continued and %d ended prefixes", checked[true], checked[false])
}
