package metrics

import (
	"math"
	"testing"
)

// TestQuantile checks the interpolation against numpy.quantile's default ("linear"):
// numpy.Quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.975, 1]) = [1, 1.75, 2.5, 3.925, 4].
func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {0.975, 3.925}, {1, 4}} {
		if got := Quantile(x, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := Quantile([]float64{3}, 0.3); got != 3 {
		t.Errorf("quantile of one value = %v", got)
	}
}

// TestQuantileBadInput: no values, or a q outside [0, 1], is NaN.
func TestQuantileBadInput(t *testing.T) {
	for _, c := range []struct {
		xs []float64
		q  float64
	}{{nil, 0.5}, {[]float64{1, 2}, -0.1}, {[]float64{1, 2}, 1.5}, {[]float64{1, 2}, math.NaN()}} {
		if got := Quantile(c.xs, c.q); !math.IsNaN(got) {
			t.Errorf("Quantile(%v, %v) = %v, want NaN", c.xs, c.q, got)
		}
	}
}

// TestMedian: numpy.median([5, 1, 4, 2, 3]) = 3 and numpy.median([4, 1, 3, 2]) = 2.5; the input keeps
// its order.
func TestMedian(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if got := Median(xs); got != 3 {
		t.Errorf("Median(%v) = %v, want 3", xs, got)
	}
	if xs[0] != 5 {
		t.Errorf("Median sorted its input: %v", xs)
	}
	if got := Median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("Median of 4 values = %v, want 2.5", got)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median of no values is not NaN")
	}
}
