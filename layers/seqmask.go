package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// layerParams fetches the store parameters prefix.name for each name, in order.
func layerParams(b *graph.Builder, prefix string, names ...string) ([]*gorgonia.Node, error) {
	out := make([]*gorgonia.Node, len(names))
	for i, n := range names {
		var err error
		if out[i], err = b.Param(graph.Join(prefix, n)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// onesNode is a constant (r, c) matrix of ones of dtype dt.
func onesNode(dt tensor.Dtype, r, c int) *gorgonia.Node {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(r, c))
	switch d := t.Data().(type) {
	case []float64:
		for i := range d {
			d[i] = 1
		}
	case []float32:
		for i := range d {
			d[i] = 1
		}
	}
	return gorgonia.NewConstant(t, gorgonia.WithName(fmt.Sprintf("ones%v_%dx%d", dt, r, c)))
}

// spreadMask repeats a (B, T) mask over d features: (B, T, d). It is the outer product with a row of
// ones, so every value is exactly the mask's (m·1 = m), and it goes through graph.Reshape, never a view.
func spreadMask(mask *gorgonia.Node, d int) (*gorgonia.Node, error) {
	s := mask.Shape()
	col, err := graph.Reshape(mask, s[0]*s[1], 1) // (B·T, 1)
	if err != nil {
		return nil, err
	}
	wide, err := gorgonia.Mul(col, onesNode(mask.Dtype(), 1, d)) // (B·T, d)
	if err != nil {
		return nil, err
	}
	return graph.Reshape(wide, s[0], s[1], d) // (B, T, d)
}

// maskSequence returns x ⊙ m for x (B, T, D) and its mask (B, T): padded positions become exact zeros
// (for finite x), real positions are unchanged.
func maskSequence(x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	m, err := spreadMask(mask, x.Shape()[2]) // (B, T, D)
	if err != nil {
		return nil, err
	}
	return gorgonia.HadamardProd(x, m) // (B, T, D)
}
