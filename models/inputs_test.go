package models

import (
	"testing"

	"github.com/intentlab/intentlab/datasets"
)

// TestRepeats checks the repeat features against values worked out by hand for two rows of a batch
// with T = 5: categories 5 5 6 5 (items 9 9 9 1) and a single event.
func TestRepeats(t *testing.T) {
	bt := &datasets.Batch{
		Size: 2, MaxLen: 5,
		Categories: []int{5, 5, 6, 5, 0, 7, 0, 0, 0, 0},
		Items:      []int{9, 9, 9, 1, 0, 3, 0, 0, 0, 0},
		Lengths:    []int{4, 1},
	}
	out := make([]float64, 2*5*2)
	for i := range out {
		out[i] = -1 // Repeats must overwrite every element
	}
	Repeats(bt, out)
	want := []float64{
		0, 0, // t=0: nothing earlier
		1, 1, // t=1: category 5 seen 1 of 1 times before, item 9 1 of 1
		0, 1, // t=2: category 6 new; item 9 seen 2 of 2
		2.0 / 3, 0, // t=3: category 5 in 2 of 3 earlier; item 1 is the unknown id, matching nothing
		0, 0, // padding
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // second row: one event, then padding
	}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("repeats = %v\nwant      %v", out, want)
		}
	}
}
