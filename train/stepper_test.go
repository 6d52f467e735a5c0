package train

import (
	"strings"
	"testing"
)

// TestStepper: steps on one fixed batch fit it, so the loss of the last of 40 steps is below that of
// the first (Adam at 1e-2 on a logistic regression); a dataset without sessions is an error.
func TestStepper(t *testing.T) {
	d, err := BenchData(64, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewBenchModel("logreg", &d.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStepper(m, d, 32, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Batch.Rows != 32 {
		t.Fatalf("the stepper's batch has %d rows, want 32", st.Batch.Rows)
	}
	var first float64
	for i := range 40 {
		if err := st.Step(1e-2); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = st.Loss()
		}
	}
	t.Logf("loss %.4f after the first step, %.4f after the 40th", first, st.Loss())
	if last := st.Loss(); !(last < first) {
		t.Errorf("loss %v after 40 steps on one batch, %v after the first: it did not fall", last, first)
	}
	if _, err := NewStepper(m, nil, 32, 5); err == nil || !strings.Contains(err.Error(), "no sessions") {
		t.Errorf("NewStepper without data: error %v", err)
	}
}
