//go:build openblas

package graph

import (
	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph/openblas"
)

// The openblas build hands Gorgonia's graphs and the tensor package (gorgonia.Use sets both) to
// OpenBLAS through gonum's cgo bindings. It needs cgo and the library: Debian's libopenblas-dev.
func init() { gorgonia.Use(openblas.Implementation{}) }

const blasName = "OpenBLAS (cgo, gonum.org/v1/netlib)"
