//go:build amd64 && !purego

package sgemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// kernels lists the micro-kernels this CPU can run, fastest first.
func kernels() []*microKernel {
	var ks []*microKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2)
	}
	return append(ks, generic)
}

var (
	avx512 = &microKernel{name: "avx512", label: "AVX-512", mr: 12, nr: 32, run: func(k int, a, b, c []float32, ldc int, beta float32) {
		checkTile(k, a, b, c, ldc, 12, 32)
		kernelAVX512(k, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, loads(beta), beta)
	}}
	avx2 = &microKernel{name: "avx2", label: "AVX2+FMA", mr: 6, nr: 16, run: func(k int, a, b, c []float32, ldc int, beta float32) {
		checkTile(k, a, b, c, ldc, 6, 16)
		kernelAVX2(k, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, loads(beta), beta)
	}}
)

// loads is 1 when the kernel must read C (beta ≠ 0), else 0.
func loads(beta float32) int {
	if beta == 0 {
		return 0
	}
	return 1
}

// checkTile panics unless the slices hold what an mr×nr kernel reads and writes: the assembly does no
// bounds checks of its own.
func checkTile(k int, a, b, c []float32, ldc, mr, nr int) {
	if k < 1 || len(a) < mr*k || len(b) < nr*k || ldc < nr || len(c) < (mr-1)*ldc+nr {
		panic("sgemm: micro-kernel called with short slices")
	}
}

// kernelAVX512 computes a 12×32 tile of C (row stride ldc) from k steps of packed A (12 values a step)
// and B (32 values a step), adding beta·C when load ≠ 0. It needs AVX-512F and k ≥ 1.
//
//go:noescape
func kernelAVX512(k int, a, b, c *float32, ldc, load int, beta float32)

// kernelAVX2 is the same for a 6×16 tile. It needs AVX2 and FMA and k ≥ 1.
//
//go:noescape
func kernelAVX2(k int, a, b, c *float32, ldc, load int, beta float32)
