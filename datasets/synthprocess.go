package datasets

import (
	"fmt"
	"math"
)

// SyntheticStates names the latent shopping states of the synthetic clickstream, in index order.
var SyntheticStates = []string{"exploring", "comparing", "deciding", "drifting"}

// SyntheticProcess is the part of the synthetic clickstream's hidden Markov model that is the same
// for every visitor, with the configuration's difficulty applied: what each latent state emits, how
// likely the session is to end in it, and how likely an ending there is a purchase. Rows are indexed
// by state (SyntheticStates order).
type SyntheticProcess struct {
	States     []string
	EventTypes []string
	// Static names the codes of each categorical feature, in Schema.Categorical order (visitor_type,
	// device, traffic_source, month): code c of feature j is Static[j][c-1].
	Static   [][]string
	TypeProb [][]float64 // (states, types): P(event type | z)
	// DwellMedian and PriceMedian are the medians of the log-normal dwell (seconds) and price of an
	// event emitted in each state; Focus is ρ(z), the extra probability that its category is the
	// visitor's preferred one.
	DwellMedian, PriceMedian, Focus []float64
	End                             []float64 // q(z): P(the session ends after an event in z)
	Purchase                        []float64 // p(z): P(purchase | the session ends in z)
}

// Process returns the stream's generative process (see SyntheticConfig for the equations).
func (g *SyntheticStream) Process() SyntheticProcess {
	m := g.model
	p := SyntheticProcess{
		States:     append([]string(nil), SyntheticStates...),
		EventTypes: append([]string(nil), synthEventTypes...),
		TypeProb:   make([][]float64, numStates),
		Static: [][]string{append([]string(nil), synthVisitors...), append([]string(nil), synthDevices...),
			append([]string(nil), synthSources...), {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}},
		End:      append([]float64(nil), m.q[:]...),
		Purchase: append([]float64(nil), m.p[:]...),
	}
	for z := range numStates {
		p.TypeProb[z] = make([]float64, numSynthTypes)
		for k := range numSynthTypes {
			p.TypeProb[z][k] = math.Exp(m.logType[z][k])
		}
		p.DwellMedian = append(p.DwellMedian, math.Exp(m.dwellMu[z]))
		p.PriceMedian = append(p.PriceMedian, math.Exp(m.priceMu[z]))
		p.Focus = append(p.Focus, m.rho[z])
	}
	return p
}

// SyntheticVisit is one synthetic session opened up: the latent pieces the generator drew, the
// visitor's own chain, and what the oracle believes after each seen event. No model ever sees
// States or Length; they are here to teach and to test.
type SyntheticVisit struct {
	Session    Session
	Propensity float64     // u(x), the visitor's pull towards deciding (> 0) or drifting (< 0)
	Init       []float64   // P(z_1 = z | x)
	Trans      [][]float64 // (states, states): A(x), P(z_{t+1} = z' | z_t = z, x)
	// PurchaseFrom is r(z) = P(purchase | the next event is emitted in state z), from the
	// absorbing-chain equations.
	PurchaseFrom []float64
	States       []int // the latent state of each seen event, as drawn
	Length       int   // events in the whole session, seen or not
	// Posterior[t] is P(z_{t+1} = z | the first t+1 events, and whether the session went on after
	// them): the forward algorithm's belief about the state of event t+1.
	Posterior [][]float64
	// Oracle[t] is P(purchase | the first t+1 events, and whether the session went on after them),
	// what the oracle would say if the window ended there. The last entry is Session.Oracle[0].
	Oracle []float64
}

// Visit generates session i of the stream (the same session Next returns as the i-th, whatever has
// been generated before) and opens it up. It costs O(events²) forward steps. i must be in
// [0, Sessions).
func (g *SyntheticStream) Visit(i int) (SyntheticVisit, error) {
	if i < 0 || i >= g.cfg.Sessions {
		return SyntheticVisit{}, fmt.Errorf("synthetic visit: session %d, want 0..%d", i, g.cfg.Sessions-1)
	}
	s, tr := g.generateTrace(i)
	m := g.model
	d := m.dynamics(&tr.visitor)
	v := SyntheticVisit{
		Session:      s,
		Propensity:   tr.visitor.propensity(),
		Init:         append([]float64(nil), d.init[:]...),
		PurchaseFrom: append([]float64(nil), d.r[:]...),
		States:       append([]int(nil), tr.states...),
		Length:       tr.length,
	}
	for z := range numStates {
		v.Trans = append(v.Trans, append([]float64(nil), d.trans[z][:]...))
	}
	n := len(s.Events)
	for t := 1; t <= n; t++ {
		continued := t < n || s.Numeric[1] == 1 // before the last seen event, the session went on
		post := m.posterior(&d, s.Events[:t], continued, &g.filter)
		v.Posterior = append(v.Posterior, append([]float64(nil), post[:]...))
		p, _ := m.oracle(&d, s.Events[:t], continued, &g.filter)
		v.Oracle = append(v.Oracle, p)
	}
	return v, nil
}
