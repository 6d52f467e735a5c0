package graph

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inputHash is the hash Gorgonia gives an input node named name of the type and shape written as
// prefix: Node.WriteHash writes the type and shape, the name, and the number of children (0) into
// FNV-32a.
func inputHash(prefix, name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(prefix))
	h.Write([]byte(name))
	binary.Write(h, binary.LittleEndian, byte(0))
	return h.Sum32()
}

// collidingNames finds two input names whose nodes share Gorgonia's 32-bit hash (a birthday search:
// about 2¹⁶ names).
func collidingNames(t *testing.T, prefix string) (string, string) {
	seen := map[uint32]string{}
	for i := 0; ; i++ {
		name := fmt.Sprintf("in%d", i)
		h := inputHash(prefix, name)
		if other, ok := seen[h]; ok {
			return other, name
		}
		seen[h] = name
		if i > 1<<22 {
			t.Fatal("no collision among 4M names")
		}
	}
}

// TestSeparateCollisions: two different inputs whose hashes collide must stay two inputs. Gorgonia's
// compiler, left alone, merges them as a common subexpression and reads the first input's value for
// the second; Compile separates them first.
func TestSeparateCollisions(t *testing.T) {
	probe := gorgonia.NewVector(gorgonia.NewGraph(), tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("probe"))
	a, b := collidingNames(t, fmt.Sprintf("%v%v", probe.Type(), probe.Shape()))
	bld := NewBuilder(NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 1))), BuilderConfig{})
	x, err := bld.Input(a, 2)
	if err != nil {
		t.Fatal(err)
	}
	y, err := bld.Input(b, 2)
	if err != nil {
		t.Fatal(err)
	}
	if x.Hashcode() != y.Hashcode() {
		t.Fatalf("inputs %q and %q: hashes %x and %x; the replica of Gorgonia's hash is wrong", a, b, x.Hashcode(), y.Hashcode())
	}
	sum := gorgonia.Must(gorgonia.Add(x, gorgonia.Must(gorgonia.Add(y, y)))) // x + 2y
	p, err := Compile(bld, nil, sum)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Set(a, []float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := p.Set(b, []float64{10, 20}); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if got := p.Output(0); got[0] != 21 || got[1] != 42 {
		t.Errorf("x + 2y with x = (1, 2), y = (10, 20): got %v, want [21 42] (Gorgonia alone merges the inputs and gives [30 60])", got)
	}
	if x.Hashcode() == y.Hashcode() {
		t.Errorf("the colliding inputs still share a hash")
	}
}
