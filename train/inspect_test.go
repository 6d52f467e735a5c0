package train

import (
	"math"
	"testing"
)

// TestInspectAttention reads a trained Transformer's attention weights back for 5 test sessions: every
// query's weights over the keys sum to 1, padded keys get exactly 0, and the probabilities equal
// those the run wrote (same weights, same evaluation graph, another batch size).
func TestInspectAttention(t *testing.T) {
	res, sr, sp := trainAndOpen(t, tinyExperiment("transformer", `{"dim":16,"heads":2,"blocks":1}`, 1))
	ins, err := sr.Inspect(sp.Test.Subset([]int{0, 1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if d := math.Abs(ins.Probs[0][i] - res.Test[0][i]); d > 1e-6 {
			t.Errorf("session %d: inspect %v, run %v", i, ins.Probs[0][i], res.Test[0][i])
		}
	}
	w, ok := ins.Internals["attention.block0"]
	if !ok {
		t.Fatalf("no attention.block0 in %v", ins.Internals)
	}
	T := ins.Batch.MaxLen
	if want := []int{5 * 2, T, T}; len(w.Shape) != 3 || w.Shape[0] != want[0] || w.Shape[1] != T || w.Shape[2] != T {
		t.Fatalf("attention shape %v, want %v", w.Shape, want)
	}
	for bh := range w.Shape[0] {
		r := bh / 2 // (B·Heads): session-major
		n := ins.Batch.Lengths[r]
		for q := range n {
			row := w.Values[(bh*T+q)*T : (bh*T+q+1)*T]
			sum := 0.0
			for k, v := range row {
				if k >= n && v != 0 {
					t.Fatalf("session %d head %d query %d: padded key %d has weight %v", r, bh%2, q, k, v)
				}
				sum += v
			}
			if math.Abs(sum-1) > 1e-5 {
				t.Fatalf("session %d head %d query %d: weights sum to %v", r, bh%2, q, sum)
			}
		}
	}
}
