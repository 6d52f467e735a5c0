//go:build !openblas

package graph

import (
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph/sgemm"
)

const wantName = "intentlab sgemm"

func wantBLAS() tensor.BLAS { return sgemm.Implementation{} }
