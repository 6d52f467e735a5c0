//go:build openblas

package graph

import (
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph/openblas"
)

const wantName = "OpenBLAS"

func wantBLAS() tensor.BLAS { return openblas.Implementation{} }
