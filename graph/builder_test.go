package graph

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestStrays: a variable added to the graph outside the store and the inputs is reported; store
// parameters and inputs are not.
func TestStrays(t *testing.T) {
	s := NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2)))
	if _, err := s.Add("w", tensor.Shape{2, 2}, Zeros()); err != nil {
		t.Fatal(err)
	}
	b := NewBuilder(s, BuilderConfig{})
	if _, err := b.Param("w"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Input("x", 2, 2); err != nil {
		t.Fatal(err)
	}
	if got := b.Strays(); len(got) != 0 {
		t.Fatalf("strays %v, want none", got)
	}
	gorgonia.NewMatrix(b.G, tensor.Float64, gorgonia.WithShape(3, 1), gorgonia.WithName("rogue"), gorgonia.WithInit(gorgonia.Zeroes()))
	if got := b.Strays(); len(got) != 1 || got[0] != "rogue (3, 1)" {
		t.Fatalf("strays %v, want [rogue (3, 1)]", got)
	}
	if err := b.CheckLearnables(); err == nil || !strings.Contains(err.Error(), "rogue (3, 1)") {
		t.Errorf("CheckLearnables: %v, want an error naming the rogue variable", err)
	}
	if err := NewBuilder(s, BuilderConfig{}).CheckLearnables(); err == nil {
		t.Error("CheckLearnables of a graph without parameters: no error")
	}
}
