package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Conv1DConfig configures a 1-D convolution over the time axis.
type Conv1DConfig struct {
	In, Out    int        // input and output features; both required
	Kernel     int        // taps K; default 3; must be odd unless Causal
	Activation Activation // applied to the output; default Linear
	Causal     bool       // pad on the left only, so position t sees t−K+1..t; default "same" (centred)
	NoBias     bool       // drop the bias b
}

// Conv1D is a convolution over the events of a padded sequence (Kim, 2014; Bai et al., 2018 for the
// causal form), cross-correlation as in PyTorch's Conv1d:
//
//	y[b, t] = act( Σ_{j<K} x̃[b, t+j−L] · W[j] + b ) · m[b, t],   x̃ = x ⊙ m,
//
// with L = K−1 when Causal and (K−1)/2 otherwise, and x̃ = 0 outside [0, T). x is (B, T, In), the mask m
// is (B, T), and y is (B, T, Out). The input is masked first, so padded positions contribute nothing and
// a sequence gives bit-for-bit the same outputs (at its real positions) and gradients whether or not it is
// padded; the output is masked, so padded positions are 0.
//
// The weights are stored as name.w (K, In, Out): W[j] is the (In, Out) matrix of tap j, which reads
// position t+j−L; PyTorch's Conv1d weight w_pt (Out, In, K) is W[j][i][o] = w_pt[o][i][j]. They start
// Glorot-uniform (He-normal before a ReLU) with fans K·In and K·Out; the bias name.b (Out) starts at 0.
//
// The graph gathers the K shifted copies of every position into one (B·T, K·In) matrix (im2col) and
// multiplies it by W seen as (K·In, Out): one matrix product per layer.
type Conv1D struct {
	Name string
	Cfg  Conv1DConfig
}

var _ SeqLayer = (*Conv1D)(nil)

// NewConv1D declares name.w (and name.b) in the store.
func NewConv1D(store *graph.Store, name string, cfg Conv1DConfig) (*Conv1D, error) {
	if cfg.Kernel == 0 {
		cfg.Kernel = 3
	}
	switch {
	case cfg.In <= 0 || cfg.Out <= 0:
		return nil, fmt.Errorf("conv1d %q: sizes %d→%d must be positive", name, cfg.In, cfg.Out)
	case cfg.Kernel < 0:
		return nil, fmt.Errorf("conv1d %q: kernel %d must be positive", name, cfg.Kernel)
	case !cfg.Causal && cfg.Kernel%2 == 0:
		return nil, fmt.Errorf("conv1d %q: kernel %d must be odd for centred (\"same\") padding; use Causal for an even kernel", name, cfg.Kernel)
	}
	if err := cfg.Activation.Validate(); err != nil {
		return nil, fmt.Errorf("conv1d %q: %w", name, err)
	}
	init := graph.GlorotUniform()
	if cfg.Activation == ReLU {
		init = graph.HeNormal()
	}
	if _, err := store.Add(graph.Join(name, "w"), tensor.Shape{cfg.Kernel, cfg.In, cfg.Out}, init); err != nil {
		return nil, fmt.Errorf("conv1d %q: %w", name, err)
	}
	if !cfg.NoBias {
		if _, err := store.Add(graph.Join(name, "b"), tensor.Shape{cfg.Out}, graph.Zeros()); err != nil {
			return nil, fmt.Errorf("conv1d %q: %w", name, err)
		}
	}
	return &Conv1D{Name: name, Cfg: cfg}, nil
}

// Forward adds the convolution of x (B, T, In) with padding mask (B, T) to b's graph: (B, T, Out).
func (c *Conv1D) Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	layer := fmt.Sprintf("conv1d %q", c.Name)
	if err := checkShape(layer, "input", x, -1, -1, c.Cfg.In); err != nil {
		return nil, err
	}
	if err := checkMask(layer, x, mask); err != nil {
		return nil, err
	}
	bs, steps, k, in := x.Shape()[0], x.Shape()[1], c.Cfg.Kernel, c.Cfg.In
	y, err := c.forward(b, x, mask, bs, steps, k, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", layer, err)
	}
	return y, nil
}

func (c *Conv1D) forward(b *graph.Builder, x, mask *gorgonia.Node, bs, steps, k, in int) (*gorgonia.Node, error) {
	w, err := b.Param(graph.Join(c.Name, "w"))
	if err != nil {
		return nil, err
	}
	xm, err := maskSequence(x, mask) // (B, T, In)
	if err != nil {
		return nil, err
	}
	rows, err := graph.Reshape(xm, bs*steps, in) // (B·T, In)
	if err != nil {
		return nil, err
	}
	zero := gorgonia.NewConstant(tensor.New(tensor.Of(b.Dtype()), tensor.WithShape(1, in)), gorgonia.WithName(fmt.Sprintf("zeros%v_1x%d", b.Dtype(), in)))
	rows, err = gorgonia.Concat(0, rows, zero) // (B·T + 1, In): the last row stands for positions outside [0, T)
	if err != nil {
		return nil, err
	}
	taps := c.tapRows(bs, steps)
	cols, err := gorgonia.ByIndices(rows, taps, 0) // (B·T·K, In)
	if err != nil {
		return nil, err
	}
	if cols, err = graph.Reshape(cols, bs*steps, k*in); err != nil { // (B·T, K·In)
		return nil, err
	}
	wm, err := graph.Reshape(w, k*in, c.Cfg.Out) // (K·In, Out)
	if err != nil {
		return nil, err
	}
	y, err := gorgonia.Mul(cols, wm) // (B·T, Out)
	if err != nil {
		return nil, err
	}
	if !c.Cfg.NoBias {
		bias, err := b.Param(graph.Join(c.Name, "b"))
		if err != nil {
			return nil, err
		}
		if y, err = gorgonia.BroadcastAdd(y, bias, nil, []byte{0}); err != nil { // (B·T, Out)
			return nil, err
		}
	}
	if y, err = c.Cfg.Activation.Apply(y); err != nil { // (B·T, Out)
		return nil, err
	}
	if y, err = graph.Reshape(y, bs, steps, c.Cfg.Out); err != nil { // (B, T, Out)
		return nil, err
	}
	return maskSequence(y, mask) // (B, T, Out)
}

// tapRows lists, for every position (b, t) and tap j in that order, the row of the (B·T + 1, In) matrix
// that tap reads: b·T + t+j−L inside the sequence, the zero row B·T outside it. (Gorgonia merges constants
// by name, so the name says everything the values depend on.)
func (c *Conv1D) tapRows(bs, steps int) *gorgonia.Node {
	k := c.Cfg.Kernel
	left := (k - 1) / 2
	if c.Cfg.Causal {
		left = k - 1
	}
	idx := make([]int, 0, bs*steps*k)
	for bi := 0; bi < bs; bi++ {
		for t := 0; t < steps; t++ {
			for j := 0; j < k; j++ {
				p := t + j - left
				if p < 0 || p >= steps {
					idx = append(idx, bs*steps)
				} else {
					idx = append(idx, bi*steps+p)
				}
			}
		}
	}
	return gorgonia.NewConstant(tensor.New(tensor.WithShape(len(idx)), tensor.WithBacking(idx)),
		gorgonia.WithName(fmt.Sprintf("conv1d.taps(B=%d,T=%d,K=%d,L=%d)", bs, steps, k, left)))
}
