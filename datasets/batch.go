package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Batch is a fixed-shape block of B sessions, laid out row-major in flat slices so that one
// compiled graph can be fed every batch of an epoch.
//
// Shapes (B = Size, T = MaxLen, N = NumNumeric, C = NumCategorical, K = NumTasks):
//
//	Types, Items, Categories  [B, T]  event ids; PadID at padding positions
//	Dwell, Price              [B, T]  event values; 0 at padding positions
//	Mask                      [B, T]  1 at a real event, 0 at padding
//	Lengths                   [B]     real events in the row (0..T)
//	Numeric                   [B, N]  static numeric features
//	Categorical               [B, C]  static categorical codes
//	Labels                    [B, K]  one label per task
//	Weights                   [B]     0 for a padding row; 1 or the class weight for a real row
//	Index                     [B]     index of the session in the dataset, or -1 for a padding row
//
// Events sit at positions 0..Lengths[r]-1 (right padding). A session longer than T keeps its most
// recent T events. When the schema has no sequences T may be 0 and the event slices are empty.
// Rows 0..Rows-1 are real; rows Rows..B-1 are padding.
type Batch struct {
	Size, MaxLen, Rows                   int
	NumNumeric, NumCategorical, NumTasks int

	Types, Items, Categories []int
	Dwell, Price, Mask       []float64
	Lengths                  []int
	Numeric                  []float64
	Categorical              []int
	Labels                   []float64
	Weights                  []float64
	Index                    []int
}

// NewBatch allocates an empty batch of the given shape for schema s.
// It returns an error when size ≤ 0, maxLen < 0, or maxLen = 0 while s has sequences.
func NewBatch(s *Schema, size, maxLen int) (*Batch, error) {
	if size <= 0 {
		return nil, fmt.Errorf("batch: batch size must be positive, got %d", size)
	}
	if maxLen < 0 || (s.HasSequence && maxLen == 0) {
		return nil, fmt.Errorf("batch: dataset %q has sequences: max length must be positive, got %d", s.Name, maxLen)
	}
	bt := size * maxLen
	b := &Batch{
		Size: size, MaxLen: maxLen,
		NumNumeric: len(s.Numeric), NumCategorical: len(s.Categorical), NumTasks: len(s.Tasks),
		Types: make([]int, bt), Items: make([]int, bt), Categories: make([]int, bt),
		Dwell: make([]float64, bt), Price: make([]float64, bt), Mask: make([]float64, bt),
		Lengths:     make([]int, size),
		Numeric:     make([]float64, size*len(s.Numeric)),
		Categorical: make([]int, size*len(s.Categorical)),
		Labels:      make([]float64, size*len(s.Tasks)),
		Weights:     make([]float64, size),
		Index:       make([]int, size),
	}
	return b, nil
}

