package datasets

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Event-log loaders (LoadYooChoose, LoadEvents) share the conventions in this file:
//
//   - The prediction moment of a session is just before its first buy (buyers) or after its last
//     event (non-buyers). Events at or after the first buy are never seen and are counted in
//     LoadSummary.EventsAfterBuy.
//   - Dwell of an event is the time to the next seen event. The last seen event's dwell is 0 for
//     every session: the time to the buy exists only for buyers, so using it would leak the label.
//   - A buyer with no event before its first buy is dropped (the model would see an empty
//     sequence, which only buyers could have) and counted in LoadSummary.Dropped.
//   - Item and category ids stay raw (see RawID); the preprocessor fitted on the training split
//     maps them to vocabulary ids.
//   - Static features are computed from the seen events only (see eventLogNumeric).

// Reasons for dropping a session, the keys of LoadSummary.Dropped.
const (
	// DropBuyFirst: the session's first buy comes before (or at the time of) its first event.
	DropBuyFirst = "buy before any event"
	// DropBuyWithoutClicks: a YooChoose buy whose session has no click at all.
	DropBuyWithoutClicks = "buy for a session without clicks"
)

// maxBadExamples bounds LoadSummary.BadExamples.
const maxBadExamples = 5

// LoadSummary counts what an event-log loader read, kept and dropped. Nothing is dropped without
// being counted here: Rows = BadRows + BuyRows + Events + EventsAfterBuy.
type LoadSummary struct {
	Rows           int            // data rows read from all files (header and blank lines excluded)
	BadRows        int            // malformed rows skipped because SkipBad was set
	BadExamples    []string       // the first few skip reasons, with file, line and column
	Sessions       int            // sessions in the dataset
	Buyers         int            // sessions labelled purchase = 1
	Events         int            // events kept in session sequences
	BuyRows        int            // well-formed buy rows (labels, not events)
	EventsAfterBuy int            // events at or after their session's first buy (unseen, discarded)
	Dropped        map[string]int // sessions dropped, by reason (DropBuyFirst, …)
}

// String renders the summary on a few lines, reasons in sorted order.
func (s *LoadSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows read: %d (bad rows skipped: %d)\n", s.Rows, s.BadRows)
	fmt.Fprintf(&b, "sessions: %d (buyers: %d), events kept: %d, buy rows: %d, events after a buy: %d\n",
		s.Sessions, s.Buyers, s.Events, s.BuyRows, s.EventsAfterBuy)
	reasons := make([]string, 0, len(s.Dropped))
	for r := range s.Dropped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(&b, "dropped sessions (%s): %d\n", r, s.Dropped[r])
	}
	for _, e := range s.BadExamples {
		fmt.Fprintf(&b, "skipped: %s\n", e)
	}
	return b.String()
}

func (s *LoadSummary) drop(reason string) {
	if s.Dropped == nil {
		s.Dropped = make(map[string]int)
	}
	s.Dropped[reason]++
}

// skip records a bad row skipped under SkipBad.
func (s *LoadSummary) skip(err error) {
	s.BadRows++
	if len(s.BadExamples) < maxBadExamples {
		s.BadExamples = append(s.BadExamples, err.Error())
	}
}

// ParseError is a malformed row: file, 1-based line and column, and what was expected.
type ParseError struct {
	File   string
	Line   int    // 1-based line number
	Column int    // 1-based column number; 0 when the error concerns the whole row
	Field  string // column name, when known
	Want   string // what was expected
	Got    string // what was found
}

func (e *ParseError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("%s:%d: want %s, got %s", e.File, e.Line, e.Want, e.Got)
	}
	col := strconv.Itoa(e.Column)
	if e.Field != "" {
		col += " (" + e.Field + ")"
	}
	return fmt.Sprintf("%s:%d: column %s: want %s, got %q", e.File, e.Line, col, e.Want, e.Got)
}

// RawID turns an item or category field into a raw id:
//   - a decimal number that fits in 62 bits is that number ("214536502" → 214536502);
//   - the empty string is 0;
//   - any other string ("S", "shoes", "-3") is a stable negative id, -1 - (FNV-1a 32-bit hash
//     of the string & 0x7fffffff), so named ids never collide with numeric ones and keep the
//     same id in every file and run. Two names may collide with probability about n²/2³².
func RawID(s string) int { return rawID(s) }

