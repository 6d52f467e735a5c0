//go:build !openblas

package graph

import (
	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph/sgemm"
)

// The default build needs nothing but Go: gonum's pure-Go BLAS with graph/sgemm's float32 matrix
// multiply, for Gorgonia's graphs and for the tensor package (gorgonia.Use sets both).
func init() { gorgonia.Use(sgemm.Implementation{}) }

var blasName = "intentlab sgemm (" + sgemm.Kernel() + ")"
