package layers

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// PositionalConfig configures a positional embedding.
//
// The positional vectors are added at every position, padding included: the layers after them (attention,
// convolution, pooling) ignore padded positions, so a sequence still gives the same results padded or
// not, and no gradient reaches a learned row from a padded position (it receives exact zeros).
type PositionalConfig struct {
	MaxLen int     // longest sequence T the layer accepts; required
	Dim    int     // features D; required
	Std    float64 // learned tables start N(0, Std²); default 0.02, as BERT and BST
}

func (c PositionalConfig) validate(kind, name string) error {
	if c.MaxLen <= 0 || c.Dim <= 0 || c.Std < 0 {
		return fmt.Errorf("%s %q: max length %d and dimension %d must be positive, std %g non-negative", kind, name, c.MaxLen, c.Dim, c.Std)
	}
	return nil
}

func checkPositionalInput(kind, name string, c PositionalConfig, x *gorgonia.Node) error {
	layer := fmt.Sprintf("%s %q", kind, name)
	if err := checkShape(layer, "input", x, -1, -1, c.Dim); err != nil {
		return err
	}
	if t := x.Shape()[1]; t > c.MaxLen {
		return fmt.Errorf("%s: sequence length %d exceeds the maximum %d", layer, t, c.MaxLen)
	}
	return nil
}

// LearnedPositional adds a learned vector per position: y[b, t] = x[b, t] + P[t] for x (B, T, D), T ≤
// MaxLen, with the table P (MaxLen, D) stored as name.p (Devlin et al., 2019; Chen et al., 2019, BST).
type LearnedPositional struct {
	Name string
	Cfg  PositionalConfig
}

var _ Layer = (*LearnedPositional)(nil)

// NewLearnedPositional declares name.p (MaxLen, Dim) in the store.
func NewLearnedPositional(store *graph.Store, name string, cfg PositionalConfig) (*LearnedPositional, error) {
	if err := cfg.validate("learned positional", name); err != nil {
		return nil, err
	}
	if cfg.Std == 0 {
		cfg.Std = 0.02
	}
	if _, err := store.Add(graph.Join(name, "p"), tensor.Shape{cfg.MaxLen, cfg.Dim}, graph.Normal(cfg.Std)); err != nil {
		return nil, fmt.Errorf("learned positional %q: %w", name, err)
	}
	return &LearnedPositional{Name: name, Cfg: cfg}, nil
}

// Forward returns x + P[:T] broadcast over the batch: (B, T, D).
func (l *LearnedPositional) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPositionalInput("learned positional", l.Name, l.Cfg, x); err != nil {
		return nil, err
	}
	table, err := b.Param(graph.Join(l.Name, "p"))
	if err != nil {
		return nil, fmt.Errorf("learned positional %q: %w", l.Name, err)
	}
	y, err := addPositions(x, table) // (B, T, D): one op (embedding_ops.go)
	if err != nil {
		return nil, fmt.Errorf("learned positional %q: %w", l.Name, err)
	}
	return y, nil
}

// Sinusoidal adds the fixed encoding of Vaswani et al. (2017), a constant with no parameters:
//
//	PE(t, 2i) = sin(t / 10000^{2i/D}),   PE(t, 2i+1) = cos(t / 10000^{2i/D}),
//
// y[b, t] = x[b, t] + PE(t) for x (B, T, D), T ≤ MaxLen (Std is unused).
type Sinusoidal struct {
	Name string
	Cfg  PositionalConfig
}

var _ Layer = (*Sinusoidal)(nil)

// NewSinusoidal validates the configuration; the encoding has no parameters.
func NewSinusoidal(name string, cfg PositionalConfig) (*Sinusoidal, error) {
	if err := cfg.validate("sinusoidal", name); err != nil {
		return nil, err
	}
	return &Sinusoidal{Name: name, Cfg: cfg}, nil
}

// Table returns PE (steps, Dim) in row-major order.
func (s *Sinusoidal) Table(steps int) []float64 {
	d := s.Cfg.Dim
	pe := make([]float64, steps*d)
	for t := 0; t < steps; t++ {
		for k := 0; k < d; k++ {
			angle := float64(t) / math.Pow(10000, float64(k-k%2)/float64(d))
			if k%2 == 0 {
				pe[t*d+k] = math.Sin(angle)
			} else {
				pe[t*d+k] = math.Cos(angle)
			}
		}
	}
	return pe
}

// Forward returns x + PE[:T] broadcast over the batch: (B, T, D).
func (s *Sinusoidal) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPositionalInput("sinusoidal", s.Name, s.Cfg, x); err != nil {
		return nil, err
	}
	bs, steps := x.Shape()[0], x.Shape()[1]
	pe := s.Table(steps)
	tiled := make([]float64, 0, bs*len(pe))
	for i := 0; i < bs; i++ {
		tiled = append(tiled, pe...)
	}
	c := tensor.New(tensor.Of(b.Dtype()), tensor.WithShape(bs, steps, s.Cfg.Dim))
	if err := graph.CopyFrom(c, tiled); err != nil {
		return nil, fmt.Errorf("sinusoidal %q: %w", s.Name, err)
	}
	pen := gorgonia.NewConstant(c, gorgonia.WithName(fmt.Sprintf("sinusoidal%v(B=%d,T=%d,D=%d)", b.Dtype(), bs, steps, s.Cfg.Dim)))
	y, err := gorgonia.Add(x, pen) // (B, T, D)
	if err != nil {
		return nil, fmt.Errorf("sinusoidal %q: %w", s.Name, err)
	}
	return y, nil
}
