package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// operand returns a random rows×cols matrix with leading dimension ld ≥ cols; the padding holds NaN,
// which any read of it would carry into C.
func operand(rng *rand.Rand, rows, cols, ld int) []float32 {
	x := make([]float32, max(0, (rows-1)*ld+cols))
	for i := range x {
		if i%ld < cols {
			x[i] = float32(2*rng.Float64() - 1)
		} else {
			x[i] = float32(math.NaN())
		}
	}
	return x
}

// reference computes C = alpha·op(A)·op(B) + beta·C by the textbook triple loop in float64, and for each
// element the bound on a float32 result's error: with unit roundoff u = 2⁻²⁴, a float32 sum of k
// products is within about k·u·Σ|a·b| of the exact one (Higham, Accuracy and Stability of Numerical
// Algorithms, §3.1); we allow (k+2)·u·(|alpha|·Σ|a·b| + |beta·c|) to cover the scaling and the add.
func reference(aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, bound []float64) {
	const u = 1.0 / (1 << 24)
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if aTrans {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if bTrans {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			s *= float64(alpha)
			abs *= math.Abs(float64(alpha))
			if beta != 0 {
				s += float64(beta) * float64(c[i*ldc+j])
				abs += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j] = s
			bound[i*n+j] = float64(k+2)*u*abs + 1e-30
		}
	}
	return want, bound
}

type shape struct{ m, n, k int }

// shapes cover 1×1×1, sizes below, at and above the tiles of every kernel (4×4, 6×16, 12×32), odd
// sizes, k beyond the blocking kc = 256, and a product large enough to run on several goroutines.
var shapes = []shape{
	{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {3, 3, 1}, {4, 4, 4}, {6, 16, 8}, {12, 32, 5}, {13, 33, 17},
	{37, 53, 29}, {24, 64, 300}, {7, 100, 513}, {64, 31, 64}, {256, 512, 128},
}

func TestSgemm(t *testing.T) {
	for _, kern := range kernels() {
		t.Run(kern.name, func(t *testing.T) { testKernel(t, kern, shapes) })
	}
}

// TestSgemmManyGoroutines splits products into more blocks than this machine has cores, so that row
// and column splits both happen.
func TestSgemmManyGoroutines(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(7))
	for _, kern := range kernels() {
		t.Run(kern.name, func(t *testing.T) {
			testKernel(t, kern, []shape{{130, 300, 40}, {30, 700, 50}, {300, 40, 60}})
		})
	}
}

func testKernel(t *testing.T, kern *microKernel, shapes []shape) {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := []struct{ alpha, beta float32 }{{1, 0}, {-0.5, 1}, {1.5, -2}, {0, 0.5}, {0, 0}}
	for _, s := range shapes {
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for si, sc := range scalars {
					if s.m*s.n*s.k > 1<<20 && si > 1 {
						continue // big products: two scalar pairs are enough
					}
					name := fmt.Sprintf("%dx%dx%d/%c%c/alpha=%g,beta=%g", s.m, s.n, s.k, tA, tB, sc.alpha, sc.beta)
					checkProduct(t, name, kern, rng, tA, tB, s, sc.alpha, sc.beta)
				}
			}
		}
	}
}

