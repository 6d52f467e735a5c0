//go:build openblas

package layers

// exactBLAS is false in the openblas build: OpenBLAS picks its kernel and blocking by shape (a
// small-matrix path for some), so padding a sequence can change the order of a sum and its last bits.
// requireIdentical then allows inexactBLASTol relative error (float32 rounding over a few layers);
// the padding in those tests is garbage of size 4 to 30, which leaking would change by far more.
const exactBLAS = false

// inexactBLASTol is requireIdentical's relative tolerance, times max(1, |want|), in the openblas build.
const inexactBLASTol = 1e-5
