// Package vmath holds element-wise kernels over slices — the exponential, the logistic sigmoid and the
// hyperbolic tangent — for the custom Gorgonia ops of intentlab's layers.
//
// Each function writes f(x[i]) to dst[i] for every i. dst and x must have the same length (the functions
// panic otherwise, a programming mistake); dst may be x itself, for an in-place update, but must not
// otherwise overlap it.
//
// The float32 kernels (Exp32, Sigmoid32, Tanh32) are written for speed without giving up accuracy: each
// result is within 1 ULP of the correctly rounded float32 value (the tests compare against math.Exp and
// math.Tanh over the whole float32 range). They reduce the argument by powers of two and evaluate a
// degree-10 polynomial in float64, so the only float32 rounding is the last one; with no table
// look-ups and no calls in the loop, Sigmoid32 takes about half the time of a float64 math.Exp per element
// and Tanh32 about a tenth of math.Tanh's (go test -bench . ./internal/vmath, 2 cores).
//
// The float64 kernels (Exp64, Sigmoid64, Tanh64) call the math package per element: they are for
// gradient checks and reference runs, where accuracy matters more than speed.
//
// Special values, for both widths: NaN gives NaN. Exp: +Inf → +Inf, −Inf → +0, and results beyond the
// type's range overflow to +Inf or underflow to 0 (through the subnormals). Sigmoid: +Inf → 1, −Inf → 0.
// Tanh: ±Inf → ±1, and −0 → −0.
package vmath
