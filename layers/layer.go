package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// Layer maps one tensor to another.
type Layer interface {
	Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error)
}

// SeqLayer maps a (B, T, D) sequence and its (B, T) mask to another tensor.
type SeqLayer interface {
	Forward(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error)
}

// Activation names an element-wise non-linearity. The zero value is Linear (identity).
type Activation string

// The activations Dense and the feed-forward blocks understand.
const (
	Linear  Activation = ""
	ReLU    Activation = "relu"
	Tanh    Activation = "tanh"
	Sigmoid Activation = "sigmoid"
	GELU    Activation = "gelu" // tanh approximation (Hendrycks & Gimpel, 2016)
)

// Validate returns an error for an activation name this package does not know.
func (a Activation) Validate() error {
	switch a {
	case Linear, "linear", ReLU, Tanh, Sigmoid, GELU:
		return nil
	}
	return fmt.Errorf("unknown activation %q (want linear, relu, tanh, sigmoid or gelu)", string(a))
}

// Apply adds the activation to the graph.
func (a Activation) Apply(x *gorgonia.Node) (*gorgonia.Node, error) {
	switch a {
	case Linear, "linear":
		return x, nil
	case ReLU:
		return gorgonia.Rectify(x)
	case Tanh:
		return gorgonia.Tanh(x)
	case Sigmoid:
		return gorgonia.Sigmoid(x)
	case GELU:
		return gelu(x)
	}
	return nil, a.Validate()
}

// gelu(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
func gelu(x *gorgonia.Node) (*gorgonia.Node, error) {
	dt := x.Dtype()
	cube, err := gorgonia.Cube(x)
	if err != nil {
		return nil, err
	}
	inner, err := gorgonia.Add(x, mulScalar(cube, 0.044715, dt))
	if err != nil {
		return nil, err
	}
	th, err := gorgonia.Tanh(mulScalar(inner, 0.7978845608028654, dt))
	if err != nil {
		return nil, err
	}
	onePlus, err := gorgonia.Add(th, scalar(x.Graph(), 1, dt))
	if err != nil {
		return nil, err
	}
	half, err := gorgonia.HadamardProd(x, onePlus)
	if err != nil {
		return nil, err
	}
	return mulScalar(half, 0.5, dt), nil
}

// scalar makes a constant of the graph's float dtype.
func scalar(g *gorgonia.ExprGraph, v float64, dt tensor.Dtype) *gorgonia.Node {
	if dt == tensor.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}

// mulScalar returns x·v. It cannot fail for a float tensor x, so it panics (a programming error) if it does.
func mulScalar(x *gorgonia.Node, v float64, dt tensor.Dtype) *gorgonia.Node {
	return gorgonia.Must(gorgonia.Mul(x, scalar(x.Graph(), v, dt)))
}

// checkShape returns an error naming the layer when x does not have the wanted rank, or a wanted
// dimension (−1 = any) differs.
func checkShape(layer, what string, x *gorgonia.Node, want ...int) error {
	if x == nil {
		return fmt.Errorf("%s: %s is nil", layer, what)
	}
	s := x.Shape()
	if len(s) != len(want) {
		return fmt.Errorf("%s: %s has shape %v, want rank %d %v", layer, what, s, len(want), shapeString(want))
	}
	for i, w := range want {
		if w >= 0 && s[i] != w {
			return fmt.Errorf("%s: %s has shape %v, want %v", layer, what, s, shapeString(want))
		}
	}
	return nil
}

func shapeString(want []int) string {
	out := "("
	for i, w := range want {
		if i > 0 {
			out += ", "
		}
		if w < 0 {
			out += "·"
		} else {
			out += fmt.Sprint(w)
		}
	}
	return out + ")"
}

// checkMask verifies that mask is (B, T) for a (B, T, ·) sequence x.
func checkMask(layer string, x, mask *gorgonia.Node) error {
	if mask == nil {
		return fmt.Errorf("%s: mask is nil", layer)
	}
	xs := x.Shape()
	if err := checkShape(layer, "mask", mask, xs[0], xs[1]); err != nil {
		return fmt.Errorf("%w (sequence is %v)", err, xs)
	}
	return nil
}
