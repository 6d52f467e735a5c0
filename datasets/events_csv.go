package datasets

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultBuyTypes are the event types that mean a purchase when EventsConfig.BuyTypes is empty.
var DefaultBuyTypes = []string{"purchase", "transaction", "buy"}

// DefaultGap cuts a visitor's events into sessions when EventsConfig.Gap is zero.
const DefaultGap = 30 * time.Minute

// EventsConfig names the columns of a generic events CSV (with a header row) and how to read it.
// Column names are matched exactly; an empty name means the file has no such column.
//
// There is no cart task for event logs: a cart label must come from events the model does not see,
// and a log has no unseen events before the buy, so add-to-cart types are ordinary event types.
type EventsConfig struct {
	Session  string // session id column; when empty, sessions are cut from Visitor by Gap
	Visitor  string // visitor id column, used only when Session is empty
	Time     string // timestamp column; required with Visitor, optional with Session (file order then)
	Type     string // event type column; required
	Item     string // item id column (raw ids by RawID); optional
	Category string // category id column (raw ids by RawID); optional
	Price    string // price column (a number, empty is 0); optional

	BuyTypes   []string      // event types that are a purchase, case-insensitive; default DefaultBuyTypes
	Gap        time.Duration // a visitor's session ends after this much silence; default DefaultGap
	TimeFormat string        // TimeAuto (default), TimeUnix, TimeUnixMS, TimeRFC3339 or a Go layout
	SkipBad    bool          // skip malformed rows, counting them in LoadSummary, instead of failing
	Name       string        // Schema.Name; default "events"
}

// LoadEvents reads a generic events CSV in one streaming pass. Rows are held compactly (40 bytes
// each) until the end, since with rows in any order a row is only known to follow its session's
// buy once the session is sorted; then they become the sessions and are released.
//
// A session is a Session id, or a run of one Visitor's events (sorted by time) with no silence
// longer than Gap; cut sessions are named "VISITOR/K", K counting from 1 in time order. Within a
// session, events are sorted by time (ties keep file order). The purchase label is 1 when the
// session has an event of a buy type; the sequence is the events before the first buy. Event types
// other than buy types form Schema.EventTypes, sorted by name, ids from 2. Static features are those
// of LoadYooChoose (without start_hour, weekday and month when there is no Time column). Dwell
// times and dropped sessions follow eventlog.go and are counted in the LoadSummary.
func LoadEvents(path string, cfg EventsConfig) (*Dataset, LoadSummary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, LoadSummary{}, fmt.Errorf("events: %w", err)
	}
	defer f.Close()
	return ReadEvents(f, path, cfg)
}

// ReadEvents is LoadEvents on a reader; name is used in error messages.
func ReadEvents(r io.Reader, name string, cfg EventsConfig) (*Dataset, LoadSummary, error) {
	e, err := newEventsLoad(cfg, name)
	if err != nil {
		return nil, LoadSummary{}, err
	}
	if err := e.read(r); err != nil {
		return nil, e.sum, err
	}
	return e.build(), e.sum, nil
}

type eventsLoad struct {
	cfg     EventsConfig
	name    string
	tp      timeParser
	buy     map[string]bool
	sum     LoadSummary
	col     [6]int    // positions of the colKey … colPrice columns; -1 when absent
	colName [6]string // their names
	keys    map[string]int32
	keyName []string
	types   map[string]int32 // raw type name → index in typeName
	typeNm  []string
	typeBuy []bool
	rows    chunks[evRow]
}

const (
	colKey = iota
	colTime
	colType
	colItem
	colCategory
	colPrice
)

type evRow struct {
	key, typ  int32
	ms        int64
	item, cat int
	price     float64
}

