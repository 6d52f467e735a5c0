package datasets

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// coreCloneDataset deep-copies d, to check that functions leave their input alone.
func coreCloneDataset(d *Dataset) *Dataset {
	c := &Dataset{Schema: cloneSchema(&d.Schema), Sessions: make([]Session, len(d.Sessions))}
	for i, s := range d.Sessions {
		s.Numeric = slices.Clone(s.Numeric)
		s.Categorical = slices.Clone(s.Categorical)
		s.Events = slices.Clone(s.Events)
		s.Labels = slices.Clone(s.Labels)
		s.Oracle = slices.Clone(s.Oracle)
		c.Sessions[i] = s
	}
	return c
}

// coreTabular builds a tabular dataset with numeric features named in names, one row per value
// tuple, and a categorical feature "c" with the given codes.
func coreTabular(names []string, rows [][]float64, codes []int) *Dataset {
	d := &Dataset{Schema: Schema{Name: "tab", Numeric: names, Categorical: []string{"c"}, CategoricalSizes: []int{10}, Tasks: []string{TaskPurchase}}}
	for i, r := range rows {
		d.Sessions = append(d.Sessions, Session{ID: string(rune('a' + i)), Numeric: r, Categorical: []int{codes[i]}, Labels: []float64{float64(i % 2)}})
	}
	return d
}