func rawID[T text](b T) int {
	if len(b) == 0 {
		return 0
	}
	if len(b) <= 18 {
		n, numeric := 0, true
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				numeric = false
				break
			}
			n = n*10 + int(b[i]-'0')
		}
		if numeric {
			return n
		}
	}
	h := uint32(2166136261) // FNV-1a, 32 bits
	for i := 0; i < len(b); i++ {
		h ^= uint32(b[i])
		h *= 16777619
	}
	return -1 - int(h&0x7fffffff)
}

// Schema feature names of event-log sessions.
var (
	eventLogNumeric     = []string{"events", "duration_s", "distinct_items", "distinct_categories", "start_hour"}
	eventLogCategorical = []string{"weekday", "month"}
	eventLogCatSizes    = []int{8, 13} // weekday 1 (Monday) … 7 (Sunday); month 1 … 12; 0 unknown
)

// eventLogSchema is the schema of an event log with the given event-type names. Without a clock
// (hasTime false) the time features start_hour, weekday and month are left out.
func eventLogSchema(name string, types []string, hasTime bool) Schema {
	num := eventLogNumeric
	var cat []string
	var sizes []int
	if hasTime {
		cat, sizes = eventLogCategorical, eventLogCatSizes
	} else {
		num = num[:len(num)-1]
	}
	return Schema{
		Name:             name,
		Numeric:          append([]string(nil), num...),
		Categorical:      append([]string(nil), cat...),
		CategoricalSizes: append([]int(nil), sizes...),
		EventTypes:       types,
		Tasks:            []string{TaskPurchase},
		HasSequence:      true,
	}
}

// sessionBuilder turns time-sorted seen events into a Session, reusing scratch space.
type sessionBuilder struct {
	hasTime bool
	scratch []int
	floats  arena[float64]
	ints    arena[int]
}

// build fills s from events (already in time order, Time in unix seconds) and their times in
// milliseconds. It sets dwell times, Start and the static features.
func (b *sessionBuilder) build(s *Session, events []Event, ms []int64, bought bool) {
	for i := range events {
		events[i].Dwell = 0
		if i+1 < len(events) {
			events[i].Dwell = float64(ms[i+1]-ms[i]) / 1000
		}
	}
	s.Events = events
	s.Labels = b.floats.take(1)
	if bought {
		s.Labels[0] = 1
	}
	n := len(events)
	dur := 0.0
	if n > 0 {
		dur = float64(ms[n-1]-ms[0]) / 1000
	}
	items, cats := b.distinct(events)
	if !b.hasTime {
		s.Numeric = b.floats.take(4)
		copy(s.Numeric, []float64{float64(n), dur, float64(items), float64(cats)})
		s.Categorical = []int{}
		return
	}
	s.Start = floorDiv(ms[0], 1000)
	days := floorDiv(ms[0], 86400000)
	hour := floorDiv(ms[0]-days*86400000, 3600000)
	weekday := int((days+3)%7+7)%7 + 1 // 1970-01-01 was a Thursday (4)
	_, month, _ := civilFromDays(days)
	s.Numeric = b.floats.take(5)
	copy(s.Numeric, []float64{float64(n), dur, float64(items), float64(cats), float64(hour)})
	s.Categorical = b.ints.take(2)
	s.Categorical[0], s.Categorical[1] = weekday, month
}

// distinct returns the numbers of distinct items and of distinct categories in events.
func (b *sessionBuilder) distinct(events []Event) (items, cats int) {
	if len(events) <= 16 { // quadratic, no allocation: most sessions are short
		for i := range events {
			newItem, newCat := 1, 1
			for j := 0; j < i; j++ {
				if events[j].Item == events[i].Item {
					newItem = 0
				}
				if events[j].Category == events[i].Category {
					newCat = 0
				}
			}
			items += newItem
			cats += newCat
		}
		return items, cats
	}
	count := func(get func(*Event) int) int {
		b.scratch = b.scratch[:0]
		for i := range events {
			b.scratch = append(b.scratch, get(&events[i]))
		}
		slices.Sort(b.scratch)
		return len(slices.Compact(b.scratch))
	}
	return count(func(e *Event) int { return e.Item }), count(func(e *Event) int { return e.Category })
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// sortSessions orders sessions by start time, then ID, so a load is deterministic whatever the
// row order of the files. Loaders give every session a distinct ID, so the order is total.
func sortSessions(ss []Session) {
	cmp := func(a, b Session) int {
		if c := cmpInt64(a.Start, b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	if !slices.IsSortedFunc(ss, cmp) {
		slices.SortFunc(ss, cmp)
	}
}
