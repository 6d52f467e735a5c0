package datasets

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
)

// YooChooseConfig configures LoadYooChoose. The zero value fails on the first malformed row.
type YooChooseConfig struct {
	// SkipBad skips malformed rows, counting them in LoadSummary.BadRows, instead of failing.
	SkipBad bool
}

// yooChooseTypes is the event-type vocabulary of YooChoose: every event is a click (id 2).
var yooChooseTypes = []string{"click"}

// LoadYooChoose reads the RecSys Challenge 2015 (YooChoose) pair of files in one streaming pass
// each (buys first, then clicks); memory grows with the clicks kept, not with the files.
//
// Formats, no header, comma-separated, LF or CRLF:
//
//	clicks: session_id,timestamp,item_id,category   e.g. 1,2014-04-07T10:51:09.277Z,214536502,0
//	buys:   session_id,timestamp,item_id,price,quantity
//
// A session is a session_id of the clicks file. Its purchase label is 1 when the buys file has a
// row for it; the sequence is then its clicks strictly before the earliest buy timestamp, sorted by
// time (ties keep file order). Every event has type "click"; item ids are the raw numbers and
// categories raw ids by RawID ("0" → 0, "S" → a fixed negative id, "1234" → 1234). Static features:
// events, duration_s (first to last seen click), distinct_items, distinct_categories, start_hour
// (UTC), and the categorical weekday and month of the first click. See eventlog.go for dwell times
// and which sessions are dropped (buys whose session has no click before the buy, or no click at
// all), all counted in the returned LoadSummary.
func LoadYooChoose(clicksPath, buysPath string, cfg YooChooseConfig) (*Dataset, LoadSummary, error) {
	clicks, err := os.Open(clicksPath)
	if err != nil {
		return nil, LoadSummary{}, fmt.Errorf("yoochoose clicks: %w", err)
	}
	defer clicks.Close()
	buys, err := os.Open(buysPath)
	if err != nil {
		return nil, LoadSummary{}, fmt.Errorf("yoochoose buys: %w", err)
	}
	defer buys.Close()
	return ReadYooChoose(clicks, clicksPath, buys, buysPath, cfg)
}

// ReadYooChoose is LoadYooChoose on readers; the names are used in error messages.
func ReadYooChoose(clicks io.Reader, clicksName string, buys io.Reader, buysName string, cfg YooChooseConfig) (*Dataset, LoadSummary, error) {
	y := yooChooseLoad{cfg: cfg, index: map[int64]int32{}}
	if err := y.readBuys(buys, buysName); err != nil {
		return nil, y.sum, err
	}
	if err := y.readClicks(clicks, clicksName); err != nil {
		return nil, y.sum, err
	}
	return y.build(), y.sum, nil
}

type yooChooseLoad struct {
	cfg     YooChooseConfig
	sum     LoadSummary
	index   map[int64]int32 // session id → position in ids
	ids     []int64         // sessions of either file, in order of first appearance
	buyAt   []int64         // per session: earliest buy in unix ms, noBuy when none
	clicked []bool          // per session: it has a well-formed click
	clicks  chunks[ycClick] // clicks before their session's first buy, in file order
}

const noBuy = math.MaxInt64

// session returns the position of a session id, adding it if new.
func (y *yooChooseLoad) session(id int64) int32 {
	i, ok := y.index[id]
	if !ok {
		i = int32(len(y.ids))
		y.index[id] = i
		y.ids = append(y.ids, id)
		y.buyAt = append(y.buyAt, noBuy)
		y.clicked = append(y.clicked, false)
	}
	return i
}

type ycClick struct {
	sess      int32
	ms        int64
	item, cat int
}

// bad returns err, or records it and returns nil under SkipBad.
func (y *yooChooseLoad) bad(err error) error {
	if !y.cfg.SkipBad {
		return err
	}
	y.sum.skip(err)
	return nil
}

// eachRow reads r line by line and hands each row's fields to row. A malformed row — a *ParseError from
// the reader or from row — fails the load, or with SkipBad is counted in the summary and skipped.
func (y *yooChooseLoad) eachRow(r io.Reader, name string, row func(line int, f [][]byte) error) error {
	lr := newLineReader(r, name)
	for {
		f, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if _, malformed := err.(*ParseError); err != nil && !malformed {
			return err
		}
		y.sum.Rows++
		if err == nil {
			err = row(lr.line, f)
		}
		if err != nil {
			if err = y.bad(err); err != nil {
				return err
			}
		}
	}
}

