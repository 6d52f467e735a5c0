package datasets

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// coreSeqDataset builds n sessions with events: session i has i%7 events of type 2+(t%2), item
// 100+i+t, category 10+t%3, dwell t+1, price 2t; one numeric feature i, one categorical code 1+i%3;
// every fifth session (i%5 == 0) buys, and the cart label is 1 for even i.
func coreSeqDataset(n int) *Dataset {
	d := &Dataset{Schema: Schema{
		Name: "toy", Numeric: []string{"x"}, Categorical: []string{"c"}, CategoricalSizes: []int{4},
		EventTypes: []string{"view", "cart"}, NumItems: 1000, NumCategories: 20,
		Tasks: []string{TaskPurchase, TaskCart}, HasSequence: true,
	}}
	for i := range n {
		s := Session{
			ID: fmt.Sprintf("s%03d", i), Start: int64(1000 + i),
			Numeric: []float64{float64(i)}, Categorical: []int{1 + i%3}, Labels: []float64{0, 0},
		}
		if i%5 == 0 {
			s.Labels[0] = 1
		}
		if i%2 == 0 {
			s.Labels[1] = 1
		}
		for t := range i % 7 {
			s.Events = append(s.Events, Event{Type: 2 + t%2, Item: 100 + i + t, Category: 10 + t%3, Dwell: float64(t + 1), Price: float64(2 * t)})
		}
		d.Sessions = append(d.Sessions, s)
	}
	return d
}

func TestBatchLayout(t *testing.T) {
	d := coreSeqDataset(7) // session 6 has 6 events, session 0 none
	bt, err := NewBatcher(d, BatcherConfig{BatchSize: 3, MaxLen: 4})
	if err != nil {
		t.Fatal(err)
	}
	if bt.Len() != 3 {
		t.Fatalf("Len = %d, want ⌈7/3⌉ = 3", bt.Len())
	}
	var got [][]int
	for b, ok := bt.Next(); ok; b, ok = bt.Next() {
		if b.Size != 3 || b.MaxLen != 4 || len(b.Types) != 12 || len(b.Labels) != 6 || len(b.Numeric) != 3 {
			t.Fatalf("shape: size %d maxLen %d types %d labels %d numeric %d", b.Size, b.MaxLen, len(b.Types), len(b.Labels), len(b.Numeric))
		}
		got = append(got, slices.Clone(b.Index))
		for r := range b.Size {
			j := b.Index[r]
			if r >= b.Rows {
				if j != -1 || b.Weights[r] != 0 || b.Lengths[r] != 0 {
					t.Errorf("padding row %d: index %d weight %v length %d", r, j, b.Weights[r], b.Lengths[r])
				}
				for k := r * 4; k < r*4+4; k++ {
					if b.Mask[k] != 0 || b.Types[k] != PadID || b.Items[k] != PadID {
						t.Errorf("padding row %d position %d not padded", r, k-r*4)
					}
				}
				continue
			}
			s := d.Sessions[j]
			keep := s.Events
			if len(keep) > 4 {
				keep = keep[len(keep)-4:] // most recent four
			}
			if b.Lengths[r] != len(keep) || b.Weights[r] != 1 {
				t.Errorf("row %d (session %d): length %d weight %v, want %d, 1", r, j, b.Lengths[r], b.Weights[r], len(keep))
			}
			for p := range 4 {
				k := r*4 + p
				if p < len(keep) {
					e := keep[p]
					if b.Types[k] != e.Type || b.Items[k] != e.Item || b.Categories[k] != e.Category ||
						b.Dwell[k] != e.Dwell || b.Price[k] != e.Price || b.Mask[k] != 1 {
						t.Errorf("row %d pos %d: got (%d %d %d %v %v %v), want event %+v", r, p, b.Types[k], b.Items[k], b.Categories[k], b.Dwell[k], b.Price[k], b.Mask[k], e)
					}
				} else if b.Mask[k] != 0 || b.Types[k] != PadID || b.Dwell[k] != 0 {
					t.Errorf("row %d pos %d: want padding", r, p)
				}
			}
			if b.Numeric[r] != s.Numeric[0] || b.Categorical[r] != s.Categorical[0] ||
				b.Labels[2*r] != s.Labels[0] || b.Labels[2*r+1] != s.Labels[1] {
				t.Errorf("row %d: static features or labels differ from session %d", r, j)
			}
		}
	}
	want := [][]int{{0, 1, 2}, {3, 4, 5}, {6, -1, -1}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("indices %v, want %v", got, want)
	}
	// Session 6 has items 106..111; the batch keeps the last four: 108..111.
	b, _ := bt.Next() // first batch of epoch 1
	if bt.Epoch() != 1 || b.Index[0] != 0 {
		t.Errorf("after an epoch: Epoch %d, first index %d; want 1, 0", bt.Epoch(), b.Index[0])
	}
	for b, ok := bt.Next(); ok; b, ok = bt.Next() {
		if b.Index[0] == 6 && !slices.Equal(b.Items[:4], []int{108, 109, 110, 111}) {
			t.Errorf("truncated session 6 items %v, want [108 109 110 111]", b.Items[:4])
		}
	}
}