// Fill overwrites b with the sessions of d at indices idx (len(idx) ≤ Size), padding the remaining
// rows. classWeights, when non-nil, holds the weight of a row whose purchase label is 0 and 1;
// nil gives every real row weight 1. Fill does not allocate. It returns an error when idx is too
// long, an index is out of range, or a session disagrees with the batch's shape.
func (b *Batch) Fill(d *Dataset, idx []int, classWeights []float64) error {
	if len(idx) > b.Size {
		return fmt.Errorf("batch: %d sessions do not fit a batch of %d", len(idx), b.Size)
	}
	b.Rows = len(idx)
	for r := 0; r < b.Size; r++ {
		if r >= len(idx) {
			b.padRow(r)
			continue
		}
		j := idx[r]
		if j < 0 || j >= len(d.Sessions) {
			return fmt.Errorf("batch: session index %d out of range [0, %d)", j, len(d.Sessions))
		}
		if err := b.fillRow(r, j, &d.Sessions[j], classWeights); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) fillRow(r, j int, s *Session, classWeights []float64) error {
	if len(s.Numeric) != b.NumNumeric || len(s.Categorical) != b.NumCategorical || len(s.Labels) != b.NumTasks {
		return fmt.Errorf("batch: session %q has %d numeric, %d categorical, %d labels; batch wants %d, %d, %d",
			s.ID, len(s.Numeric), len(s.Categorical), len(s.Labels), b.NumNumeric, b.NumCategorical, b.NumTasks)
	}
	T := b.MaxLen
	ev := s.Events
	if len(ev) > T {
		ev = ev[len(ev)-T:] // keep the most recent T events
	}
	base := r * T
	for t := 0; t < T; t++ {
		k := base + t
		if t < len(ev) {
			e := &ev[t]
			b.Types[k], b.Items[k], b.Categories[k] = e.Type, e.Item, e.Category
			b.Dwell[k], b.Price[k], b.Mask[k] = e.Dwell, e.Price, 1
		} else {
			b.Types[k], b.Items[k], b.Categories[k] = PadID, PadID, PadID
			b.Dwell[k], b.Price[k], b.Mask[k] = 0, 0, 0
		}
	}
	b.Lengths[r] = len(ev)
	copy(b.Numeric[r*b.NumNumeric:], s.Numeric)
	copy(b.Categorical[r*b.NumCategorical:], s.Categorical)
	copy(b.Labels[r*b.NumTasks:], s.Labels)
	w := 1.0
	if classWeights != nil {
		w = classWeights[classOf(s)]
	}
	b.Weights[r] = w
	b.Index[r] = j
	return nil
}

func (b *Batch) padRow(r int) {
	T := b.MaxLen
	clear(b.Types[r*T : (r+1)*T])
	clear(b.Items[r*T : (r+1)*T])
	clear(b.Categories[r*T : (r+1)*T])
	clear(b.Dwell[r*T : (r+1)*T])
	clear(b.Price[r*T : (r+1)*T])
	clear(b.Mask[r*T : (r+1)*T])
	clear(b.Numeric[r*b.NumNumeric : (r+1)*b.NumNumeric])
	clear(b.Categorical[r*b.NumCategorical : (r+1)*b.NumCategorical])
	clear(b.Labels[r*b.NumTasks : (r+1)*b.NumTasks])
	b.Lengths[r], b.Weights[r], b.Index[r] = 0, 0, -1
}

// classOf is the purchase class of s: 1 when Labels[0] ≥ 0.5, else 0.
func classOf(s *Session) int {
	if len(s.Labels) > 0 && s.Labels[0] >= 0.5 {
		return 1
	}
	return 0
}

// BatcherConfig configures a Batcher. BatchSize is required; MaxLen is required when the schema has
// sequences (and may be 0 otherwise).
type BatcherConfig struct {
	BatchSize int  // sessions per batch, > 0
	MaxLen    int  // event positions per row; longer sessions keep their most recent MaxLen events
	Shuffle   bool // false: dataset order every epoch
	// Seed fixes the shuffle: epoch e is permuted by a PCG seeded with (Seed, e), so the order of an
	// epoch depends only on Seed and e (a resumed run sees the same batches). Ignored when Rand is set.
	Seed uint64
	// Rand, when non-nil, draws the shuffles instead of Seed, consuming it epoch after epoch.
	Rand *rand.Rand
	// ClassWeights, when non-nil, holds two positive weights: for sessions whose purchase label is 0
	// and 1. Nil weights every real row 1. Labels must then be exactly 0 or 1.
	ClassWeights []float64
}

// Batcher iterates a dataset in fixed-shape batches, epoch after epoch. It reuses one Batch: the
// batch returned by Next is valid only until the next call to Next. A Batcher is not safe for
// concurrent use.
type Batcher struct {
	data  *Dataset
	cfg   BatcherConfig
	batch *Batch
	perm  []int
	pcg   *rand.PCG
	rng   *rand.Rand

	epoch   int  // epoch of the batches Next returns (or will return)
	pos     int  // next position in perm
	running bool // an epoch is in progress
}

// NewBatcher checks cfg against d and allocates the buffers. It returns an error for a batch size
// ≤ 0, a max length ≤ 0 on a sequence dataset, an empty or invalid dataset, or bad class weights.
func NewBatcher(d *Dataset, cfg BatcherConfig) (*Batcher, error) {
	if d == nil || len(d.Sessions) == 0 {
		return nil, fmt.Errorf("batcher: dataset has no sessions")
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("batcher: %w", err)
	}
	if cfg.ClassWeights != nil {
		if len(cfg.ClassWeights) != 2 {
			return nil, fmt.Errorf("batcher: class weights: want 2 (label 0, label 1), got %d", len(cfg.ClassWeights))
		}
		for c, w := range cfg.ClassWeights {
			if !(w > 0) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("batcher: class weight %d: want a positive finite number, got %v", c, w)
			}
		}
		for i := range d.Sessions {
			if y := d.Sessions[i].Labels[0]; y != 0 && y != 1 {
				return nil, fmt.Errorf("batcher: session %q: class weights need a 0/1 purchase label, got %v", d.Sessions[i].ID, y)
			}
		}
	}
	b, err := NewBatch(&d.Schema, cfg.BatchSize, cfg.MaxLen)
	if err != nil {
		return nil, fmt.Errorf("batcher: dataset %q: %w", d.Schema.Name, err)
	}
	cfg.ClassWeights = append([]float64(nil), cfg.ClassWeights...)
	if len(cfg.ClassWeights) == 0 {
		cfg.ClassWeights = nil
	}
	bt := &Batcher{data: d, cfg: cfg, batch: b, perm: make([]int, len(d.Sessions))}
	if cfg.Rand != nil {
		bt.rng = cfg.Rand
	} else {
		bt.pcg = rand.NewPCG(cfg.Seed, 0)
		bt.rng = rand.New(bt.pcg)
	}
	return bt, nil
}

