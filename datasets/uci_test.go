package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedDataFile finds a file under the shared data directory, which sits beside the repository
// (../shared from the module root). It tries the path relative to this package directory, then the
// one relative to the module root found by walking up to go.mod, and skips the test when neither exists.
func sharedDataFile(t testing.TB, rel string) string {
	t.Helper()
	tried := []string{filepath.Join("..", "..", "shared", rel)}
	if dir, err := os.Getwd(); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				tried = append(tried, filepath.Join(d, "..", "shared", rel))
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("shared data file absent (tried %s); download it as shared/%s beside the repository", strings.Join(tried, ", "), rel)
	return ""
}

const uciHeader = "Administrative,Administrative_Duration,Informational,Informational_Duration,ProductRelated,ProductRelated_Duration,BounceRates,ExitRates,PageValues,SpecialDay,Month,OperatingSystems,Browser,Region,TrafficType,VisitorType,Weekend,Revenue"

// The first two data rows of the original file.
const uciRow1 = "0,0,0,0,1,0,0.2,0.2,0,0,Feb,1,1,1,1,Returning_Visitor,FALSE,FALSE"
const uciRow2 = "0,0,0,0,2,64,0,0.1,0,0,Feb,2,2,1,2,Returning_Visitor,FALSE,FALSE"

