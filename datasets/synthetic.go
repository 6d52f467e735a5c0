package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// SyntheticConfig configures the synthetic clickstream, a hidden Markov model whose best
// possible predictor is known exactly (see Session.Oracle). The zero value is the default
// dataset.
//
// # Generative process
//
// Session i draws everything from its own seeded source, so session i is the same whatever
// Sessions is, and sessions can be generated in any order.
//
//  1. Static features x: visitor type (new 65%, returning 35%), device (desktop, mobile, tablet),
//     traffic source (direct, search, social, ads, email), month (1–12, more in Nov/Dec) and, for
//     returning visitors, past visits 1 + Geometric(0.3). They combine into a propensity
//     u(x) = β_visitor + 0.3·log(1+past visits) + β_device + β_source + β_month (tables in
//     synthmodel.go; email and returning visitors lean towards buying, social traffic away).
//  2. A preferred category c* ~ π, the category popularity π_c ∝ 1/rank (Zipf). It is latent.
//  3. Latent states z ∈ {exploring, comparing, deciding, drifting}:
//     P(z_1 = z) = softmax_z(b_z + u·γ_z),  P(z_{t+1} = z' | z_t = z) = A(x)_{zz'} = softmax_{z'}(B_{zz'} + u·γ_{z'}),
//     with the pull γ = (0, 0.4, 0.8, −0.6): a high u moves visitors towards deciding, a low u
//     towards drifting. Deciding can fall back to drifting, which is what makes order matter:
//     the same bag of events means different things depending on which came last.
//  4. Event t, emitted in state z = z_t, independently given (z, c*):
//     type k ~ softmax(L_z) (page_view, search, product_view, add_to_cart, remove_from_cart, checkout);
//     category c: c* with probability ρ(z), else c ~ π (so P(c | z, c*) = ρ(z)[c = c*] + (1−ρ(z))π_c);
//     item ~ Zipf(1.1) over the items of category c (independent of z given c);
//     dwell = exp(μ_d(z) + σ_d ε), price = exp(μ_p(z) + σ_p ε'), ε, ε' ~ N(0, 1), with medians
//     exp μ_d = (12, 45, 30, 8) s, exp μ_p = (60, 80, 70, 40), σ_d = 0.9, σ_p = 0.6.
//  5. After each event the session ends with probability q(z) = (0.06, 0.05, 0.08, 0.25);
//     otherwise z_{t+1} ~ A(x)_{z_t ·}. A session that ends in state z is a purchase with
//     probability p(z) = (0.01, 0.05, 0.75, 0).
//
// Difficulty d scales the state dependence of the emissions: every state's type logits, log
// dwell median, log price median and focus ρ are pulled towards their mean over states as
// mean + (value − mean)/d. Larger d blurs the states (lower oracle AUC); smaller d sharpens them.
//
// # What a model sees
//
// The first Window events (all of them if the session is shorter), whether the session went on
// past them, the static features (Session.Categorical: visitor_type, device, traffic_source,
// month) and aggregates of the seen events only (Session.Numeric; see SyntheticNumeric).
// Labels: purchase (the session ends in a purchase) and cart (an add_to_cart among the events
// after the Window, which a model never sees).
//
// # The oracle
//
// Session.Oracle is P(label = 1 | what a model sees), computed exactly: the forward algorithm
// over the seen events gives the posterior of the last state (including the dwell and price
// densities and the end-or-continue flag), and the absorbing-chain equations give the
// probability of a purchase, or of an add-to-cart, from each state on (see oracle.go). At the
// defaults about 17% of sessions are purchases, 15% go on past the window, and the oracle's
// purchase ROC-AUC is about 0.90, while a logistic regression on order-free features reaches
// about 0.78 (TestSyntheticOrderMatters).
type SyntheticConfig struct {
	Sessions      int     // number of sessions; 0 means 20000
	Window        int     // W, the events a model sees; 0 means 20
	Seed          uint64  // every seed, 0 included, is valid
	Difficulty    float64 // emission blur d > 0; 0 means 1
	NumItems      int     // raw items, spread over the categories; 0 means 1000
	NumCategories int     // raw categories; 0 means 20
}

// Synthetic defaults.
const (
	DefaultSyntheticSessions   = 20000
	DefaultSyntheticWindow     = 20
	DefaultSyntheticDifficulty = 1.0
	DefaultSyntheticItems      = 1000
	DefaultSyntheticCategories = 20
)

