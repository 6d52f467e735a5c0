//go:build !openblas

package layers

// exactBLAS says whether a matrix product's entries are independent of the shape they are computed
// in, so that padding a sequence leaves the real positions' numbers bit for bit unchanged. In the
// default build it is: graph/sgemm sums every entry in the same order whatever the shape (its
// TestSgemmShapeIndependent), and so, as these tests find, does gonum's Dgemm.
const exactBLAS = true

// inexactBLASTol is unused with an exact BLAS.
const inexactBLASTol = 0.0