func newEventsLoad(cfg EventsConfig, name string) (*eventsLoad, error) {
	if cfg.Session == "" && cfg.Visitor == "" {
		return nil, fmt.Errorf("events %s: set the session or the visitor column", name)
	}
	if cfg.Session == "" && cfg.Time == "" {
		return nil, fmt.Errorf("events %s: cutting visitor sessions needs the time column", name)
	}
	if cfg.Type == "" {
		return nil, fmt.Errorf("events %s: set the event type column", name)
	}
	if cfg.Gap < 0 {
		return nil, fmt.Errorf("events %s: gap %v: want a positive duration", name, cfg.Gap)
	}
	if cfg.Gap == 0 {
		cfg.Gap = DefaultGap
	}
	if len(cfg.BuyTypes) == 0 {
		cfg.BuyTypes = DefaultBuyTypes
	}
	if cfg.Name == "" {
		cfg.Name = "events"
	}
	tp, err := newTimeParser(cfg.TimeFormat)
	if err != nil {
		return nil, fmt.Errorf("events %s: %w", name, err)
	}
	e := &eventsLoad{cfg: cfg, name: name, tp: tp, buy: map[string]bool{},
		keys: map[string]int32{}, types: map[string]int32{}}
	for _, t := range cfg.BuyTypes {
		e.buy[strings.ToLower(strings.TrimSpace(t))] = true
	}
	return e, nil
}

// columns maps the configured names to positions in the header.
func (e *eventsLoad) columns(header []string) error {
	key := e.cfg.Session
	if key == "" {
		key = e.cfg.Visitor
	}
	e.colName = [...]string{key, e.cfg.Time, e.cfg.Type, e.cfg.Item, e.cfg.Category, e.cfg.Price}
	for i, n := range e.colName {
		e.col[i] = -1
		if n == "" {
			continue
		}
		e.col[i] = slices.Index(header, n)
		if e.col[i] < 0 {
			return fmt.Errorf("%s:1: no column %q in the header (have %s)", e.name, n, strings.Join(header, ","))
		}
	}
	return nil
}

func (e *eventsLoad) read(r io.Reader) error {
	lr := newLineReader(r, e.name)
	hf, err := lr.nextRecord()
	if err == io.EOF {
		return fmt.Errorf("%s: empty file, want a header row", e.name)
	}
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	header := make([]string, len(hf))
	for i, f := range hf {
		header[i] = string(f)
	}
	if err := e.columns(header); err != nil {
		return err
	}
	for {
		rec, err := lr.nextRecord()
		if err == io.EOF {
			return nil
		}
		if err == nil {
			e.sum.Rows++
			err = e.row(rec, len(header), lr.start)
		} else if _, ok := err.(*ParseError); ok {
			e.sum.Rows++
		}
		if err != nil {
			if _, ok := err.(*ParseError); !ok || !e.cfg.SkipBad {
				return err
			}
			e.sum.skip(err)
		}
	}
}

// row parses one record, from the given line, into e.rows.
func (e *eventsLoad) row(rec [][]byte, width, line int) error {
	if len(rec) != width {
		return &ParseError{File: e.name, Line: line, Want: strconv.Itoa(width) + " columns as in the header", Got: strconv.Itoa(len(rec))}
	}
	perr := func(c int, want string) error {
		return &ParseError{File: e.name, Line: line, Column: e.col[c] + 1, Field: e.colName[c], Want: want, Got: string(rec[e.col[c]])}
	}
	var row evRow
	key := rec[e.col[colKey]]
	if len(key) == 0 {
		return perr(colKey, "an id")
	}
	typ := rec[e.col[colType]]
	if len(typ) == 0 {
		return perr(colType, "an event type")
	}
	if c := e.col[colTime]; c >= 0 {
		ms, ok := parseTime(e.tp, rec[c])
		if !ok {
			return perr(colTime, e.tp.want)
		}
		row.ms = ms
	}
	if c := e.col[colItem]; c >= 0 {
		row.item = rawID(rec[c])
	}
	if c := e.col[colCategory]; c >= 0 {
		row.cat = rawID(rec[c])
	}
	if c := e.col[colPrice]; c >= 0 && len(rec[c]) > 0 {
		p, err := strconv.ParseFloat(string(rec[c]), 64)
		if err != nil || math.IsNaN(p) || math.IsInf(p, 0) {
			return perr(colPrice, "a finite number")
		}
		row.price = p
	}
	k, ok := e.keys[string(key)]
	if !ok {
		k = int32(len(e.keyName))
		e.keys[string(key)] = k
		e.keyName = append(e.keyName, string(key))
	}
	t, ok := e.types[string(typ)]
	if !ok {
		name := string(typ)
		t = int32(len(e.typeNm))
		e.types[name] = t
		e.typeNm = append(e.typeNm, name)
		e.typeBuy = append(e.typeBuy, e.buy[strings.ToLower(strings.TrimSpace(name))])
	}
	row.key, row.typ = k, t
	e.rows.add(row)
	return nil
}

