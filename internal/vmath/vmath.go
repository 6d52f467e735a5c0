package vmath

import "math"

const (
	log2e = 1.44269504088896340735992468100189214 // 1/ln 2
	ln2Hi = 6.93147180369123816490e-01            // ln 2, high part: n·ln2Hi is exact for |n| < 2^11
	ln2Lo = 1.90821492927058770002e-10            // ln 2 − ln2Hi

	roundMagic = 0x1.8p52 // adding and subtracting it rounds a float64 below 2^51 in magnitude to an integer

	// Arguments are clamped to [minArg, maxArg] before reduction, so that 2^n stays a normal float64:
	// exp(maxArg) overflows float32 and exp(minArg) underflows it, so for float32 results the clamp
	// changes nothing.
	minArg = -708.0
	maxArg = 709.0
)

// The float32 kernels share one body (written out in each loop, as the compiler would not inline it):
// with x = n·ln 2 + r, |r| ≤ ln 2 / 2 (up to rounding), it computes s = 2^n and p = e^r − 1, so that
// e^x = s + s·p and e^x − 1 = s·p + (s − 1), both without cancellation. x must lie in [minArg, maxArg] or
// be NaN (then p is NaN). p is the Taylor series of e^r − 1 to degree 10, evaluated by Estrin's scheme
// (independent pieces, so the products overlap rather than wait on one another as in Horner's rule); its
// truncation error is below 2·10⁻¹³ relative to p, far below float32's rounding.

// clamp returns x limited to [minArg, maxArg]; NaN stays NaN.
func clamp(x float64) float64 {
	if x > maxArg {
		return maxArg
	}
	if x < minArg {
		return minArg
	}
	return x
}

func check[F float32 | float64](dst, x []F) {
	if len(dst) != len(x) {
		panic("vmath: dst and x have different lengths")
	}
}

// Exp32 sets dst[i] = e^x[i].
func Exp32(dst, x []float32) {
	check(dst, x)
	done := blocks(exp32AVX2, dst, x)
	dst = dst[done:]
	for i, v := range x[done:] {
		x := clamp(float64(v))
		k := x*log2e + roundMagic // x/ln 2 rounded to the integer n, held in k's low mantissa bits
		n := k - roundMagic
		r := (x - n*ln2Hi) - n*ln2Lo
		r2 := r * r
		r4 := r2 * r2
		p := r * ((1 + r*(1.0/2) + r2*(1.0/6+r*(1.0/24))) +
			(r4*((1.0/120+r*(1.0/720))+r2*(1.0/5040+r*(1.0/40320))) + r4*r4*(1.0/362880+r*(1.0/3628800))))
		s := math.Float64frombits(uint64(int64(n)+1023) << 52)
		dst[i] = float32(s + s*p) // e^v rounded once
	}
}

// Sigmoid32 sets dst[i] = 1/(1 + e^−x[i]).
func Sigmoid32(dst, x []float32) {
	check(dst, x)
	done := blocks(sigmoid32AVX2, dst, x)
	dst = dst[done:]
	for i, v := range x[done:] {
		x := clamp(-float64(v))
		k := x*log2e + roundMagic // x/ln 2 rounded to the integer n, held in k's low mantissa bits
		n := k - roundMagic
		r := (x - n*ln2Hi) - n*ln2Lo
		r2 := r * r
		r4 := r2 * r2
		p := r * ((1 + r*(1.0/2) + r2*(1.0/6+r*(1.0/24))) +
			(r4*((1.0/120+r*(1.0/720))+r2*(1.0/5040+r*(1.0/40320))) + r4*r4*(1.0/362880+r*(1.0/3628800))))
		s := math.Float64frombits(uint64(int64(n)+1023) << 52)
		dst[i] = float32(1 / (1 + (s + s*p))) // 1/(1 + e^−v) rounded once
	}
}

// Tanh32 sets dst[i] = tanh x[i].
func Tanh32(dst, x []float32) {
	check(dst, x)
	done := blocks(tanh32AVX2, dst, x)
	dst = dst[done:]
	for i, v := range x[done:] {
		// tanh v = sign(v)·m/(m + 2) with m = e^{2|v|} − 1. For |v| ≥ 20, tanh v rounds to ±1 in
		// float32, and the clamp keeps m finite.
		x := 2 * min(math.Abs(float64(v)), 20)
		k := x*log2e + roundMagic // x/ln 2 rounded to the integer n, held in k's low mantissa bits
		n := k - roundMagic
		r := (x - n*ln2Hi) - n*ln2Lo
		r2 := r * r
		r4 := r2 * r2
		p := r * ((1 + r*(1.0/2) + r2*(1.0/6+r*(1.0/24))) +
			(r4*((1.0/120+r*(1.0/720))+r2*(1.0/5040+r*(1.0/40320))) + r4*r4*(1.0/362880+r*(1.0/3628800))))
		s := math.Float64frombits(uint64(int64(n)+1023) << 52)
		m := s*p + (s - 1)
		dst[i] = float32(math.Copysign(m/(m+2), float64(v)))
	}
}

// Exp64 sets dst[i] = math.Exp(x[i]).
func Exp64(dst, x []float64) {
	check(dst, x)
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}

// Sigmoid64 sets dst[i] = 1/(1 + e^−x[i]), computed as 1/(1 + math.Exp(−x[i])) (relative error of a few
// ULP over the whole range: e^−x has no cancellation, and for x → −∞ the sum overflows to +Inf and the
// result to 0).
func Sigmoid64(dst, x []float64) {
	check(dst, x)
	for i, v := range x {
		dst[i] = 1 / (1 + math.Exp(-v))
	}
}

// Tanh64 sets dst[i] = math.Tanh(x[i]).
func Tanh64(dst, x []float64) {
	check(dst, x)
	for i, v := range x {
		dst[i] = math.Tanh(v)
	}
}
