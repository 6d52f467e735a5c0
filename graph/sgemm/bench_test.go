package sgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// sgemmFunc is a BLAS Sgemm, for benchmarks that compare implementations.
type sgemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// benchImpls are the implementations compared: this package's kernels on this CPU and gonum's Sgemm;
// the openblas build adds OpenBLAS.
var benchImpls = func() []struct {
	name string
	f    sgemmFunc
} {
	impls := []struct {
		name string
		f    sgemmFunc
	}{}
	for _, kern := range kernels() {
		impls = append(impls, struct {
			name string
			f    sgemmFunc
		}{kern.name, func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			sgemmWith(kern, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}})
	}
	return append(impls, struct {
		name string
		f    sgemmFunc
	}{"gonum", gonum.Implementation{}.Sgemm})
}()

// BenchmarkSgemm measures C = A·B at the shapes of training: (256×32)·(32×512) and (256×128)·(128×512)
// are LSTM gate products of a batch of 256, (256×64)·(64×256) a small dense layer, (12800×64)·(64×256)
// a position-wise layer over 256 sequences of 50, and 512³ a square reference:
//
//	go test -run '^$' -bench . ./graph/sgemm
//	go test -tags openblas -run '^$' -bench . ./graph/sgemm
//
// It reports GFLOP/s, counting 2·m·n·k floating-point operations per product.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range []shape{{256, 512, 32}, {256, 512, 128}, {256, 256, 64}, {12800, 256, 64}, {512, 512, 512}} {
		rng := rand.New(rand.NewPCG(1, 2))
		a, bm := operand(rng, s.m, s.k, s.k), operand(rng, s.k, s.n, s.n)
		c := make([]float32, s.m*s.n)
		for _, impl := range benchImpls {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.k, s.n, impl.name), func(b *testing.B) {
				start := time.Now()
				for b.Loop() {
					impl.f(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/time.Since(start).Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
