package layers_test

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// Mean-pool two padded sequences of 2-feature events: the first has 3 events, the second 1.
func ExampleMeanPool() {
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(1, 2)))
	b := graph.NewBuilder(store, graph.BuilderConfig{})
	x, _ := b.Input("x", 2, 3, 2)         // (B, T, D)
	mask, _ := b.Input("mask", 2, 3)      // (B, T)
	y, err := layers.MeanPool(b, x, mask) // (B, D)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := graph.Compile(b, nil, y)
	defer p.Close()
	p.Set("x", []float64{1, 10, 2, 20, 3, 30, 4, 40, 99, 99, 99, 99})
	p.Set("mask", []float64{1, 1, 1, 1, 0, 0})
	if err := p.Run(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Output(0))
	// Output: [2 20 4 40]
}

// The sinusoidal encoding of positions 0 and 1 with 4 features.
func ExampleSinusoidal_Table() {
	pe, _ := layers.NewSinusoidal("pos", layers.PositionalConfig{MaxLen: 8, Dim: 4})
	for _, v := range pe.Table(2) {
		fmt.Printf("%.4f ", v)
	}
	fmt.Println()
	// Output: 0.0000 1.0000 0.0000 1.0000 0.8415 0.5403 0.0100 1.0000
}
