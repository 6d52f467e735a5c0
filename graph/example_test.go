package graph_test

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// A store owns the weights; a builder makes a graph on it; the compiled program is fed and run, and its
// gradients are read by parameter name.
func ExampleCompile() {
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2)))
	store.Add("w", tensor.Shape{2, 1}, graph.Values([]float64{0.5, -1}))

	b := graph.NewBuilder(store, graph.BuilderConfig{})
	x, _ := b.Input("x", 3, 2)             // (B, 2)
	w, _ := b.Param("w")                   // (2, 1)
	y := gorgonia.Must(gorgonia.Mul(x, w)) // (B, 1)
	loss := gorgonia.Must(gorgonia.Sum(y)) // ()
	prog, err := graph.Compile(b, loss, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()

	prog.Set("x", []float64{1, 2, 3, 4, 5, 6})
	if err := prog.Run(); err != nil {
		fmt.Println(err)
		return
	}
	g, _ := prog.Grad("w")
	fmt.Println("y =", prog.Output(0))
	fmt.Println("loss =", prog.Loss())
	fmt.Println("dloss/dw =", graph.Float64s(g)) // column sums of x
	// Output:
	// y = [-1.5 -2.5 -3.5]
	// loss = -7.5
	// dloss/dw = [9 12]
}
