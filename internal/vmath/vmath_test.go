package vmath

import (
	"fmt"
	"math"
	"testing"
)

// The float32 kernels are checked against the math package's float64 functions rounded to float32 (math.Exp
// and math.Tanh are accurate to about 1 ULP of float64, so rounding them gives the correctly rounded float32
// value except in rare ties): every result must be within 1 ULP of it, over every float32 exponent from
// 2^−149 to the largest finite value, both signs, plus the special values.

// ulps is the distance between a and b in units in the last place of float32 (0 when both are NaN).
func ulps(a, b float32) int64 {
	if math.IsNaN(float64(a)) || math.IsNaN(float64(b)) {
		if math.IsNaN(float64(a)) && math.IsNaN(float64(b)) {
			return 0
		}
		return math.MaxInt64
	}
	key := func(f float32) int64 { // monotone map of float32 onto integers, −0 and +0 equal
		i := int64(int32(math.Float32bits(f)))
		if i < 0 {
			return math.MinInt32 - i
		}
		return i
	}
	d := key(a) - key(b)
	if d < 0 {
		return -d
	}
	return d
}

// sweep returns float32 values covering every binade in [2^−149, MaxFloat32] of both signs (several
// values per binade, including its ends) and a fine uniform grid over [−lim, lim].
func sweep(lim float32) []float32 {
	var xs []float32
	for e := -149; e <= 127; e++ {
		for _, m := range []float64{1, 1.0625, 1.25, 1.4142135, 1.5, 1.75, 1.9999999} {
			v := float32(math.Ldexp(m, e))
			if math.IsInf(float64(v), 0) {
				continue
			}
			xs = append(xs, v, -v)
		}
	}
	const n = 200000
	for i := 0; i <= n; i++ {
		xs = append(xs, -lim+2*lim*float32(i)/n)
	}
	return append(xs, 0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32,
		88.72283, 88.72284, -87.33654, -87.33655, -103.27893, -103.97208, -104)
}

// TestFloat32Kernels checks the kernels as this CPU runs them and, where that is the AVX2 bodies, the Go
// loops on their own too (the loops that every other CPU and the tails run).
func TestFloat32Kernels(t *testing.T) {
	withAVX2 := useAVX2
	defer func() { useAVX2 = withAVX2 }()
	modes := []bool{false}
	if withAVX2 {
		modes = append(modes, true)
	}
	for _, avx := range modes {
		useAVX2 = avx
		t.Run(fmt.Sprintf("avx2=%v", avx), testFloat32Kernels)
	}
}

func testFloat32Kernels(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(dst, x []float32)
		ref  func(float64) float64
		lim  float32
	}{
		{"Exp32", Exp32, math.Exp, 110},
		{"Sigmoid32", Sigmoid32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 110},
		{"Tanh32", Tanh32, math.Tanh, 12},
	} {
		xs := sweep(c.lim)
		got := make([]float32, len(xs))
		c.f(got, xs)
		worst, at := int64(0), float32(0)
		for i, x := range xs {
			want := float32(c.ref(float64(x)))
			if d := ulps(got[i], want); d > worst {
				worst, at = d, x
			}
		}
		if worst > 1 {
			t.Errorf("%s: %d ULP from math at x = %v (got %v, want %v)", c.name, worst, at,
				got[indexOf(xs, at)], float32(c.ref(float64(at))))
		}
	}
}

func indexOf(xs []float32, x float32) int {
	for i, v := range xs {
		if v == x || (v != v && x != x) {
			return i
		}
	}
	return -1
}

func TestSpecialValues(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	for _, c := range []struct {
		name    string
		f32     func(dst, x []float32)
		f64     func(dst, x []float64)
		in, out []float32
	}{
		{"Exp", Exp32, Exp64, []float32{nan, inf, -inf, 0, 89, -104, -1000}, []float32{nan, inf, 0, 1, inf, 0, 0}},
		{"Sigmoid", Sigmoid32, Sigmoid64, []float32{nan, inf, -inf, 0, 1000, -1000}, []float32{nan, 1, 0, 0.5, 1, 0}},
		{"Tanh", Tanh32, Tanh64, []float32{nan, inf, -inf, 0, negZero, 1000, -1000}, []float32{nan, 1, -1, 0, negZero, 1, -1}},
	} {
		got := make([]float32, len(c.in))
		c.f32(got, c.in)
		in64, got64 := make([]float64, len(c.in)), make([]float64, len(c.in))
		for i, v := range c.in {
			in64[i] = float64(v)
		}
		c.f64(got64, in64)
		for i, want := range c.out {
			sameSign := func(g float32) bool { return want != want || math.Signbit(float64(g)) == math.Signbit(float64(want)) }
			if ulps(got[i], want) != 0 || !sameSign(got[i]) {
				t.Errorf("%s32(%v) = %v, want %v", c.name, c.in[i], got[i], want)
			}
			if g := float32(got64[i]); ulps(g, want) != 0 || !sameSign(g) {
				t.Errorf("%s64(%v) = %v, want %v", c.name, c.in[i], got64[i], want)
			}
		}
	}
}

func TestInPlaceAndLengths(t *testing.T) {
	x := []float32{-1, 0, 2}
	want := make([]float32, 3)
	Sigmoid32(want, x)
	Sigmoid32(x, x)
	for i := range x {
		if x[i] != want[i] {
			t.Fatalf("in place: %v, want %v", x, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Exp32 with a short dst did not panic")
		}
	}()
	Exp32(make([]float32, 2), x)
}

var sink []float32

func benchmark32(b *testing.B, f func(dst, x []float32)) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(i-2048) / 256
	}
	dst := make([]float32, len(x))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		f(dst, x)
	}
	sink = dst
}

// mathSigmoid32 is the per-element float64 math.Exp sigmoid that the kernels replace.
func mathSigmoid32(dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

func mathTanh32(dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

func BenchmarkExp32(b *testing.B)         { benchmark32(b, Exp32) }
func BenchmarkSigmoid32(b *testing.B)     { benchmark32(b, Sigmoid32) }
func BenchmarkTanh32(b *testing.B)        { benchmark32(b, Tanh32) }
func BenchmarkMathSigmoid32(b *testing.B) { benchmark32(b, mathSigmoid32) }
func BenchmarkMathTanh32(b *testing.B)    { benchmark32(b, mathTanh32) }
