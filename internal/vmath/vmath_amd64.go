//go:build amd64 && !purego

package vmath

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 bodies of the float32 kernels (vmath_amd64.s) for whole blocks of four; the
// Go loops do the rest, and everything on CPUs without AVX2. Tests switch it off to compare the two.
var useAVX2 = cpu.X86.HasAVX2

// blocks runs the AVX2 body f on the longest prefix of x whose length is a multiple of 4 and returns
// that length, or 0 without AVX2.
func blocks(f func(dst, x []float32), dst, x []float32) int {
	if !useAVX2 {
		return 0
	}
	n := len(x) &^ 3
	f(dst[:n], x[:n])
	return n
}

// The AVX2 bodies: dst and x of one length, a multiple of 4.

//go:noescape
func exp32AVX2(dst, x []float32)

//go:noescape
func sigmoid32AVX2(dst, x []float32)

//go:noescape
func tanh32AVX2(dst, x []float32)
