package datasets

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// PreprocessConfig configures Fit. The zero value standardises every numeric feature without a log,
// clips at ±5 standard deviations and keeps every item and category seen in training.
type PreprocessConfig struct {
	// Log1p names static numeric features to pass through log1p(max(x, 0)) before standardising
	// (counts, durations). Every name must be in the schema.
	Log1p []string
	// AutoLog1p adds every static numeric feature whose training values are all ≥ 0 and whose
	// sample skewness exceeds AutoSkew (heavy right tail). The chosen names are recorded in the
	// Preprocessor.
	AutoLog1p bool
	AutoSkew  float64 // skewness threshold for AutoLog1p; default 1
	// ClipZ clips standardised values (static numeric, dwell, price) to [-ClipZ, ClipZ]; default 5;
	// a negative value turns clipping off.
	ClipZ float64
	// MinItemCount: items seen in fewer training events map to UnknownID; default 1 (keep all).
	MinItemCount int
	// MinCategoryCount: the same for event categories; default 1.
	MinCategoryCount int
	// MinCodeCount: the same for static categorical codes, which then map to 0; default 1.
	MinCodeCount int
}

func (c PreprocessConfig) withDefaults() PreprocessConfig {
	if c.AutoSkew == 0 {
		c.AutoSkew = 1
	}
	if c.ClipZ == 0 {
		c.ClipZ = 5
	}
	c.MinItemCount = max(c.MinItemCount, 1)
	c.MinCategoryCount = max(c.MinCategoryCount, 1)
	c.MinCodeCount = max(c.MinCodeCount, 1)
	return c
}

// Scaler maps x to clip((f(x) − Mean) / Std), where f is log1p(max(x, 0)) when Log is set and the
// identity otherwise.
type Scaler struct {
	Name string
	Log  bool
	Mean float64
	Std  float64 // 1 when the training values are constant
	Clip float64 // ≤ 0: no clipping
}

// Apply transforms one value.
func (s *Scaler) Apply(x float64) float64 {
	z := (s.pre(x) - s.Mean) / s.Std
	if s.Clip > 0 {
		z = math.Max(-s.Clip, math.Min(s.Clip, z))
	}
	return z
}

// fitScaler takes the mean and population standard deviation of the transformed values.
func fitScaler(name string, log bool, clip float64, xs []float64) Scaler {
	var m moments
	s := Scaler{Name: name, Log: log}
	for _, x := range xs {
		m.add(s.pre(x))
	}
	return m.scaler(name, log, clip)
}

// moments accumulates a mean and variance in one pass (Welford's algorithm), so that scaling event
// values needs no copy of every event.
type moments struct {
	n        int
	mean, m2 float64
}

func (m *moments) add(x float64) {
	m.n++
	d := x - m.mean
	m.mean += d / float64(m.n)
	m.m2 += d * (x - m.mean)
}

// scaler returns the fitted Scaler; Std is 1 when there are no values or they are constant.
func (m *moments) scaler(name string, log bool, clip float64) Scaler {
	s := Scaler{Name: name, Log: log, Mean: m.mean, Std: 1, Clip: clip}
	if m.n > 0 {
		if sd := math.Sqrt(m.m2 / float64(m.n)); sd > 1e-12 {
			s.Std = sd
		}
	}
	return s
}

// pre is f(x): log1p(max(x, 0)) when Log is set, x otherwise.
func (s *Scaler) pre(x float64) float64 {
	if s.Log {
		return math.Log1p(math.Max(x, 0))
	}
	return x
}

// Vocab re-codes raw integer codes to compact ids. Codes not in Index map to Unknown.
// Size counts every id, including the reserved ones below the first fitted id.
type Vocab struct {
	Name    string
	Index   map[int]int // raw code → id
	Unknown int         // id of a code not in Index
	Size    int
}

// ID returns the id of a raw code.
func (v *Vocab) ID(raw int) int {
	if id, ok := v.Index[raw]; ok {
		return id
	}
	return v.Unknown
}