// SyntheticNumeric names the numeric features of synthetic sessions, in Session.Numeric order:
// past_visits (static), continued (1 if the session went on past the window), events (seen),
// then n_<type> and dwell_<type> (count and total dwell per event type, UCI style), then
// dwell_total, dwell_mean, categories_distinct and price_mean. All but past_visits are
// computed from the seen events only.
var SyntheticNumeric = func() []string {
	names := []string{"past_visits", "continued", "events"}
	for _, t := range synthEventTypes {
		names = append(names, "n_"+t, "dwell_"+t)
	}
	return append(names, "dwell_total", "dwell_mean", "categories_distinct", "price_mean")
}()

// resolved returns the configuration with defaults applied, or an error naming the bad field.
func (c SyntheticConfig) resolved() (SyntheticConfig, error) {
	def := func(v *int, d int, name string) error {
		if *v < 0 {
			return fmt.Errorf("synthetic config: %s = %d, want ≥ 0 (0 means the default %d)", name, *v, d)
		}
		if *v == 0 {
			*v = d
		}
		return nil
	}
	err := errors.Join(
		def(&c.Sessions, DefaultSyntheticSessions, "Sessions"),
		def(&c.Window, DefaultSyntheticWindow, "Window"),
		def(&c.NumItems, DefaultSyntheticItems, "NumItems"),
		def(&c.NumCategories, DefaultSyntheticCategories, "NumCategories"),
	)
	if err != nil {
		return c, err
	}
	if c.Difficulty < 0 || math.IsNaN(c.Difficulty) || math.IsInf(c.Difficulty, 0) {
		return c, fmt.Errorf("synthetic config: Difficulty = %v, want a finite number > 0 (0 means the default %v)", c.Difficulty, DefaultSyntheticDifficulty)
	}
	if c.Difficulty == 0 {
		c.Difficulty = DefaultSyntheticDifficulty
	}
	if c.NumItems < c.NumCategories {
		return c, fmt.Errorf("synthetic config: NumItems = %d is less than NumCategories = %d; every category needs an item", c.NumItems, c.NumCategories)
	}
	return c, nil
}

// SyntheticSchema returns the schema of synthetic datasets with this configuration.
func SyntheticSchema(cfg SyntheticConfig) (Schema, error) {
	c, err := cfg.resolved()
	if err != nil {
		return Schema{}, err
	}
	return Schema{
		Name:             "synthetic",
		Numeric:          append([]string(nil), SyntheticNumeric...),
		Categorical:      []string{"visitor_type", "device", "traffic_source", "month"},
		CategoricalSizes: []int{len(synthVisitors) + 1, len(synthDevices) + 1, len(synthSources) + 1, 13},
		EventTypes:       append([]string(nil), synthEventTypes...),
		NumItems:         c.NumItems + 2,
		NumCategories:    c.NumCategories + 2,
		Tasks:            []string{TaskPurchase, TaskCart},
		HasSequence:      true,
	}, nil
}

// Synthetic generates the synthetic clickstream in memory, with Session.Oracle filled.
// Event Type, Item and Category are already encoded ids (raw index + 2), so the data can be
// batched without a vocabulary; fitting one on a training split remains valid.
func Synthetic(cfg SyntheticConfig) (*Dataset, error) {
	g, err := NewSyntheticStream(cfg)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Schema: g.Schema(), Sessions: make([]Session, 0, g.cfg.Sessions)}
	for s, ok := g.Next(); ok; s, ok = g.Next() {
		d.Sessions = append(d.Sessions, s)
	}
	return d, nil
}

// SyntheticStream generates synthetic sessions one at a time, in constant memory.
// It is not safe for concurrent use; separate streams with the same configuration produce
// the same sessions.
type SyntheticStream struct {
	cfg    SyntheticConfig // resolved
	model  *synthModel
	schema Schema
	next   int
	filter synthFilter
	states []int // generateTrace's record of the latent states, reused
}

// NewSyntheticStream returns a stream of cfg.Sessions sessions (defaults applied).
func NewSyntheticStream(cfg SyntheticConfig) (*SyntheticStream, error) {
	schema, err := SyntheticSchema(cfg)
	if err != nil {
		return nil, err
	}
	c, _ := cfg.resolved()
	return &SyntheticStream{cfg: c, model: newSynthModel(c), schema: schema}, nil
}

// Schema returns the schema of the stream's sessions.
func (g *SyntheticStream) Schema() Schema { return g.schema }

