package train

import (
	"os"
	"runtime/debug"
)

// TrainingGCPercent is the garbage collector's target that TuneGC sets.
const TrainingGCPercent = 25

// TuneGC sets the garbage collector's target for a training process, unless the GOGC environment
// variable is set (then that wins). A training process's heap is mostly tensors that the compiled
// programs keep and reuse; with Go's default GOGC of 100 the little garbage of each step grows it to
// twice that before a collection (a Transformer step at batch 256: 467 MiB live, 980 MiB resident after
// 70 steps). 25 lets the heap grow only a quarter past the live heap before a collection (650 MiB
// resident in that run), at a cost of up to about 10% of a recurrent model's training speed. The
// intentlab and perfcompare commands call it first thing; a Go program that trains can do the same.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(TrainingGCPercent)
	}
}