// checkProduct runs one product with leading dimensions wider than the matrices and compares it with
// the reference; with beta = 0, C starts as NaN and must be overwritten.
func checkProduct(t *testing.T, name string, kern *microKernel, rng *rand.Rand, tA, tB blas.Transpose, s shape, alpha, beta float32) {
	t.Helper()
	aTrans, bTrans := tA == blas.Trans, tB == blas.Trans
	ar, ac := s.m, s.k
	if aTrans {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if bTrans {
		br, bc = s.n, s.k
	}
	lda, ldb, ldc := ac+3, bc+1, s.n+5
	a, b := operand(rng, ar, ac, lda), operand(rng, br, bc, ldb)
	c := operand(rng, s.m, s.n, ldc)
	if beta == 0 {
		for i := 0; i < s.m; i++ {
			for j := 0; j < s.n; j++ {
				c[i*ldc+j] = float32(math.NaN())
			}
		}
	}
	want, bound := reference(aTrans, bTrans, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, c, ldc)
	sgemmWith(kern, tA, tB, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, c, ldc)
	bad := 0
	for i := 0; i < s.m; i++ {
		for j := 0; j < s.n; j++ {
			got := float64(c[i*ldc+j])
			if d := math.Abs(got - want[i*s.n+j]); !(d <= bound[i*s.n+j]) {
				if bad++; bad <= 3 {
					t.Errorf("%s %s: C[%d][%d] = %g, want %g ± %.2g", kern.name, name, i, j, got, want[i*s.n+j], bound[i*s.n+j])
				}
			}
		}
		for j := s.n; j < ldc && i < s.m-1; j++ {
			if !math.IsNaN(float64(c[i*ldc+j])) {
				t.Fatalf("%s %s: wrote C[%d][%d], past n = %d", kern.name, name, i, j, s.n)
			}
		}
	}
}

// TestSgemmPanics checks that bad arguments panic with gonum's messages.
func TestSgemmPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 12)
	cases := []struct {
		name       string
		tA, tB     blas.Transpose
		m, n, k    int
		lda, ldb   int
		ldc        int
		a, b, cBuf []float32
	}{
		{"transpose", 'X', blas.NoTrans, 2, 2, 2, 2, 2, 2, a, b, c},
		{"m<0", blas.NoTrans, blas.NoTrans, -1, 2, 2, 2, 2, 2, a, b, c},
		{"n<0", blas.NoTrans, blas.NoTrans, 2, -1, 2, 2, 2, 2, a, b, c},
		{"k<0", blas.NoTrans, blas.NoTrans, 2, 2, -1, 2, 2, 2, a, b, c},
		{"lda", blas.NoTrans, blas.NoTrans, 2, 2, 3, 2, 2, 2, a, b, c},
		{"ldaT", blas.Trans, blas.NoTrans, 3, 2, 2, 2, 2, 2, a, b, c},
		{"ldb", blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 2, 3, a, b, c},
		{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 3, 2, a, b, c},
		{"shortA", blas.NoTrans, blas.NoTrans, 4, 2, 4, 4, 2, 2, a, b, c},
		{"shortB", blas.NoTrans, blas.Trans, 2, 4, 4, 4, 4, 4, a, b, c},
		{"shortC", blas.NoTrans, blas.NoTrans, 4, 4, 1, 1, 4, 4, a, b, c},
	}
	for _, tc := range cases {
		want := panicOf(func() {
			gonum.Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.cBuf, tc.ldc)
		})
		got := panicOf(func() {
			Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.cBuf, tc.ldc)
		})
		if want == nil || got != want {
			t.Errorf("%s: panic %v, gonum's %v", tc.name, got, want)
		}
	}
}

func panicOf(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}

// TestImplementation checks that the BLAS type's Sgemm is this package's, not gonum's, and that its
// other methods are gonum's.
func TestImplementation(t *testing.T) {
	var impl blas.Float32 = Implementation{}
	a := []float32{1, 2, 3, 4}
	c := []float32{float32(math.NaN()), 0, 0, 0}
	impl.Sgemm(blas.NoTrans, blas.Trans, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2)
	if want := []float32{5, 11, 11, 25}; fmt.Sprint(c) != fmt.Sprint(want) { // A·Aᵀ by hand
		t.Errorf("A·Aᵀ = %v, want %v", c, want)
	}
	if got := impl.Sdot(2, a, 1, a, 1); got != 5 {
		t.Errorf("Sdot = %v, want 5", got)
	}
}

func TestKernelName(t *testing.T) {
	if got, want := Kernel(), kernels()[0].label; got != want {
		t.Errorf("Kernel() = %q, want %q", got, want)
	}
}

// TestSgemmShapeIndependent checks that an entry of C does not depend on the shape it is computed in:
// the top-left m×n block of a larger product is bit for bit the smaller product, for beta 0 and 1.
// Layers rely on it: a padded sequence must give the same numbers at its real positions.
func TestSgemmShapeIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k, bigM, bigN = 5, 7, 300, 40, 90
	for _, kern := range kernels() {
		for _, beta := range []float32{0, 1} {
			a, b := operand(rng, bigM, k, k), operand(rng, k, bigN, bigN)
			c0 := operand(rng, bigM, bigN, bigN)
			big := append([]float32(nil), c0...)
			sgemmWith(kern, blas.NoTrans, blas.NoTrans, bigM, bigN, k, 1, a, k, b, bigN, beta, big, bigN)
			small := append([]float32(nil), c0...)
			sgemmWith(kern, blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, bigN, beta, small, bigN)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					if small[i*bigN+j] != big[i*bigN+j] {
						t.Fatalf("%s beta=%g: C[%d][%d] = %g in %d×%d, %g in %d×%d", kern.name, beta, i, j, small[i*bigN+j], m, n, big[i*bigN+j], bigM, bigN)
					}
				}
			}
		}
	}
}
