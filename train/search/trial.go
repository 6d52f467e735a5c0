package search

import (
	"math"
	"time"
)

// Values holds one trial's parameters by name. Numbers are float64 (integer parameters hold whole
// numbers); a categorical parameter holds its choice as decoded from JSON (float64, string, bool,
// []any, map[string]any or nil).
type Values map[string]any

// State is where a trial is in its life.
type State string

// Trial states.
const (
	Running  State = "running"  // started and not finished (or its process died: a resume re-runs it)
	Complete State = "complete" // trained to the end; Score is final
	Pruned   State = "pruned"   // stopped early by the pruner; Score is its last intermediate value
	Failed   State = "failed"   // returned an error (Err); it has no score
)

// Trial is one training run of a study. Scores are validation scores to maximise (ROC-AUC by
// default): a study that minimises stores them negated.
type Trial struct {
	Number int    // 0-based, in the order trials were started
	Params Values // what the sampler proposed
	Seed   uint64 // the training seed of the trial
	State  State
	// Intermediate holds the validation score after each epoch: Intermediate[e-1] is epoch e's.
	Intermediate []float64
	Score        float64 // Complete: the run's best validation score; Pruned: its last value; otherwise NaN
	Err          string  // Failed: why
	Started      time.Time
	Finished     time.Time // zero while running
}

// Best is the highest intermediate value so far, or NaN when there is none.
func (t *Trial) Best() float64 {
	best := math.NaN()
	for _, v := range t.Intermediate {
		if math.IsNaN(best) || v > best {
			best = v
		}
	}
	return best
}