// coreEpochOrders runs n epochs and returns the concatenated indices of each, checking that every
// epoch visits each session exactly once.
func coreEpochOrders(t *testing.T, bt *Batcher, nSessions, epochs int) [][]int {
	t.Helper()
	var out [][]int
	for range epochs {
		var order []int
		for b, ok := bt.Next(); ok; b, ok = bt.Next() {
			order = append(order, b.Index[:b.Rows]...)
		}
		sorted := slices.Sorted(slices.Values(order))
		for i, j := range sorted {
			if i != j {
				t.Fatalf("epoch does not visit each of %d sessions once: %v", nSessions, sorted)
			}
		}
		if len(sorted) != nSessions {
			t.Fatalf("epoch visits %d sessions, want %d", len(sorted), nSessions)
		}
		out = append(out, order)
	}
	return out
}

func TestBatcherShuffleDeterministic(t *testing.T) {
	d := coreSeqDataset(50)
	cfg := BatcherConfig{BatchSize: 8, MaxLen: 5, Shuffle: true, Seed: 42}
	a, _ := NewBatcher(d, cfg)
	b, _ := NewBatcher(d, cfg)
	oa, ob := coreEpochOrders(t, a, 50, 3), coreEpochOrders(t, b, 50, 3)
	if !slices.EqualFunc(oa, ob, slices.Equal) {
		t.Error("same seed gave different orders")
	}
	if slices.Equal(oa[0], oa[1]) || slices.Equal(oa[0], slices.Sorted(slices.Values(oa[0]))) {
		t.Error("shuffled epochs repeat or are in dataset order (chance 1/50!)")
	}
	// Resuming at epoch 2 sees the batches of an uninterrupted run.
	c, _ := NewBatcher(d, cfg)
	c.Next() // part-way through epoch 0
	c.SetEpoch(2)
	if oc := coreEpochOrders(t, c, 50, 1); !slices.Equal(oc[0], oa[2]) {
		t.Error("SetEpoch(2) order differs from epoch 2 of an uninterrupted run")
	}
	other, _ := NewBatcher(d, BatcherConfig{BatchSize: 8, MaxLen: 5, Shuffle: true, Seed: 43})
	if slices.Equal(coreEpochOrders(t, other, 50, 1)[0], oa[0]) {
		t.Error("seeds 42 and 43 gave the same order")
	}
	// An explicit source is consumed deterministically too.
	r1, _ := NewBatcher(d, BatcherConfig{BatchSize: 8, MaxLen: 5, Shuffle: true, Rand: rand.New(rand.NewPCG(1, 2))})
	r2, _ := NewBatcher(d, BatcherConfig{BatchSize: 8, MaxLen: 5, Shuffle: true, Rand: rand.New(rand.NewPCG(1, 2))})
	if !slices.EqualFunc(coreEpochOrders(t, r1, 50, 2), coreEpochOrders(t, r2, 50, 2), slices.Equal) {
		t.Error("same explicit source gave different orders")
	}
}