// build groups rows by key (stable counting sort), sorts each group by time, cuts visitor groups
// into sessions, and assembles the dataset.
func (e *eventsLoad) build() *Dataset {
	// Event-type vocabulary: non-buy names sorted, ids from 2.
	var names []string
	for i, n := range e.typeNm {
		if !e.typeBuy[i] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	typeID := make([]int, len(e.typeNm))
	for i, n := range e.typeNm {
		if !e.typeBuy[i] {
			typeID[i] = sort.SearchStrings(names, n) + 2
		}
	}

	start := make([]int, len(e.keyName)+1)
	for _, blk := range e.rows.blocks {
		for _, r := range blk {
			start[r.key+1]++
		}
	}
	for i := range e.keyName {
		start[i+1] += start[i]
	}
	grouped := make([]evRow, e.rows.n)
	fill := append([]int(nil), start[:len(e.keyName)]...)
	for b, blk := range e.rows.blocks {
		for _, r := range blk {
			grouped[fill[r.key]] = r
			fill[r.key]++
		}
		e.rows.blocks[b] = nil // let the collector take each block once copied
	}
	e.rows = chunks[evRow]{}

	hasTime := e.col[colTime] >= 0
	d := &Dataset{Schema: eventLogSchema(e.cfg.Name, names, hasTime)}
	events := make([]Event, len(grouped))
	ms := make([]int64, len(grouped))
	b := sessionBuilder{hasTime: hasTime}
	gapMS := e.cfg.Gap.Milliseconds()
	for k, key := range e.keyName {
		lo, hi := start[k], start[k+1]
		g := grouped[lo:hi]
		if hasTime {
			slices.SortStableFunc(g, func(a, b evRow) int { return cmpInt64(a.ms, b.ms) })
		}
		if e.cfg.Session != "" {
			e.session(d, &b, key, g, events[lo:hi], ms[lo:hi], typeID)
			continue
		}
		for i, n := 0, 1; i < len(g); n++ {
			j := i + 1
			for j < len(g) && g[j].ms-g[j-1].ms <= gapMS {
				j++
			}
			e.session(d, &b, key+"/"+strconv.Itoa(n), g[i:j], events[lo+i:lo+j], ms[lo+i:lo+j], typeID)
			i = j
		}
	}
	e.sum.Sessions = len(d.Sessions)
	sortSessions(d.Sessions)
	return d
}

// session appends the session made of rows g (time-sorted), using ev and ms (len(g) each) as storage.
func (e *eventsLoad) session(d *Dataset, b *sessionBuilder, id string, g []evRow, ev []Event, ms []int64, typeID []int) {
	n, bought := 0, false
	for _, r := range g {
		if e.typeBuy[r.typ] {
			bought = true
			break
		}
		ev[n] = Event{Type: typeID[r.typ], Item: r.item, Category: r.cat, Price: r.price, Time: floorDiv(r.ms, 1000)}
		ms[n] = r.ms
		n++
	}
	for _, r := range g[n:] {
		if e.typeBuy[r.typ] {
			e.sum.BuyRows++
		} else {
			e.sum.EventsAfterBuy++
		}
	}
	if n == 0 { // only a buyer can see no event
		e.sum.drop(DropBuyFirst)
		return
	}
	d.Sessions = append(d.Sessions, Session{ID: id})
	b.build(&d.Sessions[len(d.Sessions)-1], ev[:n:n], ms[:n], bought)
	e.sum.Events += n
	if bought {
		e.sum.Buyers++
	}
}
