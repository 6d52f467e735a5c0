package train

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that TuneGC sets the collector's target when GOGC is unset and leaves it alone
// when the environment sets one (debug.SetGCPercent returns the target it replaces).
func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	t.Setenv("GOGC", "")
	TuneGC()
	if got := debug.SetGCPercent(100); got != TrainingGCPercent {
		t.Errorf("GOGC unset: target after TuneGC = %d, want %d", got, TrainingGCPercent)
	}

	t.Setenv("GOGC", "100")
	TuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=100: target after TuneGC = %d, want 100 (the environment wins)", got)
	}
}
