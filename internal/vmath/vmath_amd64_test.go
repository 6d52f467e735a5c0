//go:build amd64 && !purego

package vmath

import (
	"math"
	"testing"
)

// TestAVX2MatchesGo: the AVX2 bodies give bit for bit what the Go loops give (the same float64
// operations in the same order; at GOAMD64=v1 the compiler fuses none of them), over the sweep, the
// special values and every tail length from 0 to 9, in place and not.
func TestAVX2MatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	defer func() { useAVX2 = true }()
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	xs := append(sweep(120), nan, inf, -inf, float32(math.Copysign(0, -1)), 1000, -1000, 709, -708, 20, -20, 40)
	compare := func(name string, f func(dst, x []float32), x []float32) {
		useAVX2 = false
		want := make([]float32, len(x))
		f(want, x)
		useAVX2 = true
		got := make([]float32, len(x))
		f(got, x)
		inPlace := append([]float32(nil), x...)
		f(inPlace, inPlace)
		for i := range want {
			for _, g := range []float32{got[i], inPlace[i]} {
				if math.Float32bits(g) != math.Float32bits(want[i]) && !(g != g && want[i] != want[i]) {
					t.Fatalf("%s, length %d: f(%v) = %v (%#x) with AVX2, %v (%#x) in Go", name, len(x), x[i], g, math.Float32bits(g), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
	for _, c := range []struct {
		name string
		f    func(dst, x []float32)
	}{{"Exp32", Exp32}, {"Sigmoid32", Sigmoid32}, {"Tanh32", Tanh32}} {
		for n := 0; n <= 9; n++ { // every tail length mod 4, on the whole sweep and alone
			compare(c.name, c.f, xs[n:])
			compare(c.name, c.f, xs[:n])
		}
	}
}
