package graph

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"gorgonia.org/tensor"
)

// Join joins name parts with dots: Join("encoder", "lstm0", "w") == "encoder.lstm0.w".
// Empty parts are skipped.
func Join(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

// Param is one learnable tensor of a Store. Value is the master copy: every graph built on the store reads
// it directly, and optimizers update it in place.
type Param struct {
	Name  string
	Value *tensor.Dense
}

// Store owns every learnable tensor of a model under a hierarchical name, independently of any graph.
// Parameters are kept in the order they were added, so iteration (and initialisation from the seeded
// source) is deterministic.
type Store struct {
	dtype  tensor.Dtype
	rng    *rand.Rand
	params map[string]*Param
	order  []*Param
}

// NewStore returns an empty store whose tensors have the given dtype (tensor.Float32 or tensor.Float64).
// rng is the seeded source the initialisers draw from; it must not be nil.
func NewStore(dtype tensor.Dtype, rng *rand.Rand) *Store {
	if rng == nil {
		panic("graph.NewStore: nil rng") // programming error: randomness must be explicit
	}
	return &Store{dtype: dtype, rng: rng, params: map[string]*Param{}}
}

// Dtype is the element type of every tensor in the store.
func (s *Store) Dtype() tensor.Dtype { return s.dtype }

// Add declares a parameter of the given shape, filled by init drawing from the store's source.
// It is an error to add a name twice, or a shape with a zero or negative dimension.
func (s *Store) Add(name string, shape tensor.Shape, init Initializer) (*Param, error) {
	if name == "" {
		return nil, fmt.Errorf("graph: parameter with an empty name")
	}
	if _, dup := s.params[name]; dup {
		return nil, fmt.Errorf("graph: parameter %q declared twice", name)
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("graph: parameter %q: empty shape", name)
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("graph: parameter %q: shape %v has a non-positive dimension", name, shape)
		}
	}
	if s.dtype != tensor.Float32 && s.dtype != tensor.Float64 {
		return nil, fmt.Errorf("graph: parameter %q: unsupported dtype %v (want float32 or float64)", name, s.dtype)
	}
	vals := make([]float64, shape.TotalSize())
	if init != nil {
		if err := init(s.rng, shape, vals); err != nil {
			return nil, fmt.Errorf("graph: parameter %q: %w", name, err)
		}
	}
	p := &Param{Name: name, Value: newDense(s.dtype, shape, vals)}
	s.params[name] = p
	s.order = append(s.order, p)
	return p, nil
}

// Get returns the named parameter, or nil and false.
func (s *Store) Get(name string) (*Param, bool) {
	p, ok := s.params[name]
	return p, ok
}

// Params returns the parameters in the order they were added. The slice is a copy; the Params are shared.
func (s *Store) Params() []*Param { return append([]*Param(nil), s.order...) }

// Len is the number of parameters (tensors) in the store.
func (s *Store) Len() int { return len(s.order) }

// Size is the number of scalar weights in the store.
func (s *Store) Size() int {
	n := 0
	for _, p := range s.order {
		n += p.Value.Shape().TotalSize()
	}
	return n
}

// newDense makes a tensor of dtype holding vals (converted to float32 when needed).
func newDense(dtype tensor.Dtype, shape tensor.Shape, vals []float64) *tensor.Dense {
	if dtype == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(vals))
}

// Float64s returns a copy of a float32 or float64 tensor's data as float64.
func Float64s(t tensor.Tensor) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	return nil
}

// CopyFrom copies vals into a float32 or float64 tensor's backing array (no allocation).
// It returns an error when the lengths differ.
func CopyFrom(t tensor.Tensor, vals []float64) error {
	switch d := t.Data().(type) {
	case []float64:
		if len(d) != len(vals) {
			return fmt.Errorf("have %d values, tensor of shape %v holds %d", len(vals), t.Shape(), len(d))
		}
		copy(d, vals)
	case []float32:
		if len(d) != len(vals) {
			return fmt.Errorf("have %d values, tensor of shape %v holds %d", len(vals), t.Shape(), len(d))
		}
		for i, v := range vals {
			d[i] = float32(v)
		}
	default:
		return fmt.Errorf("tensor of dtype %v is not float32 or float64", t.Dtype())
	}
	return nil
}

// SetValues overwrites the named parameter with vals (row-major, converted to the store's dtype).
func (s *Store) SetValues(name string, vals []float64) error {
	p, ok := s.params[name]
	if !ok {
		return fmt.Errorf("graph: no parameter %q in the store", name)
	}
	if err := CopyFrom(p.Value, vals); err != nil {
		return fmt.Errorf("graph: parameter %q: %w", name, err)
	}
	return nil
}
