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
	Numeric                  *gorgonia.Node   // (B, N) static numeric features; nil when N = 0
	Categorical              []*gorgonia.Node // C inputs of (B) int codes, in schema order
	Labels                   *gorgonia.Node   // (B, K) one 0/1 label per schema task
	Weights                  *gorgonia.Node   // (B) per-row weight; 0 for padding rows

	colBuf []int // scratch for one categorical column
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
