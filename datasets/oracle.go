package datasets

import (
	"fmt"
	"math"
)

// synthFilter is the forward algorithm's scratch space. The forward variables α(c*, z) are
// joint over the preferred category c* and the state, but every c* that the session has not
// shown yet has seen the same likelihood so far, so those share one track f(z) with
// α(c*, z) = π_{c*} f(z); each category that has appeared gets its own track. The cost per
// event is therefore O(distinct categories seen × states²), whatever NumCategories is.
type synthFilter struct {
	alpha []float64 // tracks × numStates, row-major; track 0 is the shared one, f
	track []int     // per category: its track, or 0 while it has none
	seen  []int     // the categories that have a track in this session
}

// posterior runs the forward algorithm over the seen events x_1..x_n of one session and
// returns P(z_n = z | x, static features, end flag):
//
//	α_1(c, z)     = π_c · P(z_1 = z) · e(x_1 | z, c)
//	α_t(c, z')    = Σ_z α_{t−1}(c, z) (1 − q(z)) A(x)_{zz'} · e(x_t | z', c)
//	P(z_n = z | …) ∝ Σ_c α_n(c, z) · (q(z) if the session ended after x_n, else 1 − q(z))
//
// where e(x | z, c) = P(type | z) P(category | z, c) N(log dwell; μ_d(z), σ_d²) N(log price; μ_p(z), σ_p²)
// with every factor that does not depend on (z, c) dropped (item popularity, Gaussian
// normalisers, Jacobians). The factor (1 − q(z)) is the session not ending after event t−1.
// α is rescaled to sum to one after every step, so any window length is safe from underflow.
func (m *synthModel) posterior(d *synthDynamics, events []Event, continued bool, f *synthFilter) [numStates]float64 {
	if len(f.track) != len(m.catPop) {
		f.track = make([]int, len(m.catPop))
	}
	defer func() {
		for _, c := range f.seen {
			f.track[c] = 0
		}
		f.seen = f.seen[:0]
	}()
	var cont [numStates][numStates]float64 // (1 − q(z)) A_{zz'}
	for z := range numStates {
		for y := range numStates {
			cont[z][y] = (1 - m.q[z]) * d.trans[z][y]
		}
	}
	f.alpha = append(f.alpha[:0], d.init[:]...) // before event 1: f(z) = P(z_1 = z)
	rest := 1.0                                 // Σ π_c over the categories without a track
	for t := range events {
		ev := &events[t]
		typ, cat := ev.Type-2, ev.Category-2
		var lw, w, other [numStates]float64
		top := math.Inf(-1)
		for z := range numStates {
			lw[z] = m.logEmit(z, typ, math.Log(ev.Dwell), math.Log(ev.Price))
			top = max(top, lw[z])
		}
		for z := range numStates {
			w[z] = math.Exp(lw[z] - top)
			other[z] = w[z] * (1 - m.rho[z]) * m.catPop[cat] // c* ≠ observed category
		}
		// Predict: α_{t−1} → Σ_z α_{t−1}(·, z)(1 − q(z)) A_{zz'} (event 1 is already predicted).
		if t > 0 {
			for j := 0; j < len(f.alpha); j += numStates {
				a := f.alpha[j : j+numStates : j+numStates]
				var pred [numStates]float64
				for z := range numStates {
					for y := range numStates {
						pred[y] += a[z] * cont[z][y]
					}
				}
				copy(a, pred[:])
			}
		}
		// A category seen for the first time leaves the shared track.
		if f.track[cat] == 0 {
			f.track[cat] = len(f.alpha) / numStates
			f.seen = append(f.seen, cat)
			for z := range numStates {
				f.alpha = append(f.alpha, m.catPop[cat]*f.alpha[z])
			}
			rest = max(rest-m.catPop[cat], 0)
		}
		// Update with the emission, then rescale.
		total := 0.0
		own := f.track[cat]
		for j := 0; j < len(f.alpha); j += numStates {
			a := f.alpha[j : j+numStates : j+numStates]
			sum := 0.0
			for z := range numStates {
				e := other[z]
				if j == own*numStates {
					e += w[z] * m.rho[z]
				}
				a[z] *= e
				sum += a[z]
			}
			if j == 0 {
				sum *= rest
			}
			total += sum
		}
		for i := range f.alpha {
			f.alpha[i] /= total
		}
	}
	var post [numStates]float64
	total := 0.0
	for z := range numStates {
		post[z] = rest * f.alpha[z]
		for j := numStates; j < len(f.alpha); j += numStates {
			post[z] += f.alpha[j+z]
		}
		end := m.q[z]
		if continued {
			end = 1 - m.q[z]
		}
		post[z] *= end
		total += post[z]
	}
	for z := range numStates {
		post[z] /= total
	}
	return post
}

