//go:build openblas

package graph

import (
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/tensor"
)

const wantName = "OpenBLAS"

func wantBLAS() tensor.BLAS { return netlib.Implementation{} }
