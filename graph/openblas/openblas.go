//go:build openblas

package openblas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int num_threads);
import "C"

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// OpenBLAS runs single-threaded in this build: Implementation's products spread over GOMAXPROCS
// goroutines instead. OpenBLAS's own worker threads spin (sched_yield) for a long while after every
// multi-threaded call (THREAD_TIMEOUT, 2²⁸ cycles by default), taking a core from the Go code that runs
// between the products; on the 2-core machine of the issue that spinning was a third of a training
// step's CPU time. OPENBLAS_NUM_THREADS has no effect here; GOMAXPROCS bounds the threads.
func init() { C.openblas_set_num_threads(1) }

// minSplitFlops is the smallest product, in multiply-adds, that Sgemm spreads over goroutines: 2¹⁸, the
// size below which OpenBLAS itself stays on one thread (SMP_THRESHOLD_MIN × GEMM_MULTITHREAD_THRESHOLD).
const minSplitFlops = 1 << 18

// Implementation is OpenBLAS through gonum's cgo bindings, with Sgemm split over GOMAXPROCS goroutines;
// its zero value is ready to use.
type Implementation struct {
	netlib.Implementation
}

var _ blas.Float32 = Implementation{}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C as netlib's Sgemm does, in blocks of rows of C (or of
// columns, when C is wider than tall), one single-threaded OpenBLAS call per goroutine. Each element of
// C comes from one call over the whole inner dimension.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	parts := min(runtime.GOMAXPROCS(0), max(m, n), m*n*k/minSplitFlops)
	if parts <= 1 || m < 0 || n < 0 || k < 0 {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var wg sync.WaitGroup
	part := func(lo, hi int, f func(lo, hi int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	if m >= n {
		// Rows [lo, hi) of C: rows of op(A), which are rows of A or, transposed, its columns.
		for w := range parts {
			part(w*m/parts, (w+1)*m/parts, func(lo, hi int) {
				off := lo * lda
				if tA != blas.NoTrans {
					off = lo
				}
				impl.Implementation.Sgemm(tA, tB, hi-lo, n, k, alpha, a[off:], lda, b, ldb, beta, c[lo*ldc:], ldc)
			})
		}
	} else {
		// Columns [lo, hi) of C: columns of op(B), which are columns of B or, transposed, its rows.
		for w := range parts {
			part(w*n/parts, (w+1)*n/parts, func(lo, hi int) {
				off := lo
				if tB != blas.NoTrans {
					off = lo * ldb
				}
				impl.Implementation.Sgemm(tA, tB, m, hi-lo, k, alpha, a, lda, b[off:], ldb, beta, c[lo:], ldc)
			})
		}
	}
	wg.Wait()
}
