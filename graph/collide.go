package graph

import (
	"fmt"
	"reflect"
	"unsafe"

	"gorgonia.org/gorgonia"
)

// Gorgonia's compiler eliminates common subexpressions by a node's 32-bit FNV hash alone
// (dataflow.vn in compile.go), without checking that two nodes with the same hash compute the same
// thing. ExprGraph.AddNode has already merged every pair of truly equal nodes (it checks them with
// nodeEq), so two distinct nodes of a graph that share a hash are a collision, and the compiler
// would silently read one node's value for the other: a wrong result, or, when the shapes differ, a
// shape error at run time. With the tens of thousands of nodes of an unrolled LSTM's forward and
// backward graph, the chance of a collision is a few percent per graph (n²/2³³).
//
// separateCollisions gives every node after the first of each colliding group a fresh hash that no
// node of the graph has, so that the compiler keeps them apart. It must run after the graph is
// complete and before it is compiled; it reports how many nodes it changed.
func separateCollisions(g *gorgonia.ExprGraph) (int, error) {
	nodes := g.AllNodes()
	byHash := make(map[uint32]*gorgonia.Node, len(nodes))
	var later []*gorgonia.Node
	for _, n := range nodes {
		h := n.Hashcode()
		if _, ok := byHash[h]; ok {
			later = append(later, n)
			continue
		}
		byHash[h] = n
	}
	next := uint32(0x9e3779b9)
	for _, n := range later {
		for {
			next = next*1664525 + 1013904223 // any sequence will do: a fresh value is all that is needed
			if _, taken := byHash[next]; !taken {
				break
			}
		}
		if err := setHash(n, next); err != nil {
			return 0, err
		}
		byHash[next] = n
	}
	return len(later), nil
}

// setHash overwrites the hash that a Gorgonia node has cached. Gorgonia keeps it unexported; the
// fields are found by name, and TestSeparateCollisions fails if a Gorgonia upgrade renames them.
func setHash(n *gorgonia.Node, h uint32) error {
	v := reflect.ValueOf(n).Elem()
	hash, hashed := v.FieldByName("hash"), v.FieldByName("hashed")
	if !hash.IsValid() || hash.Kind() != reflect.Uint32 || !hashed.IsValid() || hashed.Kind() != reflect.Bool {
		return fmt.Errorf("graph: this Gorgonia's Node has no hash and hashed fields to separate colliding nodes")
	}
	reflect.NewAt(hash.Type(), unsafe.Pointer(hash.UnsafeAddr())).Elem().SetUint(uint64(h))
	reflect.NewAt(hashed.Type(), unsafe.Pointer(hashed.UnsafeAddr())).Elem().SetBool(true)
	if n.Hashcode() != h {
		return fmt.Errorf("graph: could not set the hash of node %q", n.Name())
	}
	return nil
}