func (y *yooChooseLoad) readBuys(r io.Reader, name string) error {
	cols := [...]string{"session_id", "timestamp", "item_id", "price", "quantity"}
	return y.eachRow(r, name, func(line int, f [][]byte) error {
		perr := func(col int, want string) error {
			return &ParseError{File: name, Line: line, Column: col + 1, Field: cols[col], Want: want, Got: string(f[col])}
		}
		var sess, ms int64
		var ok bool
		switch {
		case len(f) != len(cols):
			return &ParseError{File: name, Line: line, Want: "5 columns (session_id,timestamp,item_id,price,quantity)", Got: strconv.Itoa(len(f))}
		case !parseID(f[0], &sess):
			return perr(0, "integer session id")
		case !isDigits(f[2]):
			return perr(2, "integer item id")
		case !isNumber(f[3]):
			return perr(3, "number")
		case !isDigits(f[4]):
			return perr(4, "integer quantity")
		}
		if ms, ok = parseISO(f[1]); !ok {
			return perr(1, "ISO-8601 time")
		}
		y.sum.BuyRows++
		i := y.session(sess)
		y.buyAt[i] = min(y.buyAt[i], ms)
		return nil
	})
}

func (y *yooChooseLoad) readClicks(r io.Reader, name string) error {
	cols := [...]string{"session_id", "timestamp", "item_id", "category"}
	last, li := int64(-1), int32(0) // files are usually grouped by session: skip the map then
	return y.eachRow(r, name, func(line int, f [][]byte) error {
		perr := func(col int, want string) error {
			return &ParseError{File: name, Line: line, Column: col + 1, Field: cols[col], Want: want, Got: string(f[col])}
		}
		var sess, ms int64
		var ok bool
		switch {
		case len(f) != len(cols):
			return &ParseError{File: name, Line: line, Want: "4 columns (session_id,timestamp,item_id,category)", Got: strconv.Itoa(len(f))}
		case !parseID(f[0], &sess):
			return perr(0, "integer session id")
		case !isDigits(f[2]) || len(f[2]) > 18:
			return perr(2, "integer item id")
		case len(f[3]) == 0:
			return perr(3, "category")
		}
		if ms, ok = parseISO(f[1]); !ok {
			return perr(1, "ISO-8601 time")
		}
		if sess != last {
			last, li = sess, y.session(sess)
		}
		y.clicked[li] = true
		if ms >= y.buyAt[li] {
			y.sum.EventsAfterBuy++
			return nil
		}
		y.clicks.add(ycClick{sess: li, ms: ms, item: rawID(f[2]), cat: rawID(f[3])})
		return nil
	})
}

// build groups the kept clicks by session (a counting sort, stable), sorts each session by time
// and assembles the sessions.
func (y *yooChooseLoad) build() *Dataset {
	start := make([]int, len(y.ids)+1)
	for _, blk := range y.clicks.blocks {
		for _, c := range blk {
			start[c.sess+1]++
		}
	}
	for i := range y.ids {
		start[i+1] += start[i]
	}
	grouped := make([]ycClick, y.clicks.n)
	fill := append([]int(nil), start[:len(y.ids)]...)
	for b, blk := range y.clicks.blocks {
		for _, c := range blk {
			grouped[fill[c.sess]] = c
			fill[c.sess]++
		}
		y.clicks.blocks[b] = nil // let the collector take each block once copied
	}
	y.clicks = chunks[ycClick]{}

	events := make([]Event, len(grouped))
	ms := make([]int64, len(grouped))
	d := &Dataset{Schema: eventLogSchema("yoochoose", yooChooseTypes, true)}
	d.Sessions = make([]Session, 0, len(y.ids))
	b := sessionBuilder{hasTime: true}
	for i, id := range y.ids {
		g := grouped[start[i]:start[i+1]]
		bought := y.buyAt[i] != noBuy
		switch {
		case !y.clicked[i]: // only a buyer can have no click
			y.sum.drop(DropBuyWithoutClicks)
			continue
		case len(g) == 0: // only a buyer can have no click before its first buy
			y.sum.drop(DropBuyFirst)
			continue
		}
		slices.SortStableFunc(g, func(a, b ycClick) int { return cmpInt64(a.ms, b.ms) })
		ev, t := events[start[i]:start[i+1]], ms[start[i]:start[i+1]]
		for j, c := range g {
			ev[j] = Event{Type: 2, Item: c.item, Category: c.cat, Time: floorDiv(c.ms, 1000)}
			t[j] = c.ms
		}
		d.Sessions = append(d.Sessions, Session{ID: strconv.FormatInt(id, 10)})
		b.build(&d.Sessions[len(d.Sessions)-1], ev, t, bought)
		y.sum.Events += len(ev)
		if bought {
			y.sum.Buyers++
		}
	}
	y.sum.Sessions = len(d.Sessions)
	sortSessions(d.Sessions)
	return d
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseID reads a non-negative decimal integer of at most 18 digits.
func parseID(b []byte, v *int64) bool {
	if len(b) == 0 || len(b) > 18 {
		return false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int64(c-'0')
	}
	*v = n
	return true
}

func isDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isNumber accepts a plain decimal number: digits with at most one dot, optional leading minus.
func isNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	digits, dots := 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}