func TestBatcherNoAllocation(t *testing.T) {
	d := coreSeqDataset(100)
	bt, err := NewBatcher(d, BatcherConfig{BatchSize: 16, MaxLen: 8, Shuffle: true, Seed: 1, ClassWeights: []float64{1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() { bt.Next() }) // crosses several epoch boundaries
	if allocs != 0 {
		t.Errorf("Next allocates %v times per call, want 0", allocs)
	}
}

func TestBatcherClassWeights(t *testing.T) {
	d := coreSeqDataset(10) // buyers: sessions 0 and 5
	bt, err := NewBatcher(d, BatcherConfig{BatchSize: 4, MaxLen: 2, ClassWeights: []float64{0.5, 4}})
	if err != nil {
		t.Fatal(err)
	}
	for b, ok := bt.Next(); ok; b, ok = bt.Next() {
		for r := range b.Size {
			want := 0.0
			switch j := b.Index[r]; {
			case j == 0 || j == 5:
				want = 4
			case j >= 0:
				want = 0.5
			}
			if b.Weights[r] != want {
				t.Errorf("session %d weight %v, want %v", b.Index[r], b.Weights[r], want)
			}
		}
	}
	w, err := BalancedClassWeights(d)
	// 8 negatives, 2 positives: 10/(2·8) = 0.625 and 10/(2·2) = 2.5.
	if err != nil || w[0] != 0.625 || w[1] != 2.5 {
		t.Errorf("BalancedClassWeights = %v, %v; want [0.625 2.5]", w, err)
	}
}

func TestBatcherTabular(t *testing.T) {
	d := coreSeqDataset(5)
	d.Schema.HasSequence = false
	for i := range d.Sessions {
		d.Sessions[i].Events = nil
	}
	bt, err := NewBatcher(d, BatcherConfig{BatchSize: 4})
	if err != nil {
		t.Fatalf("tabular data with MaxLen 0: %v", err)
	}
	b, _ := bt.Next()
	if len(b.Mask) != 0 || b.Rows != 4 || b.Numeric[3] != 3 {
		t.Errorf("tabular batch: mask %d, rows %d, numeric %v", len(b.Mask), b.Rows, b.Numeric)
	}
}

func TestBatcherErrors(t *testing.T) {
	d := coreSeqDataset(5)
	half := coreSeqDataset(5)
	half.Sessions[2].Labels[0] = 0.5
	cases := []struct {
		name string
		d    *Dataset
		cfg  BatcherConfig
		want string
	}{
		{"zero batch", d, BatcherConfig{MaxLen: 4}, "batch size must be positive, got 0"},
		{"zero maxlen", d, BatcherConfig{BatchSize: 4}, `dataset "toy" has sequences: max length must be positive, got 0`},
		{"negative maxlen", d, BatcherConfig{BatchSize: 4, MaxLen: -1}, "max length must be positive, got -1"},
		{"empty", &Dataset{Schema: d.Schema}, BatcherConfig{BatchSize: 4, MaxLen: 4}, "dataset has no sessions"},
		{"three weights", d, BatcherConfig{BatchSize: 4, MaxLen: 4, ClassWeights: []float64{1, 2, 3}}, "want 2 (label 0, label 1), got 3"},
		{"negative weight", d, BatcherConfig{BatchSize: 4, MaxLen: 4, ClassWeights: []float64{1, -2}}, "class weight 1: want a positive finite number, got -2"},
		{"soft label", half, BatcherConfig{BatchSize: 4, MaxLen: 4, ClassWeights: []float64{1, 2}}, `session "s002": class weights need a 0/1 purchase label, got 0.5`},
	}
	for _, c := range cases {
		_, err := NewBatcher(c.d, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	b, _ := NewBatch(&d.Schema, 2, 3)
	if err := b.Fill(d, []int{0, 1, 2}, nil); err == nil || !strings.Contains(err.Error(), "3 sessions do not fit a batch of 2") {
		t.Errorf("Fill with too many rows: %v", err)
	}
	if err := b.Fill(d, []int{9}, nil); err == nil || !strings.Contains(err.Error(), "index 9 out of range") {
		t.Errorf("Fill out of range: %v", err)
	}
}

// ExampleBatcher batches five sessions two at a time; the third batch is padded with a weight-0 row.
func ExampleBatcher() {
	d := &Dataset{Schema: Schema{Name: "demo", EventTypes: []string{"view", "cart"}, NumItems: 10, NumCategories: 3,
		Tasks: []string{TaskPurchase}, HasSequence: true}}
	for i := range 5 {
		s := Session{ID: fmt.Sprint(i), Labels: []float64{float64(i % 2)}}
		for t := range i {
			s.Events = append(s.Events, Event{Type: 2, Item: 2 + t})
		}
		d.Sessions = append(d.Sessions, s)
	}
	bt, err := NewBatcher(d, BatcherConfig{BatchSize: 2, MaxLen: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	for b, ok := bt.Next(); ok; b, ok = bt.Next() {
		fmt.Println("index", b.Index, "items", b.Items, "mask", b.Mask, "weights", b.Weights)
	}
	// Output:
	// index [0 1] items [0 0 0 2 0 0] mask [0 0 0 1 0 0] weights [1 1]
	// index [2 3] items [2 3 0 2 3 4] mask [1 1 0 1 1 1] weights [1 1]
	// index [4 -1] items [3 4 5 0 0 0] mask [1 1 1 0 0 0] weights [1 0]
}

// BenchmarkBatcherNext measures one shuffled batch of 256 × 50 from 10,000 sessions of up to six events.
func BenchmarkBatcherNext(b *testing.B) {
	d := coreSeqDataset(10000)
	bt, err := NewBatcher(d, BatcherConfig{BatchSize: 256, MaxLen: 50, Shuffle: true, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		bt.Next()
	}
}
