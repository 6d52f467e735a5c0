package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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
	mask, err := d.Mask(b, x.Shape())
	if mask == nil || err != nil {
		return x, err
	}
	y, err := maskMul(x, mask) // same shape as x
	if err != nil {
		return nil, fmt.Errorf("dropout %q: %w", d.Name, err)
	}
	return y, nil
}

// Mask returns the multiplier of a tensor of the given shape in a training graph: a noise input
// holding 0 with probability Rate and 1/(1−Rate) otherwise. In an evaluation graph or at rate 0 it
// returns nil (keep everything). Ops that fuse dropout into their own work take it as an input.
func (d *Dropout) Mask(b *graph.Builder, shape tensor.Shape) (*gorgonia.Node, error) {
	if !b.Train || d.Rate == 0 {
		return nil, nil
	}
	keep := 1 - d.Rate
	scale := 1 / keep
	// A unit is kept when 32 random bits, read as an integer, fall below keep·2³² (to within 2⁻³²): two
	// units per 64-bit draw, without a branch.
	threshold := uint64(math.Round(keep * (1 << 32)))
	vals := [2]float64{0, scale}
	mask, err := b.Noise(b.Unique(graph.Join(d.Name, "mask")), shape.Clone(), func(rng *rand.Rand, out []float64) {
		for i := 0; i < len(out); i += 2 {
			r := rng.Uint64()
			out[i] = vals[b2i(r&(1<<32-1) < threshold)]
			if i+1 < len(out) {
				out[i+1] = vals[b2i(r>>32 < threshold)]
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("dropout %q: %w", d.Name, err)
	}
	return mask, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
