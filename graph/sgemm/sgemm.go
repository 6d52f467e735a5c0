package sgemm

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// Panic strings of the argument checks, the same as gonum's (gonum.org/v1/gonum/blas/gonum/errors.go).
const (
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badTranspose = "blas: illegal transpose"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Cache blocking: a packed block of op(A) is at most mcMax×kc and one of op(B) kc×ncMax (rounded up to
// whole panels). kc×NR of B (32 KiB for the AVX-512 kernel) stays in L1 while A streams from L2.
const (
	kc    = 256
	mcMax = 192
	ncMax = 2048
)

// minTaskFlops is the smallest block of work, in multiply-adds, worth a goroutine of its own.
const minTaskFlops = 1 << 18

// Sgemm computes
//
//	C = alpha·op(A)·op(B) + beta·C
//
// where op(A) is m×k, op(B) is k×n and C is m×n, all row-major: A is m×k (tA = blas.NoTrans) or k×m
// (blas.Trans or blas.ConjTrans), with leading dimension lda; likewise B is k×n or n×k with ldb; C has
// ldc. When beta = 0, C is not read (NaNs in it are overwritten). It panics, with gonum's messages, on an
// illegal transpose, negative sizes, leading dimensions smaller than the rows they hold, or slices too
// short for the sizes.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmWith(kernel, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmWith is Sgemm with the micro-kernel kern, for tests of each kernel.
func sgemmWith(kern *microKernel, tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	aTrans, bTrans := checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	gemm(kern, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkArgs panics as gonum's Sgemm does on bad arguments and says whether A and B are transposed.
func checkArgs(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) (aTrans, bTrans bool) {
	switch tA {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	switch tB {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aTrans = tA != blas.NoTrans
	bTrans = tB != blas.NoTrans
	if (aTrans && lda < max(1, m)) || (!aTrans && lda < max(1, k)) {
		panic(badLdA)
	}
	if (bTrans && ldb < max(1, k)) || (!bTrans && ldb < max(1, n)) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return aTrans, bTrans
	}
	if (aTrans && len(a) < (k-1)*lda+m) || (!aTrans && len(a) < (m-1)*lda+k) {
		panic(shortA)
	}
	if (bTrans && len(b) < (n-1)*ldb+k) || (!bTrans && len(b) < (k-1)*ldb+n) {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
	return aTrans, bTrans
}

// scale sets C = beta·C, writing zeros when beta = 0.
func scale(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// matrix is a row-major operand seen through op: element (i, j) of op(X) is data[i*ld+j], or
// data[j*ld+i] when trans.
type matrix struct {
	data  []float32
	ld    int
	trans bool
}

// task is the block of C with rows [i0, i1) and columns [j0, j1).
type task struct{ i0, i1, j0, j1 int }

// gemm splits C into blocks for up to GOMAXPROCS goroutines and computes each with kern.
func gemm(kern *microKernel, aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	A := matrix{a, lda, aTrans}
	B := matrix{b, ldb, bTrans}
	rowPanels := (m + kern.mr - 1) / kern.mr
	colPanels := (n + kern.nr - 1) / kern.nr
	tasks := min(runtime.GOMAXPROCS(0), max(1, m*n*k/minTaskFlops), rowPanels*colPanels)
	if tasks == 1 {
		block(kern, A, B, task{0, m, 0, n}, k, alpha, beta, c, ldc)
		return
	}
	// Split the rows first (each block then packs a disjoint part of A), the columns only as far as
	// the rows do not go.
	rowChunks := min(tasks, rowPanels)
	colChunks := min(tasks/rowChunks, colPanels)
	rowsPer := (rowPanels + rowChunks - 1) / rowChunks * kern.mr
	colsPer := (colPanels + colChunks - 1) / colChunks * kern.nr
	var wg sync.WaitGroup
	var last task
	for i0 := 0; i0 < m; i0 += rowsPer {
		for j0 := 0; j0 < n; j0 += colsPer {
			t := task{i0, min(i0+rowsPer, m), j0, min(j0+colsPer, n)}
			if t.i1 == m && t.j1 == n {
				last = t
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				block(kern, A, B, t, k, alpha, beta, c, ldc)
			}()
		}
	}
	block(kern, A, B, last, k, alpha, beta, c, ldc)
	wg.Wait()
}

// workspace holds one goroutine's packing buffers and scratch tile.
type workspace struct {
	a, b, tile []float32
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

// grow returns buf with length n, reallocating only when its capacity is short.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// block computes the block t of C = alpha·op(A)·op(B) + beta·C on the calling goroutine.
func block(kern *microKernel, A, B matrix, t task, k int, alpha, beta float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	mcBlk := min(mcMax/mr*mr, (t.i1-t.i0+mr-1)/mr*mr)
	ncBlk := min(ncMax/nr*nr, (t.j1-t.j0+nr-1)/nr*nr)
	kcBlk := min(kc, k)
	ws.a = grow(ws.a, mcBlk*kcBlk)
	ws.b = grow(ws.b, kcBlk*ncBlk)
	ws.tile = grow(ws.tile, mr*nr)
	for jc := t.j0; jc < t.j1; jc += ncBlk {
		nc := min(ncBlk, t.j1-jc)
		for pc := 0; pc < k; pc += kcBlk {
			kb := min(kcBlk, k-pc)
			// Only the first pass over k scales C by beta; later ones add to it.
			bt := beta
			if pc > 0 {
				bt = 1
			}
			packB(ws.b, B, pc, kb, jc, nc, nr)
			for ic := t.i0; ic < t.i1; ic += mcBlk {
				mc := min(mcBlk, t.i1-ic)
				packA(ws.a, A, ic, mc, pc, kb, mr, alpha)
				macroKernel(kern, ws, kb, mc, nc, bt, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// macroKernel runs the micro-kernel over the packed mc×kb block of A and kb×nc block of B, into the
// mc×nc block of C starting at c[0].
func macroKernel(kern *microKernel, ws *workspace, kb, mc, nc int, beta float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nc; jr += nr {
		bp := ws.b[jr*kb : (jr+nr)*kb]
		cols := min(nr, nc-jr)
		for ir := 0; ir < mc; ir += mr {
			ap := ws.a[ir*kb : (ir+mr)*kb]
			rows := min(mr, mc-ir)
			if rows == mr && cols == nr {
				kern.run(kb, ap, bp, c[ir*ldc+jr:], ldc, beta)
				continue
			}
			kern.run(kb, ap, bp, ws.tile, nr, 0)
			for i := 0; i < rows; i++ {
				dst := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
				src := ws.tile[i*nr : i*nr+cols]
				switch beta {
				case 0:
					copy(dst, src)
				case 1:
					for j, v := range src {
						dst[j] += v
					}
				default:
					for j, v := range src {
						dst[j] = beta*dst[j] + v
					}
				}
			}
		}
	}
}

// packA copies rows [i0, i0+mc) and columns [p0, p0+kb) of op(A), times alpha, into panels of mr rows:
// panel q holds, for each p in turn, the mr values op(A)[i0+q·mr+r][p0+p]; rows past mc are zero.
func packA(dst []float32, A matrix, i0, mc, p0, kb, mr int, alpha float32) {
	for q := 0; q*mr < mc; q++ {
		panel := dst[q*mr*kb : (q+1)*mr*kb]
		rows := min(mr, mc-q*mr)
		i := i0 + q*mr
		if A.trans {
			// Row p0+p of A holds column p of op(A): read it mr values at a time.
			for p := 0; p < kb; p++ {
				src := A.data[(p0+p)*A.ld+i : (p0+p)*A.ld+i+rows]
				dst := panel[p*mr : (p+1)*mr]
				for r, v := range src {
					dst[r] = alpha * v
				}
				clear(dst[rows:])
			}
			continue
		}
		for r := 0; r < rows; r++ {
			src := A.data[(i+r)*A.ld+p0 : (i+r)*A.ld+p0+kb]
			for p, v := range src {
				panel[p*mr+r] = alpha * v
			}
		}
		for r := rows; r < mr; r++ {
			for p := 0; p < kb; p++ {
				panel[p*mr+r] = 0
			}
		}
	}
}

// packB copies rows [p0, p0+kb) and columns [j0, j0+nc) of op(B) into panels of nr columns: panel q
// holds, for each p in turn, the nr values op(B)[p0+p][j0+q·nr+j]; columns past nc are zero.
func packB(dst []float32, B matrix, p0, kb, j0, nc, nr int) {
	for q := 0; q*nr < nc; q++ {
		panel := dst[q*nr*kb : (q+1)*nr*kb]
		cols := min(nr, nc-q*nr)
		j := j0 + q*nr
		if B.trans {
			for c := 0; c < cols; c++ {
				row := B.data[(j+c)*B.ld+p0 : (j+c)*B.ld+p0+kb]
				for p, v := range row {
					panel[p*nr+c] = v
				}
			}
		} else {
			for p := 0; p < kb; p++ {
				copy(panel[p*nr:p*nr+cols], B.data[(p0+p)*B.ld+j:(p0+p)*B.ld+j+cols])
			}
		}
		if cols < nr {
			for p := 0; p < kb; p++ {
				clear(panel[p*nr+cols : (p+1)*nr])
			}
		}
	}
}
