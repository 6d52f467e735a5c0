package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// Initializer fills out (len = shape.TotalSize(), row-major) with initial weights drawn from rng.
// Weight matrices are laid out (in, out): y = x·W.
type Initializer func(rng *rand.Rand, shape tensor.Shape, out []float64) error

// fans returns fan-in and fan-out: for (in, out) matrices the two dims; for higher ranks
// (k, in, out) the receptive field k multiplies both; a vector has fan-in = fan-out = its length.
func fans(shape tensor.Shape) (in, out int) {
	if len(shape) == 1 {
		return shape[0], shape[0]
	}
	field := 1
	for _, d := range shape[:len(shape)-2] {
		field *= d
	}
	return shape[len(shape)-2] * field, shape[len(shape)-1] * field
}

// Zeros fills with 0.
func Zeros() Initializer {
	return func(_ *rand.Rand, _ tensor.Shape, out []float64) error {
		clear(out)
		return nil
	}
}

// Constant fills with v.
func Constant(v float64) Initializer {
	return func(_ *rand.Rand, _ tensor.Shape, out []float64) error {
		for i := range out {
			out[i] = v
		}
		return nil
	}
}

// Uniform draws from U(−a, a).
func Uniform(a float64) Initializer {
	return func(rng *rand.Rand, _ tensor.Shape, out []float64) error {
		for i := range out {
			out[i] = (2*rng.Float64() - 1) * a
		}
		return nil
	}
}

// Normal draws from N(0, std²).
func Normal(std float64) Initializer {
	return func(rng *rand.Rand, _ tensor.Shape, out []float64) error {
		for i := range out {
			out[i] = rng.NormFloat64() * std
		}
		return nil
	}
}

// GlorotUniform draws from U(−a, a) with a = √(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).
func GlorotUniform() Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, out []float64) error {
		in, o := fans(shape)
		return Uniform(math.Sqrt(6/float64(in+o)))(rng, shape, out)
	}
}

// HeNormal draws from N(0, 2 / fan_in), for layers followed by ReLU (He et al., 2015).
func HeNormal() Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, out []float64) error {
		in, _ := fans(shape)
		return Normal(math.Sqrt(2/float64(in)))(rng, shape, out)
	}
}

// Orthogonal fills a (rows, cols) matrix with orthogonal blocks (Saxe et al., 2014), the usual
// initialisation of recurrent weights. When cols is a multiple of rows — the (H, G·H) layout of a
// recurrent matrix with G gates — each (H, H) gate block is an orthogonal matrix; otherwise the whole
// matrix has orthonormal rows or columns, whichever is fewer. The matrices come from the QR decomposition
// of a Gaussian matrix with the signs of R's diagonal folded in, so they are uniformly distributed.
func Orthogonal() Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, out []float64) error {
		if len(shape) != 2 {
			return fmt.Errorf("orthogonal initialiser needs a matrix, have shape %v", shape)
		}
		r, c := shape[0], shape[1]
		if c%r == 0 {
			for blk := 0; blk < c/r; blk++ {
				q := randomOrthogonal(rng, r, r)
				for i := 0; i < r; i++ {
					for j := 0; j < r; j++ {
						out[i*c+blk*r+j] = q.At(i, j)
					}
				}
			}
			return nil
		}
		q := randomOrthogonal(rng, r, c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out[i*c+j] = q.At(i, j)
			}
		}
		return nil
	}
}

// randomOrthogonal returns an r×c matrix with orthonormal columns (r ≥ c) or rows (r < c).
func randomOrthogonal(rng *rand.Rand, r, c int) mat.Matrix {
	tall := r >= c
	m, n := r, c
	if !tall {
		m, n = c, r
	}
	a := mat.NewDense(m, n, nil)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	res := mat.NewDense(m, n, nil)
	for j := 0; j < n; j++ {
		sign := 1.0
		if rr.At(j, j) < 0 {
			sign = -1
		}
		for i := 0; i < m; i++ {
			res.Set(i, j, sign*q.At(i, j))
		}
	}
	if tall {
		return res
	}
	return res.T()
}

// BlockConstant treats a vector as `blocks` equal blocks and fills block `block` with v and the rest with 0.
// It gives the LSTM forget gate a bias of 1 (Jozefowicz et al., 2015): BlockConstant(4, 1, 1) for gates
// ordered input, forget, cell, output.
func BlockConstant(blocks, block int, v float64) Initializer {
	return func(_ *rand.Rand, shape tensor.Shape, out []float64) error {
		if blocks <= 0 || len(out)%blocks != 0 || block < 0 || block >= blocks {
			return fmt.Errorf("block constant: %d values cannot hold block %d of %d", len(out), block, blocks)
		}
		clear(out)
		n := len(out) / blocks
		for i := block * n; i < (block+1)*n; i++ {
			out[i] = v
		}
		return nil
	}
}

// Values fills with a copy of vals (len must equal the shape's size): for fixtures and loaded weights.
func Values(vals []float64) Initializer {
	return func(_ *rand.Rand, shape tensor.Shape, out []float64) error {
		if len(vals) != len(out) {
			return fmt.Errorf("have %d values for shape %v (%d)", len(vals), shape, len(out))
		}
		copy(out, vals)
		return nil
	}
}
