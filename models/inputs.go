package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// Input names in every graph a model is built into.
const (
	InTypes       = "in.types"
	InItems       = "in.items"
	InCategories  = "in.categories"
	InDwell       = "in.dwell"
	InPrice       = "in.price"
	InMask        = "in.mask"
	InRepeats     = "in.repeats"
	InNumeric     = "in.numeric"
	InCategorical = "in.categorical" // one input per column: in.categorical.<name>
	InLabels      = "in.labels"
	InWeights     = "in.weights"
)

// Inputs are the input nodes of one graph, for batches of Batch rows and MaxLen event positions
// (datasets.Batch documents the layout). Nodes a model does not need are nil.
type Inputs struct {
	Batch, MaxLen int
	Schema        *datasets.Schema

	Types, Items, Categories *gorgonia.Node   // (B, T) int ids; PadID at padding; Items nil when the data has no items
	Dwell, Price, Mask       *gorgonia.Node   // (B, T) standardised values; mask 1 at a real event
	Repeats                  *gorgonia.Node   // (B, T, 2) repeat features of each event (see Repeats)
	Numeric                  *gorgonia.Node   // (B, N) static numeric features; nil when N = 0
	Categorical              []*gorgonia.Node // C inputs of (B) int codes, in schema order
	Labels                   *gorgonia.Node   // (B, K) one 0/1 label per schema task
	Weights                  *gorgonia.Node   // (B) per-row weight; 0 for padding rows

	colBuf    []int     // scratch for one categorical column
	repeatBuf []float64 // scratch for the repeat features
}

// NewInputs declares the inputs a model with needs reads, plus labels and weights, in b's graph.
func NewInputs(b *graph.Builder, s *datasets.Schema, needs Needs, batch, maxLen int) (*Inputs, error) {
	if batch <= 0 {
		return nil, fmt.Errorf("inputs: batch size must be positive, got %d", batch)
	}
	if needs.Sequence && (!s.HasSequence || maxLen <= 0) {
		return nil, fmt.Errorf("inputs: dataset %q: sequences need events and a positive max length (have %d)", s.Name, maxLen)
	}
	in := &Inputs{Batch: batch, MaxLen: maxLen, Schema: s}
	var err error
	ints := func(name string, shape ...int) *gorgonia.Node {
		var n *gorgonia.Node
		if err == nil {
			n, err = b.IntInput(name, shape...)
		}
		return n
	}
	floats := func(name string, shape ...int) *gorgonia.Node {
		var n *gorgonia.Node
		if err == nil {
			n, err = b.Input(name, shape...)
		}
		return n
	}
	if needs.Sequence {
		in.Types = ints(InTypes, batch, maxLen)
		if s.NumItems > 0 {
			in.Items = ints(InItems, batch, maxLen)
		}
		in.Categories = ints(InCategories, batch, maxLen)
		in.Dwell = floats(InDwell, batch, maxLen)
		in.Price = floats(InPrice, batch, maxLen)
		in.Mask = floats(InMask, batch, maxLen)
		in.Repeats = floats(InRepeats, batch, maxLen, 2)
		in.repeatBuf = make([]float64, batch*maxLen*2)
	}
	if needs.Static {
		if len(s.Numeric) > 0 {
			in.Numeric = floats(InNumeric, batch, len(s.Numeric))
		}
		for _, c := range s.Categorical {
			in.Categorical = append(in.Categorical, ints(graph.Join(InCategorical, c), batch))
		}
		in.colBuf = make([]int, batch)
	}
	in.Labels = floats(InLabels, batch, len(s.Tasks))
	in.Weights = floats(InWeights, batch)
	if err != nil {
		return nil, fmt.Errorf("inputs: %w", err)
	}
	return in, nil
}

// Feed copies a batch into the program's inputs. The batch must have the shape the inputs were
// declared with.
func (in *Inputs) Feed(p *graph.Program, bt *datasets.Batch) error {
	if bt.Size != in.Batch || (in.Types != nil && bt.MaxLen != in.MaxLen) {
		return fmt.Errorf("inputs: batch is (%d, %d), graph wants (%d, %d)", bt.Size, bt.MaxLen, in.Batch, in.MaxLen)
	}
	set := func(name string, vals []float64) error { return p.Set(name, vals) }
	var err error
	do := func(e error) {
		if err == nil {
			err = e
		}
	}
	if in.Types != nil {
		do(p.SetInts(InTypes, bt.Types))
		if in.Items != nil {
			do(p.SetInts(InItems, bt.Items))
		}
		do(p.SetInts(InCategories, bt.Categories))
		do(set(InDwell, bt.Dwell))
		do(set(InPrice, bt.Price))
		do(set(InMask, bt.Mask))
		Repeats(bt, in.repeatBuf)
		do(set(InRepeats, in.repeatBuf))
	}
	if in.Numeric != nil {
		do(set(InNumeric, bt.Numeric))
	}
	C := bt.NumCategorical
	for c, name := range in.Schema.Categorical {
		if c >= len(in.Categorical) {
			break
		}
		for r := range in.colBuf {
			in.colBuf[r] = bt.Categorical[r*C+c]
		}
		do(p.SetInts(graph.Join(InCategorical, name), in.colBuf))
	}
	do(set(InLabels, bt.Labels))
	do(set(InWeights, bt.Weights))
	if err != nil {
		return fmt.Errorf("inputs: %w", err)
	}
	return nil
}

// Repeats computes two features of every real event t of every row of a batch, from its ids alone:
// the fraction of the row's earlier events (s < t) in the same category, and the fraction with the
// same item,
//
//	out[b, t, 0] = #{s < t : cat_s = cat_t} / t,   out[b, t, 1] = #{s < t : item_s = item_t} / t
//
// (0 at t = 0, at padding, and for the unknown id, which matches nothing). out has B·T·2 elements.
// A visitor returning to one category or one product is focusing, and focus precedes buying; these
// ratios give every model that signal directly instead of leaving each to learn to count categories.
// They depend only on a session's own earlier events, so padding does not change them.
func Repeats(bt *datasets.Batch, out []float64) {
	T := bt.MaxLen
	clear(out)
	for r := 0; r < bt.Size; r++ {
		n := bt.Lengths[r]
		cats, items := bt.Categories[r*T:r*T+n], bt.Items[r*T:r*T+n]
		for t := 1; t < n; t++ {
			sameCat, sameItem := 0, 0
			for s := 0; s < t; s++ {
				if cats[s] == cats[t] && cats[t] > datasets.UnknownID {
					sameCat++
				}
				if items[s] == items[t] && items[t] > datasets.UnknownID {
					sameItem++
				}
			}
			k := (r*T + t) * 2
			out[k] = float64(sameCat) / float64(t)
			out[k+1] = float64(sameItem) / float64(t)
		}
	}
}