// Len is the number of batches per epoch: ⌈sessions / BatchSize⌉.
func (bt *Batcher) Len() int {
	return (len(bt.data.Sessions) + bt.cfg.BatchSize - 1) / bt.cfg.BatchSize
}

// Epoch is the epoch of the batches Next returns: 0 for the first, incremented after each epoch ends.
func (bt *Batcher) Epoch() int { return bt.epoch }

// SetEpoch abandons any epoch in progress and makes the next call to Next start epoch e. With a
// Seed (no Rand) the order of epoch e is the same as in an uninterrupted run, which is what resuming
// training needs.
func (bt *Batcher) SetEpoch(e int) {
	bt.epoch, bt.pos, bt.running = e, 0, false
}

// Next returns the next batch of the current epoch and true, or nil and false once the epoch is
// done; the call after that starts the next epoch. The returned batch is overwritten by the next
// call. Next does not allocate. It panics if the dataset's sessions were changed to disagree with
// the schema after NewBatcher checked them (a programming error).
func (bt *Batcher) Next() (*Batch, bool) {
	if !bt.running {
		bt.startEpoch()
	}
	n := len(bt.perm)
	if bt.pos >= n {
		bt.running = false
		bt.epoch++
		return nil, false
	}
	end := min(bt.pos+bt.cfg.BatchSize, n)
	// Fill cannot fail here: NewBatcher validated every session against the schema.
	if err := bt.batch.Fill(bt.data, bt.perm[bt.pos:end], bt.cfg.ClassWeights); err != nil {
		panic("datasets: batcher: " + err.Error())
	}
	bt.pos = end
	return bt.batch, true
}

func (bt *Batcher) startEpoch() {
	for i := range bt.perm {
		bt.perm[i] = i
	}
	if bt.cfg.Shuffle {
		if bt.pcg != nil {
			bt.pcg.Seed(bt.cfg.Seed, uint64(bt.epoch))
		}
		for i := len(bt.perm) - 1; i > 0; i-- { // Fisher–Yates, written out so it does not allocate
			j := bt.rng.IntN(i + 1)
			bt.perm[i], bt.perm[j] = bt.perm[j], bt.perm[i]
		}
	}
	bt.pos, bt.running = 0, true
}

// BalancedClassWeights returns the weights n/(2·n_c) for purchase classes 0 and 1, which give both
// classes the same total weight (scikit-learn's "balanced"). It returns an error when a class is absent.
func BalancedClassWeights(d *Dataset) ([]float64, error) {
	var n [2]int
	for i := range d.Sessions {
		n[classOf(&d.Sessions[i])]++
	}
	if n[0] == 0 || n[1] == 0 {
		return nil, fmt.Errorf("dataset %q: balanced class weights need both classes, have %d negatives and %d positives", d.Schema.Name, n[0], n[1])
	}
	total := float64(n[0] + n[1])
	return []float64{total / (2 * float64(n[0])), total / (2 * float64(n[1]))}, nil
}