func coreNear(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestPreprocessStandardiseNoLeak(t *testing.T) {
	// Train x = 1, 2, 3, 4: mean 2.5, population std √1.25.
	train := coreTabular([]string{"x"}, [][]float64{{1}, {2}, {3}, {4}}, []int{3, 3, 5, 5})
	// Validation lives on another scale entirely; if its statistics leaked, 1000 would map near 0.
	val := coreTabular([]string{"x"}, [][]float64{{1000}, {2000}, {2.5}, {3}}, []int{3, 7, 5, 0})
	p, err := Fit(train, PreprocessConfig{ClipZ: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !coreNear(p.Numeric[0].Mean, 2.5) || !coreNear(p.Numeric[0].Std, math.Sqrt(1.25)) {
		t.Errorf("fitted mean %v std %v, want 2.5 and √1.25", p.Numeric[0].Mean, p.Numeric[0].Std)
	}
	ev, err := p.Apply(val)
	if err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt(1.25)
	want := []float64{math.Min((1000-2.5)/sd, 100), math.Min((2000-2.5)/sd, 100), 0, 0.5 / sd}
	for i, w := range want {
		if got := ev.Sessions[i].Numeric[0]; !coreNear(got, w) {
			t.Errorf("val row %d: %v, want %v (train statistics, clipped at 100)", i, got, w)
		}
	}
	// Categorical: train codes 3 and 5 (two each, tie → smaller code first) become 1 and 2; 7 and 0 are unknown.
	if got := []int{ev.Sessions[0].Categorical[0], ev.Sessions[1].Categorical[0], ev.Sessions[2].Categorical[0], ev.Sessions[3].Categorical[0]}; !slices.Equal(got, []int{1, 0, 2, 0}) {
		t.Errorf("categorical codes %v, want [1 0 2 0]", got)
	}
	if ev.Schema.CategoricalSizes[0] != 3 {
		t.Errorf("categorical size %d, want 3 (unknown + two codes)", ev.Schema.CategoricalSizes[0])
	}
	// Default clip at 5.
	p5, _ := Fit(train, PreprocessConfig{})
	ev5, _ := p5.Apply(val)
	if ev5.Sessions[0].Numeric[0] != 5 {
		t.Errorf("default clip: %v, want 5", ev5.Sessions[0].Numeric[0])
	}
	// Applied to train itself the feature has mean 0 and std 1.
	tr, _ := p.Apply(train)
	var m, v float64
	for _, s := range tr.Sessions {
		m += s.Numeric[0] / 4
	}
	for _, s := range tr.Sessions {
		v += (s.Numeric[0] - m) * (s.Numeric[0] - m) / 4
	}
	if !coreNear(m+1, 1) || !coreNear(v, 1) {
		t.Errorf("standardised train: mean %v variance %v, want 0 and 1", m, v)
	}
}

func TestPreprocessLog1p(t *testing.T) {
	e := math.E
	// count = e^0-1, e^1-1, e^2-1 → log1p gives 0, 1, 2: mean 1, std √(2/3).
	// skewed: one large value among zeros (skewness (n-2)/√(n-1) = 8/3 for n = 10) → picked by auto.
	// sym: symmetric → skewness 0. neg: skewed but has a negative value → never logged by auto.
	rows := make([][]float64, 10)
	for i := range rows {
		rows[i] = []float64{[]float64{0, e - 1, e*e - 1}[i%3], 0, float64(i % 2), 0}
	}
	rows[9][1] = 1000
	rows[9][3] = 1000
	rows[0][3] = -1
	names := []string{"count", "skewed", "sym", "neg"}
	d := coreTabular(names, rows, make([]int, 10))
	p, err := Fit(d, PreprocessConfig{Log1p: []string{"count"}, AutoLog1p: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.LogFeatures(); !slices.Equal(got, []string{"count", "skewed"}) {
		t.Errorf("log features %v, want [count skewed]", got)
	}
	// The count column over 10 rows is 0,1,2,0,1,2,0,1,2,0 after log1p: mean 0.9, variance 0.69.
	if s := p.Numeric[0]; !coreNear(s.Mean, 0.9) || !coreNear(s.Std, math.Sqrt(0.69)) {
		t.Errorf("count scaler mean %v std %v, want 0.9 and √0.69", s.Mean, s.Std)
	}
	if _, err := Fit(d, PreprocessConfig{Log1p: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `log1p feature "nope" is not a numeric feature`) {
		t.Errorf("unknown log1p name: %v", err)
	}
	p0, _ := Fit(d, PreprocessConfig{})
	if len(p0.LogFeatures()) != 0 {
		t.Errorf("zero config logs %v, want none", p0.LogFeatures())
	}
	bad := coreCloneDataset(d)
	bad.Sessions[4].Numeric[2] = math.NaN()
	if _, err := Fit(bad, PreprocessConfig{}); err == nil || !strings.Contains(err.Error(), `feature "sym": want a finite number, got NaN`) {
		t.Errorf("NaN feature: %v", err)
	}
}

func TestPreprocessEvents(t *testing.T) {
	d := coreSeqDataset(30)
	train, val := d.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}), d.Subset([]int{20, 26, 27})
	before := coreCloneDataset(train)
	p, err := Fit(train, PreprocessConfig{MinItemCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(train, before) {
		t.Error("Fit changed its input")
	}
	// Item counts in train: item 100+i+t for t < i%7. Count them directly.
	counts := map[int]int{}
	for _, s := range train.Sessions {
		for _, e := range s.Events {
			counts[e.Item]++
		}
	}
	kept := 0
	for _, n := range counts {
		if n >= 2 {
			kept++
		}
	}
	if p.Items.Size != kept+2 {
		t.Errorf("item vocabulary size %d, want %d items seen ≥ 2 times + pad + unknown", p.Items.Size, kept+2)
	}
	enc, err := p.Apply(train)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(train, before) {
		t.Error("Apply changed its input")
	}
	for i, s := range enc.Sessions {
		for k, e := range s.Events {
			raw := train.Sessions[i].Events[k]
			if counts[raw.Item] < 2 && e.Item != UnknownID {
				t.Errorf("rare item %d → %d, want UnknownID", raw.Item, e.Item)
			}
			if counts[raw.Item] >= 2 && (e.Item < 2 || e.Item >= p.Items.Size) {
				t.Errorf("kept item %d → %d, want an id in [2, %d)", raw.Item, e.Item, p.Items.Size)
			}
			if e.Type != raw.Type || e.Time != raw.Time {
				t.Errorf("type/time changed: %+v → %+v", raw, e)
			}
			// dwell: log1p then the fitted standardisation.
			if w := (math.Log1p(raw.Dwell) - p.Dwell.Mean) / p.Dwell.Std; !coreNear(e.Dwell, w) {
				t.Errorf("dwell %v → %v, want %v", raw.Dwell, e.Dwell, w)
			}
		}
	}
	// Items 100..119: the most frequent item gets id 2. Item 113 (session 13, t = 0) is never in train.
	ev, _ := p.Apply(val)
	for _, s := range ev.Sessions {
		for _, e := range s.Events {
			if e.Item != UnknownID && (e.Item < 2 || e.Item >= p.Items.Size) {
				t.Errorf("val item id %d out of vocabulary", e.Item)
			}
		}
	}
	if ev.Sessions[2].Events[5].Item != UnknownID { // session 27: item 132, unseen
		t.Errorf("unseen item → %d, want UnknownID", ev.Sessions[2].Events[5].Item)
	}
	if sc := ev.Schema; sc.NumItems != p.Items.Size || sc.NumCategories != 5 {
		// categories 10, 11, 12 → 3 ids + pad + unknown.
		t.Errorf("schema sizes items %d categories %d, want %d and 5", sc.NumItems, sc.NumCategories, p.Items.Size)
	}
	// Deterministic: fitting and applying again gives identical results.
	p2, _ := Fit(train, PreprocessConfig{MinItemCount: 2})
	enc2, _ := p2.Apply(train)
	if !reflect.DeepEqual(p, p2) || !reflect.DeepEqual(enc, enc2) {
		t.Error("Fit/Apply not deterministic")
	}
	// JSON round trip encodes new data identically.
	blob, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var p3 Preprocessor
	if err := json.Unmarshal(blob, &p3); err != nil {
		t.Fatal(err)
	}
	enc3, err := p3.Apply(val)
	if err != nil || !reflect.DeepEqual(enc3, ev) {
		t.Errorf("preprocessor after JSON round trip encodes differently (err %v)", err)
	}
}

func TestPreprocessErrors(t *testing.T) {
	d := coreSeqDataset(10)
	bad := coreCloneDataset(d)
	bad.Sessions[3].Events[1].Type = UnknownID
	if _, err := Fit(bad, PreprocessConfig{}); err == nil || !strings.Contains(err.Error(), `session "s003": event 1: want an encoded event type in [2, 4), got 1`) {
		t.Errorf("unencoded event type: %v", err)
	}
	bad.Sessions[3].Events[1].Type = 4
	if _, err := Fit(bad, PreprocessConfig{}); err == nil || !strings.Contains(err.Error(), "got 4") {
		t.Errorf("event type past the vocabulary: %v", err)
	}
	if _, err := Fit(&Dataset{Schema: d.Schema}, PreprocessConfig{}); err == nil || !strings.Contains(err.Error(), "no sessions") {
		t.Errorf("empty train: %v", err)
	}
	p, _ := Fit(d, PreprocessConfig{})
	other := coreCloneDataset(d)
	other.Schema.Numeric = []string{"y"}
	if _, err := p.Apply(other); err == nil || !strings.Contains(err.Error(), "numeric features [y], fitted on [x]") {
		t.Errorf("schema mismatch: %v", err)
	}
	if _, err := p.Apply(bad); err == nil || !strings.Contains(err.Error(), "encoded event type") {
		t.Errorf("Apply with bad event type: %v", err)
	}
}
