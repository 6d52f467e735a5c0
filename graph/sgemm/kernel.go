package sgemm

// microKernel computes one mr×nr tile of C from a packed panel of A (mr values per step of k) and one of
// B (nr values per step): C = Σ_p a[p]ᵀ·b[p] + beta·C, not reading C when beta = 0. C is c[i*ldc+j].
type microKernel struct {
	name   string // short, for test and benchmark names
	label  string // for reports
	mr, nr int
	run    func(k int, a, b, c []float32, ldc int, beta float32)
}

// kernel is the micro-kernel Sgemm uses, the fastest in kernels.
var kernel = kernels()[0]

// Kernel names the micro-kernel chosen for this CPU, for reports: "AVX-512", "AVX2+FMA" or "portable Go".
func Kernel() string { return kernel.label }

var generic = &microKernel{name: "generic", label: "portable Go", mr: 4, nr: 4, run: generic4x4}

// generic4x4 is the portable micro-kernel, a 4×4 tile in sixteen scalars.
func generic4x4(k int, a, b, c []float32, ldc int, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	a, b = a[:4*k], b[:4*k]
	for p := 0; p < k; p++ {
		ap, bp := a[4*p:4*p+4], b[4*p:4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store4(c[0:4], beta, c00, c01, c02, c03)
	store4(c[ldc:ldc+4], beta, c10, c11, c12, c13)
	store4(c[2*ldc:2*ldc+4], beta, c20, c21, c22, c23)
	store4(c[3*ldc:3*ldc+4], beta, c30, c31, c32, c33)
}

// store4 writes v + beta·c into c[0:4], or v when beta = 0.
func store4(c []float32, beta, v0, v1, v2, v3 float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = v0, v1, v2, v3
		return
	}
	c[0] = v0 + beta*c[0]
	c[1] = v1 + beta*c[1]
	c[2] = v2 + beta*c[2]
	c[3] = v3 + beta*c[3]
}
