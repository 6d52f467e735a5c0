package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// Softmax normalises the last axis of x: softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m), with m the row
// maximum. Subtracting m changes nothing mathematically and keeps exp from overflowing, so a row like
// [100, 0, 0] gives [1, e⁻¹⁰⁰, e⁻¹⁰⁰]. (Gorgonia's own SoftMax with tensor v0.9.24 returns NaN for such
// a row: it seeds the row maximum from the wrong element.)
func Softmax(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil || x.Dims() < 1 {
		return nil, fmt.Errorf("softmax: need a tensor with at least one axis")
	}
	last := x.Dims() - 1
	if x.Dims() == 1 {
		return nil, fmt.Errorf("softmax: need (N, K) or higher rank, have %v", x.Shape())
	}
	m, err := gorgonia.Max(x, last) // leading dims
	if err != nil {
		return nil, fmt.Errorf("softmax: %w", err)
	}
	z, err := gorgonia.BroadcastSub(x, m, nil, []byte{byte(last)}) // x − m, same shape as x
	if err != nil {
		return nil, fmt.Errorf("softmax: %w", err)
	}
	e, err := gorgonia.Exp(z) // same shape as x
	if err != nil {
		return nil, fmt.Errorf("softmax: %w", err)
	}
	s, err := gorgonia.Sum(e, last) // leading dims
	if err != nil {
		return nil, fmt.Errorf("softmax: %w", err)
	}
	y, err := gorgonia.BroadcastHadamardDiv(e, s, nil, []byte{byte(last)}) // same shape as x
	if err != nil {
		return nil, fmt.Errorf("softmax: %w", err)
	}
	return y, nil
}
