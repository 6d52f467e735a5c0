package datasets

import (
	"fmt"
	"strings"
	"time"
)

// Time formats understood by EventsConfig.TimeFormat. Any other value is a Go time layout
// (for example "2006-01-02 15:04:05"), read as UTC unless it carries a zone.
const (
	TimeAuto    = "auto"    // per value: digits are unix seconds (< 1e11) or milliseconds; else ISO-8601
	TimeUnix    = "unix"    // unix seconds, possibly with a fraction ("1428400269.5")
	TimeUnixMS  = "unix_ms" // unix milliseconds
	TimeRFC3339 = "rfc3339" // ISO-8601 / RFC 3339: 2014-04-07T10:51:09.277Z, offset or Z optional
)

// unixMSLimit separates seconds from milliseconds in TimeAuto: 1e11 seconds is the year 5138,
// 1e11 milliseconds is 1973-03-03.
const unixMSLimit = 1e11

// timeParser converts a time field to unix milliseconds.
type timeParser struct {
	format string
	want   string // what the error message says was expected
}

func newTimeParser(format string) (timeParser, error) {
	switch format {
	case "", TimeAuto:
		return timeParser{TimeAuto, "unix time or ISO-8601 time"}, nil
	case TimeUnix:
		return timeParser{TimeUnix, "unix seconds"}, nil
	case TimeUnixMS:
		return timeParser{TimeUnixMS, "unix milliseconds"}, nil
	case TimeRFC3339, "iso8601":
		return timeParser{TimeRFC3339, "ISO-8601 time"}, nil
	}
	if !strings.Contains(format, "2006") {
		return timeParser{}, fmt.Errorf("time format %q: want %q, %q, %q, %q or a Go layout containing 2006",
			format, TimeAuto, TimeUnix, TimeUnixMS, TimeRFC3339)
	}
	return timeParser{format, "time in layout " + format}, nil
}

// parseTime returns unix milliseconds, or false when b does not match the format.
// text is a time field: a string from encoding/csv or bytes from lineReader.
type text interface{ ~string | ~[]byte }

func parseTime[T text](p timeParser, b T) (int64, bool) {
	switch p.format {
	case TimeAuto:
		if ms, ok := parseUnix(b, true); ok {
			return ms, true
		}
		return parseISO(b)
	case TimeUnix:
		return parseUnix(b, false)
	case TimeUnixMS:
		return parseUnixMS(b)
	case TimeRFC3339:
		return parseISO(b)
	}
	t, err := time.Parse(p.format, string(b))
	if err != nil {
		return 0, false
	}
	return t.UnixMilli(), true
}

// parseUnix reads "123" or "123.456" as seconds; with auto, an integer ≥ unixMSLimit is
// read as milliseconds.
func parseUnix[T text](b T, auto bool) (int64, bool) {
	if len(b) == 0 || len(b) > 30 {
		return 0, false
	}
	var sec int64
	i := 0
	for ; i < len(b) && b[i] != '.'; i++ {
		c := b[i]
		if c < '0' || c > '9' || i >= 15 {
			return 0, false
		}
		sec = sec*10 + int64(c-'0')
	}
	if i == 0 {
		return 0, false
	}
	if i == len(b) {
		if auto && sec >= unixMSLimit {
			return sec, true
		}
		return sec * 1000, true
	}
	frac, scale := int64(0), int64(1000)
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		if scale > 1 {
			scale /= 10
			frac += int64(c-'0') * scale
		}
	}
	if i+1 == len(b) {
		return 0, false
	}
	return sec*1000 + frac, true
}

func parseUnixMS[T text](b T) (int64, bool) {
	if len(b) == 0 || len(b) > 17 {
		return 0, false
	}
	var ms int64
	for i := 0; i < len(b); i++ {
		if b[i] < '0' || b[i] > '9' {
			return 0, false
		}
		ms = ms*10 + int64(b[i]-'0')
	}
	return ms, true
}

// parseISO reads YYYY-MM-DD[(T| )hh:mm[:ss[.fff…]]][Z|±hh:mm|±hhmm] as unix milliseconds
// (UTC when no zone is given). Fractions finer than a millisecond are truncated.
func parseISO[T text](b T) (int64, bool) {
	num := func(s T) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, len(s) > 0
	}
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	ms := daysFromCivil(y, mo, d) * 86400000
	rest := b[10:]
	if len(rest) == 0 {
		return ms, true
	}
	if rest[0] != 'T' && rest[0] != ' ' || len(rest) < 6 || rest[3] != ':' {
		return 0, false
	}
	h, ok1 := num(rest[1:3])
	mi, ok2 := num(rest[4:6])
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return 0, false
	}
	ms += int64(h)*3600000 + int64(mi)*60000
	rest = rest[6:]
	if len(rest) >= 3 && rest[0] == ':' {
		s, ok := num(rest[1:3])
		if !ok || s > 59 {
			return 0, false
		}
		ms += int64(s) * 1000
		rest = rest[3:]
		if len(rest) >= 2 && rest[0] == '.' {
			j, scale := 1, int64(1000)
			for ; j < len(rest) && rest[j] >= '0' && rest[j] <= '9'; j++ {
				if scale > 1 {
					scale /= 10
					ms += int64(rest[j]-'0') * scale
				}
			}
			if j == 1 {
				return 0, false
			}
			rest = rest[j:]
		}
	}
	switch {
	case len(rest) == 0:
		return ms, true
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		return ms, true
	case (len(rest) == 6 && rest[3] == ':' || len(rest) == 5) && (rest[0] == '+' || rest[0] == '-'):
		oh, ok1 := num(rest[1:3])
		om, ok2 := num(rest[len(rest)-2:])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		off := int64(oh)*3600000 + int64(om)*60000
		if rest[0] == '+' {
			return ms - off, true
		}
		return ms + off, true
	}
	return 0, false
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}
