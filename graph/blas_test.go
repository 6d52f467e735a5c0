package graph

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestBLASInUse checks that Gorgonia and the tensor package both use the BLAS this build names.
func TestBLASInUse(t *testing.T) {
	want := wantBLAS()
	if got := gorgonia.WhichBLAS(); got != want {
		t.Errorf("gorgonia uses %T, want %T", got, want)
	}
	if got := tensor.WhichBLAS(); got != want {
		t.Errorf("tensor uses %T, want %T", got, want)
	}
	if !strings.Contains(BLAS(), wantName) {
		t.Errorf("BLAS() = %q, want it to name %q", BLAS(), wantName)
	}
}
