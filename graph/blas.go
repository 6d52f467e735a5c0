package graph

// BLAS names the matrix-multiply library Gorgonia's programs use in this build, for reports.
func BLAS() string { return blasName }

// blasName is gonum's pure-Go BLAS: the default build needs nothing but Go.
const blasName = "gonum (pure Go)"
