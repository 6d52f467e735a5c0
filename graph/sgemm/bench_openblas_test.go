//go:build openblas

package sgemm

import "github.com/intentlab/intentlab/graph/openblas"

// In the openblas build the benchmarks compare OpenBLAS too.
func init() {
	benchImpls = append(benchImpls, struct {
		name string
		f    sgemmFunc
	}{"openblas", openblas.Implementation{}.Sgemm})
}