// Config returns the configuration with its defaults applied.
func (g *SyntheticStream) Config() SyntheticConfig { return g.cfg }

// Next returns the next session, and false once all cfg.Sessions have been returned.
func (g *SyntheticStream) Next() (Session, bool) {
	if g.next >= g.cfg.Sessions {
		return Session{}, false
	}
	s := g.generate(g.next)
	g.next++
	return s, true
}

// synthRand returns session i's random source: PCG seeded by a SplitMix64 mix of (seed, i),
// so neighbouring sessions get unrelated streams.
func synthRand(seed uint64, i int) *rand.Rand {
	a := synthMix(seed ^ synthMix(uint64(i)+0x9e3779b97f4a7c15))
	return rand.New(rand.NewPCG(a, synthMix(a)))
}

func synthMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// synthTrace is what generate knows beyond the session: the latent pieces tests look at.
type synthTrace struct {
	visitor synthVisitor
	length  int   // events in the whole session, seen or not
	states  []int // the latent state of each seen event; valid until the stream generates again
}

func (g *SyntheticStream) generate(i int) Session {
	s, _ := g.generateTrace(i)
	return s
}

func (g *SyntheticStream) generateTrace(i int) (Session, synthTrace) {
	m, w := g.model, g.cfg.Window
	rng := synthRand(g.cfg.Seed, i)
	v := synthSampleVisitor(rng)
	dyn := m.dynamics(&v)
	cstar := synthSampleCDF(rng, m.catCDF)
	z := synthSampleCDF(rng, dyn.initCDF[:])
	monthStart := time.Date(2025, time.Month(v.month), 1, 0, 0, 0, 0, time.UTC)
	monthLen := monthStart.AddDate(0, 1, 0).Unix() - monthStart.Unix()
	start := monthStart.Unix() + rng.Int64N(monthLen)

	events := make([]Event, 0, min(w, 32))
	clock := float64(start)
	var purchase, cart, continued bool
	n := 0
	g.states = g.states[:0]
	for {
		n++
		g.states = append(g.states, z)
		ev := m.sampleEvent(rng, z, cstar)
		ev.Time = int64(clock)
		clock += ev.Dwell
		events = append(events, ev)
		if rng.Float64() < m.q[z] {
			purchase = rng.Float64() < m.p[z]
			break
		}
		z = synthSampleCDF(rng, dyn.transCDF[z][:])
		if n == w {
			continued = true
			var k int
			purchase, cart, k = m.future(rng, &dyn, z)
			n += k
			break
		}
	}

	// One backing array for Numeric, Labels and Oracle.
	nf := len(SyntheticNumeric)
	buf := make([]float64, nf+4)
	s := Session{
		ID:          strconv.Itoa(i),
		Start:       start,
		Numeric:     buf[:nf:nf],
		Categorical: []int{v.visitor, v.device, v.source, v.month},
		Events:      events,
		Labels:      buf[nf : nf+2 : nf+2],
		Oracle:      buf[nf+2:],
	}
	synthAggregates(s.Numeric, &v, events, continued)
	s.Labels[0], s.Labels[1] = synthBool(purchase), synthBool(cart)
	s.Oracle[0], s.Oracle[1] = m.oracle(&dyn, events, continued, &g.filter)
	return s, synthTrace{visitor: v, length: n, states: g.states}
}

// synthAggregates fills out (len(SyntheticNumeric)) from the static features and the seen events.
func synthAggregates(out []float64, v *synthVisitor, events []Event, continued bool) {
	clear(out)
	out[0] = float64(v.pastVisits)
	out[1] = synthBool(continued)
	out[2] = float64(len(events))
	var seen [64]bool // categories seen, for small category counts
	var seenMap map[int]bool
	distinct := 0
	total, price := 0.0, 0.0
	for _, e := range events {
		k := e.Type - 2
		out[3+2*k]++
		out[4+2*k] += e.Dwell
		total += e.Dwell
		price += e.Price
		if e.Category < len(seen) {
			if !seen[e.Category] {
				seen[e.Category] = true
				distinct++
			}
		} else {
			if seenMap == nil {
				seenMap = map[int]bool{}
			}
			if !seenMap[e.Category] {
				seenMap[e.Category] = true
				distinct++
			}
		}
	}
	j := 3 + 2*numSynthTypes
	out[j] = total
	out[j+1] = total / float64(len(events))
	out[j+2] = float64(distinct)
	out[j+3] = price / float64(len(events))
}

func synthBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
