package datasets

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// UCI column names, in the order of the original file. The first ten are the numeric features.
var uciNumeric = []string{
	"Administrative", "Administrative_Duration", "Informational", "Informational_Duration",
	"ProductRelated", "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues", "SpecialDay",
}

// uciCategorical are the categorical features with how each is coded (codes ≥ 1; 0 = unknown).
var uciCategorical = []string{"Month", "OperatingSystems", "Browser", "Region", "TrafficType", "VisitorType", "Weekend"}

const uciLabel = "Revenue"

// UCI visitor types, coded 1, 2, 3 in this order.
var uciVisitorTypes = []string{"Returning_Visitor", "New_Visitor", "Other"}

var uciMonths = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// UCILog1pFeatures returns the UCI features that count pages or sum seconds, whose long right
// tails PreprocessConfig.Log1p is meant for.
func UCILog1pFeatures() []string { return append([]string(nil), uciNumeric[:6]...) }

// LoadUCI reads the UCI Online Shoppers Purchasing Intention table (Sakar et al. 2019) from path;
// see ReadUCI for the coding.
func LoadUCI(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("uci: %w", err)
	}
	defer f.Close()
	return ReadUCI(f, path)
}

// ReadUCI reads the UCI Online Shoppers table from r; name labels errors ("name:line: column …").
//
// The header names the 18 columns in any order. Rows end in LF or CRLF (the last may lack one).
// The result has one session per row (ID = row number from 1, no events), the ten numeric columns
// as Numeric, and seven categorical features coded from 1 (0 = unknown):
//
//	Month             1..12 for January..December: full names or 3-letter forms, any case ("June", "Jun", "Sept")
//	OperatingSystems, Browser, Region, TrafficType   the integer code itself (≥ 1)
//	VisitorType       Returning_Visitor 1, New_Visitor 2, Other 3
//	Weekend           FALSE 1, TRUE 2
//
// CategoricalSizes are 13 for Month, max code + 1 for the integer codes, 4 and 3 for the others.
// Revenue (TRUE/FALSE, any case) is the purchase label, the single task.
func ReadUCI(r io.Reader, name string) (*Dataset, error) {
	br := bufio.NewReader(r)
	lineNo := 0
	readLine := func() (string, bool, error) {
		s, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("%s:%d: %w", name, lineNo+1, err)
		}
		if s == "" && err != nil {
			return "", false, nil
		}
		lineNo++
		s = strings.TrimSuffix(s, "\n")
		s = strings.TrimSuffix(s, "\r")
		return s, true, nil
	}

	header, ok, err := readLine()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: empty file, want a header row", name)
	}
	header = strings.TrimPrefix(header, "\ufeff") // a byte-order mark some editors add
	cols, err := uciColumns(name, header)
	if err != nil {
		return nil, err
	}

	d := &Dataset{Schema: Schema{
		Name:             "uci-online-shoppers",
		Numeric:          append([]string(nil), uciNumeric...),
		Categorical:      append([]string(nil), uciCategorical...),
		CategoricalSizes: []int{13, 0, 0, 0, 0, len(uciVisitorTypes) + 1, 3},
		Tasks:            []string{TaskPurchase},
	}}
	fields := make([]string, 0, 18)
	for {
		line, ok, err := readLine()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if line == "" {
			return nil, fmt.Errorf("%s:%d: empty row, want %d columns", name, lineNo, cols.n)
		}
		fields = splitComma(fields[:0], line)
		if len(fields) != cols.n {
			return nil, fmt.Errorf("%s:%d: have %d columns, want %d", name, lineNo, len(fields), cols.n)
		}
		s, err := uciRow(fields, cols)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		s.ID = strconv.Itoa(len(d.Sessions) + 1)
		for f := 1; f <= 4; f++ { // the integer-coded features: size = max code + 1
			d.Schema.CategoricalSizes[f] = max(d.Schema.CategoricalSizes[f], s.Categorical[f]+1)
		}
		d.Sessions = append(d.Sessions, s)
	}
	return d, nil
}

// uciCols maps each UCI column to its position in a row.
type uciCols struct {
	numeric     [10]int
	categorical [7]int
	label       int
	n           int
}

func uciColumns(name, header string) (*uciCols, error) {
	fields := splitComma(nil, header)
	pos := make(map[string]int, len(fields))
	for i, f := range fields {
		if _, dup := pos[f]; dup {
			return nil, fmt.Errorf("%s:1: header: column %q appears twice", name, f)
		}
		pos[f] = i
	}
	find := func(col string) (int, error) {
		i, ok := pos[col]
		if !ok {
			return 0, fmt.Errorf("%s:1: header: want a column %q, have %q", name, col, header)
		}
		delete(pos, col)
		return i, nil
	}
	c := &uciCols{n: len(fields)}
	var err error
	for k, col := range uciNumeric {
		if c.numeric[k], err = find(col); err != nil {
			return nil, err
		}
	}
	for k, col := range uciCategorical {
		if c.categorical[k], err = find(col); err != nil {
			return nil, err
		}
	}
	if c.label, err = find(uciLabel); err != nil {
		return nil, err
	}
	for col := range pos {
		return nil, fmt.Errorf("%s:1: header: unexpected column %q", name, col)
	}
	return c, nil
}

func uciRow(fields []string, c *uciCols) (Session, error) {
	s := Session{Numeric: make([]float64, len(uciNumeric)), Categorical: make([]int, len(uciCategorical))}
	for k, col := range uciNumeric {
		v := fields[c.numeric[k]]
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return s, fmt.Errorf("column %q: want a finite number, got %q", col, v)
		}
		s.Numeric[k] = x
	}
	for k, col := range uciCategorical {
		v := fields[c.categorical[k]]
		var code int
		var ok bool
		switch col {
		case "Month":
			code, ok = parseMonth(v)
			if !ok {
				return s, fmt.Errorf("column %q: want a month name, got %q", col, v)
			}
		case "VisitorType":
			for i, t := range uciVisitorTypes {
				if v == t {
					code, ok = i+1, true
				}
			}
			if !ok {
				return s, fmt.Errorf("column %q: want one of %s, got %q", col, strings.Join(uciVisitorTypes, ", "), v)
			}
		case "Weekend":
			b, ok := parseBool(v)
			if !ok {
				return s, fmt.Errorf("column %q: want TRUE or FALSE, got %q", col, v)
			}
			code = 1
			if b {
				code = 2
			}
		default:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1<<20 {
				return s, fmt.Errorf("column %q: want an integer code from 1 to %d, got %q", col, 1<<20, v)
			}
			code = n
		}
		s.Categorical[k] = code
	}
	v := fields[c.label]
	b, ok := parseBool(v)
	if !ok {
		return s, fmt.Errorf("column %q: want TRUE or FALSE, got %q", uciLabel, v)
	}
	s.Labels = []float64{0}
	if b {
		s.Labels[0] = 1
	}
	return s, nil
}

// parseMonth accepts a full English month name or its first three letters, in any case, and "Sept".
func parseMonth(v string) (int, bool) {
	l := strings.ToLower(v)
	if l == "sept" {
		return 9, true
	}
	for i, m := range uciMonths {
		if l == m || l == m[:3] {
			return i + 1, true
		}
	}
	return 0, false
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// splitComma appends the comma-separated fields of line to dst. The UCI file has no quoting.
func splitComma(dst []string, line string) []string {
	for {
		i := strings.IndexByte(line, ',')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}
