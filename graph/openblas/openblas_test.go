//go:build openblas

package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// TestSgemmSplit checks the split Sgemm against a float64 reference computed here from the definition,
// for every transpose pair, products split by rows (m ≥ n) and by columns, padded leading dimensions and
// beta ≠ 0, at GOMAXPROCS 1 (one call) and 3 (uneven parts): |got − want| ≤ 1e-4·(1 + |want|), float32
// rounding over k ≤ 300 terms of size ≤ 1; the padding of C's rows is left as it was.
func TestSgemmSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.Float64()*2 - 1)
		}
		return v
	}
	for _, procs := range []int{1, 3} {
		runtime.GOMAXPROCS(procs)
		for _, s := range []struct{ m, n, k int }{{301, 40, 300}, {40, 301, 300}, {7, 5, 3}} {
			for _, tr := range [][2]blas.Transpose{{blas.NoTrans, blas.NoTrans}, {blas.Trans, blas.NoTrans}, {blas.NoTrans, blas.Trans}, {blas.Trans, blas.Trans}} {
				name := fmt.Sprintf("procs=%d %dx%dx%d trans=%c%c", procs, s.m, s.n, s.k, tr[0], tr[1])
				ar, ac := s.m, s.k
				if tr[0] != blas.NoTrans {
					ar, ac = s.k, s.m
				}
				br, bc := s.k, s.n
				if tr[1] != blas.NoTrans {
					br, bc = s.n, s.k
				}
				lda, ldb, ldc := ac+3, bc+1, s.n+2
				a, b, c := fill(ar*lda), fill(br*ldb), fill(s.m*ldc)
				at := func(x []float32, ld int, trans blas.Transpose, i, j int) float64 {
					if trans != blas.NoTrans {
						i, j = j, i
					}
					return float64(x[i*ld+j])
				}
				want := make([]float64, len(c))
				for i := range s.m {
					for j := range s.n {
						var sum float64
						for p := range s.k {
							sum += at(a, lda, tr[0], i, p) * at(b, ldb, tr[1], p, j)
						}
						want[i*ldc+j] = 0.5*sum + 0.25*float64(c[i*ldc+j])
					}
				}
				before := append([]float32(nil), c...)
				Implementation{}.Sgemm(tr[0], tr[1], s.m, s.n, s.k, 0.5, a, lda, b, ldb, 0.25, c, ldc)
				for i := range s.m {
					for j := range ldc {
						got, w := float64(c[i*ldc+j]), want[i*ldc+j]
						if j >= s.n { // padding: not part of C, so left as it was
							if c[i*ldc+j] != before[i*ldc+j] {
								t.Fatalf("%s: padding C[%d, %d] changed from %g to %g", name, i, j, before[i*ldc+j], got)
							}
							continue
						}
						if math.Abs(got-w) > 1e-4*(1+math.Abs(w)) {
							t.Fatalf("%s: C[%d, %d] = %g, want %g", name, i, j, got, w)
						}
					}
				}
			}
		}
	}
}