// fitVocab gives ids first, first+1, … to the codes counted at least minCount times, most frequent
// first (ties by smaller code), so ids are deterministic.
func fitVocab(name string, counts map[int]int, minCount, first, unknown int) Vocab {
	codes := make([]int, 0, len(counts))
	for c, n := range counts {
		if n >= minCount {
			codes = append(codes, c)
		}
	}
	slices.SortFunc(codes, func(a, b int) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	v := Vocab{Name: name, Index: make(map[int]int, len(codes)), Unknown: unknown, Size: first + len(codes)}
	for i, c := range codes {
		v.Index[c] = first + i
	}
	return v
}

// Preprocessor holds everything fitted on a training split. Its fields are exported so that it
// round-trips through encoding/json with a saved run and can encode new data later.
type Preprocessor struct {
	Config      PreprocessConfig // with defaults filled in
	Input       Schema           // schema of the data it was fitted on; Apply checks against it
	Numeric     []Scaler         // one per Input.Numeric
	Categorical []Vocab          // one per Input.Categorical; 0 = unknown, fitted codes from 1
	Items       Vocab            // PadID 0, UnknownID 1, fitted items from 2
	Categories  Vocab            // PadID 0, UnknownID 1, fitted categories from 2
	Dwell       Scaler           // log1p then standardised over training events
	Price       Scaler           // log1p then standardised over training events
}

// Fit learns the preprocessing from train only. It returns an error when train is empty or
// invalid, holds a non-finite value, names an unknown feature in cfg.Log1p, or carries an event
// type that is not an encoded id (2 ≤ type < Schema.NumEventTypes()).
func Fit(train *Dataset, cfg PreprocessConfig) (*Preprocessor, error) {
	if train == nil || len(train.Sessions) == 0 {
		return nil, fmt.Errorf("preprocess: fit: training set has no sessions")
	}
	if err := checkInput(train); err != nil {
		return nil, fmt.Errorf("preprocess: fit: %w", err)
	}
	cfg = cfg.withDefaults()
	sc := &train.Schema
	p := &Preprocessor{Config: cfg, Input: cloneSchema(sc)}
	clip := cfg.ClipZ

	logs := make(map[string]bool)
	for _, name := range cfg.Log1p {
		if !slices.Contains(sc.Numeric, name) {
			return nil, fmt.Errorf("preprocess: fit: log1p feature %q is not a numeric feature of %q (have %v)", name, sc.Name, sc.Numeric)
		}
		logs[name] = true
	}
	col := make([]float64, len(train.Sessions))
	for f, name := range sc.Numeric {
		for i := range train.Sessions {
			col[i] = train.Sessions[i].Numeric[f]
		}
		log := logs[name] || (cfg.AutoLog1p && slices.Min(col) >= 0 && skewness(col) > cfg.AutoSkew)
		p.Numeric = append(p.Numeric, fitScaler(name, log, clip, col))
	}

	for f, name := range sc.Categorical {
		counts := make(map[int]int)
		for i := range train.Sessions {
			if c := train.Sessions[i].Categorical[f]; c != 0 {
				counts[c]++
			}
		}
		p.Categorical = append(p.Categorical, fitVocab(name, counts, cfg.MinCodeCount, 1, 0))
	}

	items, cats := make(map[int]int), make(map[int]int)
	var dwell, price moments
	for i := range train.Sessions {
		for _, e := range train.Sessions[i].Events {
			items[e.Item]++
			cats[e.Category]++
			dwell.add(math.Log1p(math.Max(e.Dwell, 0)))
			price.add(math.Log1p(math.Max(e.Price, 0)))
		}
	}
	p.Items = fitVocab("item", items, cfg.MinItemCount, 2, UnknownID)
	p.Categories = fitVocab("category", cats, cfg.MinCategoryCount, 2, UnknownID)
	p.Dwell = dwell.scaler("dwell", true, clip)
	p.Price = price.scaler("price", true, clip)
	return p, nil
}

// Apply returns a new dataset with d encoded by p; d is not changed. The result's schema records
// the fitted vocabulary sizes. It returns an error when d's schema differs from the one p was fitted
// on, or d holds a non-finite value or an unencoded event type.
func (p *Preprocessor) Apply(d *Dataset) (*Dataset, error) {
	if err := p.sameSchema(&d.Schema); err != nil {
		return nil, fmt.Errorf("preprocess: apply: %w", err)
	}
	if err := checkInput(d); err != nil {
		return nil, fmt.Errorf("preprocess: apply: %w", err)
	}
	out := &Dataset{Schema: p.OutputSchema(), Sessions: make([]Session, len(d.Sessions))}
	nEv := 0
	for i := range d.Sessions {
		nEv += len(d.Sessions[i].Events)
	}
	events := make([]Event, nEv) // one backing array for every session's events
	for i := range d.Sessions {
		s := &d.Sessions[i]
		o := &out.Sessions[i]
		o.ID, o.Start = s.ID, s.Start
		o.Numeric = make([]float64, len(s.Numeric))
		for f, x := range s.Numeric {
			o.Numeric[f] = p.Numeric[f].Apply(x)
		}
		o.Categorical = make([]int, len(s.Categorical))
		for f, c := range s.Categorical {
			o.Categorical[f] = p.Categorical[f].ID(c)
		}
		if len(s.Events) > 0 {
			o.Events, events = events[:len(s.Events):len(s.Events)], events[len(s.Events):]
			for t, e := range s.Events {
				o.Events[t] = Event{
					Type: e.Type, Item: p.Items.ID(e.Item), Category: p.Categories.ID(e.Category),
					Dwell: p.Dwell.Apply(e.Dwell), Price: p.Price.Apply(e.Price), Time: e.Time,
				}
			}
		}
		o.Labels = slices.Clone(s.Labels)
		o.Oracle = slices.Clone(s.Oracle)
	}
	return out, nil
}

// OutputSchema is the schema of the data Apply returns: the input schema with the fitted
// vocabulary sizes.
func (p *Preprocessor) OutputSchema() Schema {
	s := cloneSchema(&p.Input)
	for f := range p.Categorical {
		s.CategoricalSizes[f] = p.Categorical[f].Size
	}
	if s.HasSequence {
		s.NumItems, s.NumCategories = p.Items.Size, p.Categories.Size
	} else {
		s.NumItems, s.NumCategories = 0, 0
	}
	return s
}

// LogFeatures returns the names of the static numeric features that p passes through log1p.
func (p *Preprocessor) LogFeatures() []string {
	var names []string
	for _, s := range p.Numeric {
		if s.Log {
			names = append(names, s.Name)
		}
	}
	return names
}

func (p *Preprocessor) sameSchema(s *Schema) error {
	in := &p.Input
	switch {
	case !slices.Equal(in.Numeric, s.Numeric):
		return fmt.Errorf("dataset %q: numeric features %v, fitted on %v", s.Name, s.Numeric, in.Numeric)
	case !slices.Equal(in.Categorical, s.Categorical):
		return fmt.Errorf("dataset %q: categorical features %v, fitted on %v", s.Name, s.Categorical, in.Categorical)
	case !slices.Equal(in.EventTypes, s.EventTypes):
		return fmt.Errorf("dataset %q: event types %v, fitted on %v", s.Name, s.EventTypes, in.EventTypes)
	case !slices.Equal(in.Tasks, s.Tasks):
		return fmt.Errorf("dataset %q: tasks %v, fitted on %v", s.Name, s.Tasks, in.Tasks)
	case in.HasSequence != s.HasSequence:
		return fmt.Errorf("dataset %q: has sequences %v, fitted on %v", s.Name, s.HasSequence, in.HasSequence)
	}
	return nil
}

// checkInput validates d and checks that its values are finite and its event types encoded.
func checkInput(d *Dataset) error {
	if err := d.Validate(); err != nil {
		return err
	}
	sc := &d.Schema
	nTypes := sc.NumEventTypes()
	for i := range d.Sessions {
		s := &d.Sessions[i]
		for f, x := range s.Numeric {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("dataset %q: session %q: feature %q: want a finite number, got %v", sc.Name, s.ID, sc.Numeric[f], x)
			}
		}
		for t, e := range s.Events {
			if e.Type < 2 || e.Type >= nTypes {
				return fmt.Errorf("dataset %q: session %q: event %d: want an encoded event type in [2, %d), got %d", sc.Name, s.ID, t, nTypes, e.Type)
			}
			if math.IsNaN(e.Dwell) || math.IsInf(e.Dwell, 0) || math.IsNaN(e.Price) || math.IsInf(e.Price, 0) {
				return fmt.Errorf("dataset %q: session %q: event %d: want finite dwell and price, got %v and %v", sc.Name, s.ID, t, e.Dwell, e.Price)
			}
		}
	}
	return nil
}

// skewness is the population sample skewness m3 / m2^1.5, and 0 for a constant column.
func skewness(xs []float64) float64 {
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var m2, m3 float64
	for _, x := range xs {
		d := x - mean
		m2 += d * d
		m3 += d * d * d
	}
	m2 /= float64(len(xs))
	m3 /= float64(len(xs))
	if m2 <= 1e-300 {
		return 0
	}
	return m3 / math.Pow(m2, 1.5)
}

func cloneSchema(s *Schema) Schema {
	c := *s
	c.Numeric = slices.Clone(s.Numeric)
	c.Categorical = slices.Clone(s.Categorical)
	c.CategoricalSizes = slices.Clone(s.CategoricalSizes)
	c.EventTypes = slices.Clone(s.EventTypes)
	c.Tasks = slices.Clone(s.Tasks)
	return c
}
