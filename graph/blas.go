package graph

// BLAS names the matrix-multiply library Gorgonia's programs use in this build, for reports: this
// module's graph/sgemm (on gonum's pure-Go BLAS for everything else) by default, OpenBLAS in a build
// with the tag openblas.
func BLAS() string { return blasName }