// oracle returns the exact P(purchase | seen) and P(cart | seen) for one session.
//
// If the session ended after its last seen event, P(purchase) = Σ_z P(z_n = z | …) p(z) and
// P(cart) = 0 (there are no unseen events). If it went on, the next event is emitted in state
// z' with probability m(z') = Σ_z P(z_n = z | …) A_{zz'}, and
//
//	P(purchase) = Σ_z' m(z') r(z'),   P(cart) = 1 − Σ_z' m(z') g(z')
//
// with r and g the absorbing-chain solutions of synthModel.absorbing.
func (m *synthModel) oracle(d *synthDynamics, events []Event, continued bool, f *synthFilter) (purchase, cart float64) {
	post := m.posterior(d, events, continued, f)
	if !continued {
		for z := range numStates {
			purchase += post[z] * m.p[z]
		}
		return synthClamp01(purchase), 0
	}
	noCart := 0.0
	for z := range numStates {
		for y := range numStates {
			mz := post[z] * d.trans[z][y]
			purchase += mz * d.r[y]
			noCart += mz * d.g[y]
		}
	}
	return synthClamp01(purchase), synthClamp01(1 - noCart)
}

func synthClamp01(x float64) float64 { return min(max(x, 0), 1) }

// Oracle recomputes the exact P(label = 1 | what a model sees) per task (purchase, cart) for a
// raw synthetic session of this stream's configuration: its Categorical codes, its Numeric
// continued flag and its Events (encoded ids as generated, positive dwell and price). It is
// what Session.Oracle holds; use it for sessions read back from CSV. Past visits are
// Numeric[0]. A session that does not fit the configuration is an error.
func (g *SyntheticStream) Oracle(s *Session) ([]float64, error) {
	if len(s.Categorical) != len(g.schema.Categorical) || len(s.Numeric) < 2 {
		return nil, fmt.Errorf("synthetic oracle: session %q: want %d categorical and %d numeric features, have %d and %d",
			s.ID, len(g.schema.Categorical), len(g.schema.Numeric), len(s.Categorical), len(s.Numeric))
	}
	for j, code := range s.Categorical {
		if code < 1 || code >= g.schema.CategoricalSizes[j] {
			return nil, fmt.Errorf("synthetic oracle: session %q: %s code %d, want 1..%d", s.ID, g.schema.Categorical[j], code, g.schema.CategoricalSizes[j]-1)
		}
	}
	v := synthVisitor{visitor: s.Categorical[0], device: s.Categorical[1], source: s.Categorical[2], month: s.Categorical[3]}
	pv := s.Numeric[0]
	if pv < 0 || pv != math.Trunc(pv) {
		return nil, fmt.Errorf("synthetic oracle: session %q: past_visits %v, want a whole number ≥ 0", s.ID, pv)
	}
	v.pastVisits = int(pv)
	continued := s.Numeric[1] == 1
	if n := len(s.Events); n == 0 || n > g.cfg.Window || (continued && n != g.cfg.Window) {
		return nil, fmt.Errorf("synthetic oracle: session %q: %d events (continued=%v), want 1..%d and exactly %d when continued",
			s.ID, n, continued, g.cfg.Window, g.cfg.Window)
	}
	for t, e := range s.Events {
		switch {
		case e.Type < 2 || e.Type >= numSynthTypes+2:
			return nil, fmt.Errorf("synthetic oracle: session %q: event %d: type %d, want 2..%d", s.ID, t, e.Type, numSynthTypes+1)
		case e.Category < 2 || e.Category >= g.schema.NumCategories:
			return nil, fmt.Errorf("synthetic oracle: session %q: event %d: category %d, want 2..%d", s.ID, t, e.Category, g.schema.NumCategories-1)
		case !(e.Dwell > 0) || math.IsInf(e.Dwell, 0) || !(e.Price > 0) || math.IsInf(e.Price, 0):
			return nil, fmt.Errorf("synthetic oracle: session %q: event %d: dwell %v and price %v, want finite and > 0", s.ID, t, e.Dwell, e.Price)
		}
	}
	d := g.model.dynamics(&v)
	p, c := g.model.oracle(&d, s.Events, continued, &g.filter)
	return []float64{p, c}, nil
}
