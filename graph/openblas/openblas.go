//go:build openblas

package openblas

// #cgo LDFLAGS: -lopenblas
import "C"

import "gonum.org/v1/netlib/blas/netlib"

// Implementation is OpenBLAS through gonum's cgo bindings; its zero value is ready to use.
type Implementation = netlib.Implementation
