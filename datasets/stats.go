package datasets

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Quantiles summarises a distribution. P25…P99 interpolate linearly between order statistics
// (the default method of numpy.quantile and R's type 7).
type Quantiles struct {
	Min, P25, P50, P75, P90, P99, Max float64
	Mean                              float64
}

// Stats describes a dataset for `intentlab data inspect` and for reports.
type Stats struct {
	Name      string
	Sessions  int
	Events    int
	Buyers    int     // sessions with purchase label 1
	BuyerRate float64 // Buyers / Sessions; 0 for an empty dataset
	HasCart   bool    // the schema has the cart task
	Carts     int     // sessions with cart label 1, when HasCart
	CartRate  float64

	Length Quantiles // events per session

	NumNumeric       int
	Categorical      []string // static categorical feature names
	CategoricalSizes []int    // their vocabulary sizes from the schema
	EventTypes       int      // event-type vocabulary size (with pad and unknown); 0 without sequences
	NumItems         int      // item vocabulary size from the schema
	NumCategories    int      // category vocabulary size from the schema
	DistinctItems    int      // distinct item ids observed in events
	DistinctCats     int      // distinct category ids observed in events
	TypeNames        []string // Schema.EventTypes: the name of type id i+2
	TypeCounts       []int    // events per type id (index = id), when the schema has sequences

	FirstStart, LastStart int64 // range of Session.Start over sessions that have one; 0 when none do
}

// Describe computes the statistics of d in one pass over its sessions.
func Describe(d *Dataset) Stats {
	sc := &d.Schema
	st := Stats{
		Name: sc.Name, Sessions: len(d.Sessions), NumNumeric: len(sc.Numeric),
		Categorical: slices.Clone(sc.Categorical), CategoricalSizes: slices.Clone(sc.CategoricalSizes),
		NumItems: sc.NumItems, NumCategories: sc.NumCategories,
	}
	if sc.HasSequence {
		st.EventTypes = sc.NumEventTypes()
		st.TypeCounts = make([]int, st.EventTypes)
		st.TypeNames = slices.Clone(sc.EventTypes)
	}
	cart := sc.TaskIndex(TaskCart)
	st.HasCart = cart >= 0
	lengths := make([]float64, len(d.Sessions))
	items, cats := make(map[int]struct{}), make(map[int]struct{})
	for i := range d.Sessions {
		s := &d.Sessions[i]
		lengths[i] = float64(len(s.Events))
		st.Events += len(s.Events)
		if len(s.Labels) > 0 && s.Labels[0] >= 0.5 {
			st.Buyers++
		}
		if cart >= 0 && cart < len(s.Labels) && s.Labels[cart] >= 0.5 {
			st.Carts++
		}
		for _, e := range s.Events {
			items[e.Item] = struct{}{}
			cats[e.Category] = struct{}{}
			if e.Type >= 0 && e.Type < len(st.TypeCounts) {
				st.TypeCounts[e.Type]++
			}
		}
		if s.Start != 0 {
			if st.FirstStart == 0 || s.Start < st.FirstStart {
				st.FirstStart = s.Start
			}
			st.LastStart = max(st.LastStart, s.Start)
		}
	}
	st.DistinctItems, st.DistinctCats = len(items), len(cats)
	if n := float64(len(d.Sessions)); n > 0 {
		st.BuyerRate = float64(st.Buyers) / n
		st.CartRate = float64(st.Carts) / n
		st.Length = quantiles(lengths)
	}
	return st
}

// quantiles sorts xs in place and summarises it; xs must not be empty.
func quantiles(xs []float64) Quantiles {
	slices.Sort(xs)
	q := func(p float64) float64 {
		h := p * float64(len(xs)-1)
		lo := math.Floor(h)
		i := int(lo)
		if i+1 >= len(xs) {
			return xs[len(xs)-1]
		}
		return xs[i] + (h-lo)*(xs[i+1]-xs[i])
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return Quantiles{
		Min: xs[0], P25: q(0.25), P50: q(0.5), P75: q(0.75), P90: q(0.9), P99: q(0.99), Max: xs[len(xs)-1],
		Mean: sum / float64(len(xs)),
	}
}

// String renders the statistics as an aligned two-column table.
func (st Stats) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(w, "%s\t"+format+"\n", append([]any{k}, args...)...) }
	row("dataset", "%s", st.Name)
	row("sessions", "%d", st.Sessions)
	row("buyers", "%d (%.2f%%)", st.Buyers, 100*st.BuyerRate)
	if st.HasCart {
		row("carts", "%d (%.2f%%)", st.Carts, 100*st.CartRate)
	}
	if st.EventTypes > 0 {
		row("events", "%d", st.Events)
		l := st.Length
		row("session length", "min %.4g  p25 %.4g  p50 %.4g  p75 %.4g  p90 %.4g  p99 %.4g  max %.4g  mean %.2f",
			l.Min, l.P25, l.P50, l.P75, l.P90, l.P99, l.Max, l.Mean)
		row("event types", "%d (with pad and unknown)", st.EventTypes)
		for id, n := range st.TypeCounts {
			name := "unknown"
			switch {
			case id == PadID:
				name = "pad"
			case id >= 2 && id-2 < len(st.TypeNames):
				name = st.TypeNames[id-2]
			}
			if n > 0 || id >= 2 {
				row("  "+name, "%d", n)
			}
		}
		vocab := func(n int) string {
			if n == 0 {
				return "raw ids; the vocabulary is fitted on the training split"
			}
			return fmt.Sprintf("vocabulary %d", n)
		}
		row("items", "%d observed, %s", st.DistinctItems, vocab(st.NumItems))
		row("categories", "%d observed, %s", st.DistinctCats, vocab(st.NumCategories))
	}
	row("numeric features", "%d", st.NumNumeric)
	if len(st.Categorical) > 0 {
		parts := make([]string, len(st.Categorical))
		for i, c := range st.Categorical {
			size := 0
			if i < len(st.CategoricalSizes) {
				size = st.CategoricalSizes[i]
			}
			parts[i] = fmt.Sprintf("%s %d", c, size)
		}
		row("categorical sizes", "%s", strings.Join(parts, ", "))
	}
	if st.FirstStart != 0 {
		row("period", "%s to %s", time.Unix(st.FirstStart, 0).UTC().Format(time.DateTime), time.Unix(st.LastStart, 0).UTC().Format(time.DateTime))
	}
	w.Flush()
	return b.String()
}
