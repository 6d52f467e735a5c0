//go:build openblas

package graph

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

// The openblas build hands Gorgonia's graphs and the tensor package (gorgonia.Use sets both) to
// OpenBLAS through gonum's cgo bindings. It needs cgo and the library: Debian's libopenblas-dev.
func init() { gorgonia.Use(netlib.Implementation{}) }

const blasName = "OpenBLAS (cgo, gonum.org/v1/netlib)"