func TestLoadUCIShared(t *testing.T) {
	path := sharedDataFile(t, "datasets/uci-online-shoppers/online_shoppers_intention.csv")
	d, err := LoadUCI(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	st := Describe(d)
	// The dataset's README (and the UCI page): 12,330 sessions, 1,908 with Revenue TRUE.
	if st.Sessions != 12330 || st.Buyers != 1908 {
		t.Errorf("%d sessions, %d buyers; want 12330 and 1908", st.Sessions, st.Buyers)
	}
	// Maximum codes counted with Python's csv module: OS 8, Browser 13, Region 9, TrafficType 20.
	if want := []int{13, 9, 14, 10, 21, 4, 3}; !slices.Equal(d.Schema.CategoricalSizes, want) {
		t.Errorf("categorical sizes %v, want %v", d.Schema.CategoricalSizes, want)
	}
	s := d.Sessions[0] // uciRow1
	if !slices.Equal(s.Numeric, []float64{0, 0, 0, 0, 1, 0, 0.2, 0.2, 0, 0}) || !slices.Equal(s.Categorical, []int{2, 1, 1, 1, 1, 1, 1}) || s.Labels[0] != 0 {
		t.Errorf("first row: %+v", s)
	}
	// Month counts from Python's csv module: June 288, weekend TRUE 2868, New_Visitor 1694.
	var june, weekend, newVisitor int
	for _, s := range d.Sessions {
		june += coreB2I(s.Categorical[0] == 6)
		newVisitor += coreB2I(s.Categorical[5] == 2)
		weekend += coreB2I(s.Categorical[6] == 2)
	}
	if june != 288 || weekend != 2868 || newVisitor != 1694 {
		t.Errorf("June %d, weekend %d, new visitors %d; want 288, 2868, 1694", june, weekend, newVisitor)
	}

	// The whole pipeline: split, fit on train, encode test, batch it.
	sp, err := SplitStratified(d, [3]float64{0.7, 0.15, 0.15}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// 15% of 1908 buyers is 286.2 → 286; of 10422 others, 1563.3 → 1563.
	if b := Describe(sp.Test).Buyers; b != 286 || len(sp.TestIdx) != 286+1563 {
		t.Errorf("test part: %d buyers of %d, want 286 of 1849", b, len(sp.TestIdx))
	}
	p, err := Fit(sp.Train, PreprocessConfig{Log1p: UCILog1pFeatures()})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.LogFeatures(); !slices.Equal(got, UCILog1pFeatures()) {
		t.Errorf("log features %v, want %v", got, UCILog1pFeatures())
	}
	test, err := p.Apply(sp.Test)
	if err != nil {
		t.Fatal(err)
	}
	bt, err := NewBatcher(test, BatcherConfig{BatchSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	var rows, nb int
	var weight float64
	for b, ok := bt.Next(); ok; b, ok = bt.Next() {
		rows += b.Rows
		nb++
		for _, w := range b.Weights {
			weight += w
		}
	}
	if rows != 1849 || weight != 1849 || nb != 8 { // ⌈1849/256⌉ = 8
		t.Errorf("batches: %d rows, total weight %v, %d batches; want 1849, 1849, 8", rows, weight, nb)
	}
}

func coreB2I(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestReadUCILineEndings(t *testing.T) {
	for name, text := range map[string]string{
		"crlf":            uciHeader + "\r\n" + uciRow1 + "\r\n" + uciRow2 + "\r\n",
		"lf":              uciHeader + "\n" + uciRow1 + "\n" + uciRow2 + "\n",
		"no final crlf":   uciHeader + "\r\n" + uciRow1 + "\r\n" + uciRow2,
		"byte-order mark": "\ufeff" + uciHeader + "\n" + uciRow1 + "\n" + uciRow2,
	} {
		d, err := ReadUCI(strings.NewReader(text), "uci.csv")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(d.Sessions) != 2 || d.Sessions[1].Numeric[5] != 64 || d.Sessions[1].Categorical[1] != 2 || d.Sessions[1].ID != "2" {
			t.Errorf("%s: sessions %+v", name, d.Sessions)
		}
	}
	// Columns in another order are found by name.
	cols := strings.Split(uciHeader, ",")
	vals := strings.Split(uciRow2, ",")
	slices.Reverse(cols)
	slices.Reverse(vals)
	d, err := ReadUCI(strings.NewReader(strings.Join(cols, ",")+"\n"+strings.Join(vals, ",")+"\n"), "r.csv")
	if err != nil || d.Sessions[0].Numeric[5] != 64 || d.Sessions[0].Categorical[0] != 2 {
		t.Errorf("reordered columns: %v %+v", err, d)
	}
}

func TestReadUCIMonths(t *testing.T) {
	for m, want := range map[string]int{"Jan": 1, "Feb": 2, "June": 6, "Jun": 6, "jul": 7, "July": 7, "Sep": 9, "Sept": 9, "SEPTEMBER": 9, "Dec": 12} {
		row := strings.Replace(uciRow1, "Feb", m, 1)
		d, err := ReadUCI(strings.NewReader(uciHeader+"\n"+row+"\n"), "uci.csv")
		if err != nil || d.Sessions[0].Categorical[0] != want {
			t.Errorf("month %q: %v, code %v; want %d", m, err, d, want)
		}
	}
}

func TestReadUCIErrors(t *testing.T) {
	hdr := uciHeader + "\r\n"
	ok := uciRow1 + "\r\n"
	repl := func(i int, v string) string { // uciRow1 with field i replaced
		f := strings.Split(uciRow1, ",")
		f[i] = v
		return strings.Join(f, ",")
	}
	cases := []struct{ name, text, want string }{
		{"empty file", "", "uci.csv: empty file, want a header row"},
		{"missing column", strings.Replace(hdr, ",Revenue", "", 1), `uci.csv:1: header: want a column "Revenue"`},
		{"duplicate column", strings.Replace(hdr, "Browser", "Region", 1), `uci.csv:1: header: column "Region" appears twice`},
		{"extra column", strings.TrimSuffix(hdr, "\r\n") + ",Extra\r\n", `uci.csv:1: header: unexpected column "Extra"`},
		{"short row", hdr + ok + "0,0,0\r\n", "uci.csv:3: have 3 columns, want 18"},
		{"long row", hdr + uciRow1 + ",1\r\n", "uci.csv:2: have 19 columns, want 18"},
		{"empty row", hdr + ok + "\r\n" + ok, "uci.csv:3: empty row, want 18 columns"},
		{"bad number", hdr + ok + repl(1, "12s") + "\r\n", `uci.csv:3: column "Administrative_Duration": want a finite number, got "12s"`},
		{"NaN", hdr + repl(8, "NaN") + "\r\n", `uci.csv:2: column "PageValues": want a finite number, got "NaN"`},
		{"bad month", hdr + ok + ok + repl(10, "Foo") + "\r\n", `uci.csv:4: column "Month": want a month name, got "Foo"`},
		{"bad bool", hdr + repl(16, "yes") + "\r\n", `uci.csv:2: column "Weekend": want TRUE or FALSE, got "yes"`},
		{"bad label", hdr + repl(17, "1") + "\r\n", `uci.csv:2: column "Revenue": want TRUE or FALSE, got "1"`},
		{"bad code", hdr + repl(12, "0") + "\r\n", `uci.csv:2: column "Browser": want an integer code from 1 to 1048576, got "0"`},
		{"bad visitor", hdr + repl(15, "Bot") + "\r\n", `uci.csv:2: column "VisitorType": want one of Returning_Visitor, New_Visitor, Other, got "Bot"`},
		{"bad last row, no newline", hdr + ok + repl(0, "x"), `uci.csv:3: column "Administrative": want a finite number, got "x"`},
	}
	for _, c := range cases {
		_, err := ReadUCI(strings.NewReader(c.text), "uci.csv")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := LoadUCI(filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzReadUCI checks that no input makes ReadUCI panic, and that what it accepts is a valid dataset
// with at most one session per line. Run by hand: go test -run '^$' -fuzz FuzzReadUCI ./datasets
func FuzzReadUCI(f *testing.F) {
	f.Add(uciHeader + "\r\n" + uciRow1 + "\r\n" + uciRow2 + "\r\n")
	f.Add(uciHeader + "\n" + uciRow1)
	f.Add(uciHeader + "\n" + strings.Replace(uciRow1, "Feb", "June", 1) + "\n\n")
	f.Add("")
	f.Add("a,b\r\n1,2")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := ReadUCI(strings.NewReader(text), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Errorf("accepted input gives an invalid dataset: %v", err)
		}
		if n := strings.Count(text, "\n") + 1; len(d.Sessions) > n {
			t.Errorf("%d sessions from %d lines", len(d.Sessions), n)
		}
		for _, s := range d.Sessions {
			for f, c := range s.Categorical {
				if c < 1 || c >= d.Schema.CategoricalSizes[f] {
					t.Errorf("code %d of %q outside [1, %d)", c, d.Schema.Categorical[f], d.Schema.CategoricalSizes[f])
				}
			}
		}
	})
}
