package datasets

import (
	"math"
	"reflect"
	"testing"
)

func TestSyntheticVisit(t *testing.T) {
	g, err := NewSyntheticStream(SyntheticConfig{Sessions: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Synthetic(SyntheticConfig{Sessions: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	sumsToOne := func(what string, p []float64) {
		t.Helper()
		s := 0.0
		for _, x := range p {
			s += x
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("%s sums to %v", what, s)
		}
	}
	hits, events := 0, 0
	for _, i := range []int{299, 0, 17, 150} { // out of order: a visit does not depend on the stream's position
		v, err := g.Visit(i)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v.Session, d.Sessions[i]) {
			t.Fatalf("visit %d: the session differs from the dataset's", i)
		}
		n := len(v.Session.Events)
		if len(v.States) != n || len(v.Posterior) != n || len(v.Oracle) != n || v.Length < n {
			t.Fatalf("visit %d: %d events, %d states, %d posteriors, %d oracle values, length %d", i, n, len(v.States), len(v.Posterior), len(v.Oracle), v.Length)
		}
		if v.Oracle[n-1] != v.Session.Oracle[0] {
			t.Errorf("visit %d: last oracle %v, session oracle %v", i, v.Oracle[n-1], v.Session.Oracle[0])
		}
		sumsToOne("Init", v.Init)
		for z := range v.Trans {
			sumsToOne("Trans row", v.Trans[z])
		}
		for _, r := range v.PurchaseFrom {
			if r < 0 || r > 1 {
				t.Errorf("visit %d: PurchaseFrom %v", i, v.PurchaseFrom)
			}
		}
		for _, post := range v.Posterior {
			sumsToOne("Posterior", post)
		}
	}
	// The posterior tracks the latent state: its most likely state is the drawn one far more
	// often than always guessing the most frequent state would be (0.75 against 0.35 here).
	var count [numStates]int
	for i := range 300 {
		v, err := g.Visit(i)
		if err != nil {
			t.Fatal(err)
		}
		for step, post := range v.Posterior {
			best := 0
			for z := range post {
				if post[z] > post[best] {
					best = z
				}
			}
			if best == v.States[step] {
				hits++
			}
			count[v.States[step]]++
			events++
		}
	}
	base := float64(max(count[0], count[1], count[2], count[3])) / float64(events)
	t.Logf("posterior argmax right for %.3f of %d events, the most frequent state for %.3f", float64(hits)/float64(events), events, base)
	if acc := float64(hits) / float64(events); acc < base+0.2 {
		t.Errorf("the posterior's most likely state is the drawn one for %.2f of %d events, want ≥ %.2f (the most frequent state's share + 0.2)", acc, events, base+0.2)
	}
	if _, err := g.Visit(300); err == nil {
		t.Error("Visit(300) of 300 sessions: no error")
	}
}

func TestSyntheticProcess(t *testing.T) {
	for _, diff := range []float64{1, 3} {
		g, err := NewSyntheticStream(SyntheticConfig{Sessions: 1, Difficulty: diff})
		if err != nil {
			t.Fatal(err)
		}
		p := g.Process()
		if len(p.States) != 4 || len(p.TypeProb) != 4 || len(p.TypeProb[0]) != len(p.EventTypes) {
			t.Fatalf("process shape: %d states, %d×%d type table", len(p.States), len(p.TypeProb), len(p.TypeProb[0]))
		}
		sch := g.Schema()
		for j, names := range p.Static {
			if len(names) != sch.CategoricalSizes[j]-1 {
				t.Errorf("%s: %d names for %d codes", sch.Categorical[j], len(names), sch.CategoricalSizes[j]-1)
			}
		}
		for z, row := range p.TypeProb {
			s := 0.0
			for _, x := range row {
				s += x
			}
			if math.Abs(s-1) > 1e-12 {
				t.Errorf("difficulty %v: P(type | %s) sums to %v", diff, p.States[z], s)
			}
		}
		// The tables of synthmodel.go, which difficulty 1 leaves as they are.
		if diff == 1 && (p.DwellMedian[1] < 44.999 || p.DwellMedian[1] > 45.001 || p.Purchase[2] != 0.75 || p.End[3] != 0.25) {
			t.Errorf("difficulty 1: dwell median %v, purchase %v, end %v", p.DwellMedian, p.Purchase, p.End)
		}
		if diff == 3 && p.DwellMedian[1] >= 45 {
			t.Errorf("difficulty 3 does not blur the dwell medians: %v", p.DwellMedian)
		}
	}
}

// TestSyntheticVisitOracleByWindow: Visit's Oracle[t] is "what the oracle would say if the window ended
// after event t+1". The same stream generated with Window t+1 draws the same sessions cut there, and
// its sessions' own oracle (Session.Oracle, computed on the cut session) must be that value.
func TestSyntheticVisitOracleByWindow(t *testing.T) {
	g, err := NewSyntheticStream(SyntheticConfig{Sessions: 60, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, w := range []int{1, 2, 4, 7} {
		d, err := Synthetic(SyntheticConfig{Sessions: 60, Seed: 3, Window: w})
		if err != nil {
			t.Fatal(err)
		}
		for i := range d.Sessions {
			v, err := g.Visit(i)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Oracle) < w {
				continue
			}
			if got, want := v.Oracle[w-1], d.Sessions[i].Oracle[0]; math.Abs(got-want) > 1e-12 {
				t.Errorf("session %d: Visit's oracle after %d events %v, the oracle with window %d %v", i, w, got, w, want)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d (session, window) pairs checked", checked)
	}
}
