package layers

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/graph"
)

// Dropout zeroes each element with probability Rate during training and scales the survivors by
// 1/(1−Rate) ("inverted" dropout, Srivastava et al., 2014), so evaluation is the identity. Its masks are
// noise inputs of the graph, drawn from the builder's seeded source before every run: training with the
// same seed drops the same units.
type Dropout struct {
	Name string
	Rate float64
}

var _ Layer = (*Dropout)(nil)

// NewDropout returns a dropout layer; rate must be in [0, 1). It has no parameters.
func NewDropout(name string, rate float64) (*Dropout, error) {
	if rate < 0 || rate >= 1 {
		return nil, fmt.Errorf("dropout %q: rate %g must be in [0, 1)", name, rate)
	}
	return &Dropout{Name: name, Rate: rate}, nil
}

// Forward returns x unchanged in an evaluation graph or at rate 0, and x ⊙ mask in a training graph.
func (d *Dropout) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("dropout %q: input is nil", d.Name)
	}
	if !b.Train || d.Rate == 0 {
		return x, nil
	}
	keep := 1 - d.Rate
	scale := 1 / keep
	mask, err := b.Noise(b.Unique(graph.Join(d.Name, "mask")), x.Shape().Clone(), func(rng *rand.Rand, out []float64) {
		for i := range out {
			if rng.Float64() < keep {
				out[i] = scale
			} else {
				out[i] = 0
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("dropout %q: %w", d.Name, err)
	}
	y, err := maskMul(x, mask) // same shape as x
	if err != nil {
		return nil, fmt.Errorf("dropout %q: %w", d.Name, err)
	}
	return y, nil
}
