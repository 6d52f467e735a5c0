package datasets

import (
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	d := coreSeqDataset(5)
	// Session lengths 0, 1, 2, 3, 10 (session 4 gets ten events, items 200..209, all category 10).
	d.Sessions[4].Events = nil
	for k := range 10 {
		d.Sessions[4].Events = append(d.Sessions[4].Events, Event{Type: 3, Item: 200 + k, Category: 10})
	}
	d.Sessions[2].Start = 0 // starts 1000, 1001, -, 1003, 1004
	st := Describe(d)
	if st.Sessions != 5 || st.Events != 16 {
		t.Errorf("sessions %d events %d, want 5 and 16", st.Sessions, st.Events)
	}
	// Buyers: i%5 == 0 → session 0 only. Carts: even i → 0, 2, 4.
	if st.Buyers != 1 || st.BuyerRate != 0.2 || !st.HasCart || st.Carts != 3 || st.CartRate != 0.6 {
		t.Errorf("buyers %d (%v), carts %v %d (%v); want 1 (0.2), true 3 (0.6)", st.Buyers, st.BuyerRate, st.HasCart, st.Carts, st.CartRate)
	}
	// Type-7 (numpy default) quantiles of 0, 1, 2, 3, 10: position h = p·4, linear between neighbours.
	// p90: h = 3.6 → 3 + 0.6·7 = 7.2; p99: h = 3.96 → 3 + 0.96·7 = 9.72; mean 16/5.
	want := Quantiles{Min: 0, P25: 1, P50: 2, P75: 3, P90: 7.2, P99: 9.72, Max: 10, Mean: 3.2}
	l := st.Length
	for _, c := range [][2]float64{{l.Min, want.Min}, {l.P25, want.P25}, {l.P50, want.P50}, {l.P75, want.P75}, {l.P90, want.P90}, {l.P99, want.P99}, {l.Max, want.Max}, {l.Mean, want.Mean}} {
		if !coreNear(c[0], c[1]) {
			t.Errorf("length quantiles %+v, want %+v", l, want)
			break
		}
	}
	// Items: session 1 has 101; 2 has 102, 103; 3 has 103, 104, 105; 4 has 200..209 → 15 distinct.
	// Categories: 10, 11, 12. Types: 2 for t even, 3 for t odd and all of session 4.
	if st.DistinctItems != 15 || st.DistinctCats != 3 {
		t.Errorf("distinct items %d categories %d, want 15 and 3", st.DistinctItems, st.DistinctCats)
	}
	if st.TypeCounts[2] != 4 || st.TypeCounts[3] != 12 || st.EventTypes != 4 {
		t.Errorf("type counts %v (vocabulary %d), want [0 0 4 12] and 4", st.TypeCounts, st.EventTypes)
	}
	if st.FirstStart != 1000 || st.LastStart != 1004 {
		t.Errorf("start range %d..%d, want 1000..1004", st.FirstStart, st.LastStart)
	}
	out := st.String()
	for _, line := range []string{
		"dataset            toy\n",
		"buyers             1 (20.00%)\n",
		"carts              3 (60.00%)\n",
		"session length     min 0  p25 1  p50 2  p75 3  p90 7.2  p99 9.72  max 10  mean 3.20\n",
		"  view             4\n",
		"items              15 observed, vocabulary 1000\n",
		"categorical sizes  c 4\n",
		"period             1970-01-01 00:16:40 to 1970-01-01 00:16:44\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("String() lacks %q; got\n%s", line, out)
		}
	}
	// A loader's raw ids have no vocabulary yet (NumItems 0): say so instead of "vocabulary 0".
	d.Schema.NumItems = 0
	if raw := Describe(d).String(); !strings.Contains(raw, "items              15 observed, raw ids; the vocabulary is fitted on the training split\n") {
		t.Errorf("raw-id dataset: String() is\n%s", raw)
	}
	if empty := Describe(&Dataset{Schema: d.Schema}); empty.Sessions != 0 || empty.BuyerRate != 0 {
		t.Errorf("empty dataset: %+v", empty)
	}
}
