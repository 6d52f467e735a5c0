package graph

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BuilderConfig says what kind of graph a Builder makes. The zero value builds an evaluation graph.
type BuilderConfig struct {
	Train bool   // train-only behaviour (dropout) is active
	Seed  uint64 // seeds the noise (dropout masks) that a Program draws before each run
}

// Builder builds one computation graph on a Store. Parameters come from the store by name and are shared
// with every other graph built on it; inputs are named so that a Program can bind batches to them.
type Builder struct {
	G     *gorgonia.ExprGraph
	Store *Store
	Train bool

	pcg        *rand.PCG
	rng        *rand.Rand
	params     map[string]*gorgonia.Node
	paramOrder []*gorgonia.Node
	inputs     map[string]*gorgonia.Node
	probes     []*gorgonia.Node
	noise      []noise
	scratch    []float64 // what a noise input's fill writes, as large as the largest; shared by all of them
	names      map[string]bool
}

// noise is an input that the program refills before every run.
type noise struct {
	node *gorgonia.Node
	fill func(rng *rand.Rand, out []float64)
}

// NewBuilder starts a new graph on store.
func NewBuilder(store *Store, cfg BuilderConfig) *Builder {
	pcg := rand.NewPCG(cfg.Seed, 0x6e6f697365)
	return &Builder{
		G:      gorgonia.NewGraph(),
		Store:  store,
		Train:  cfg.Train,
		pcg:    pcg,
		rng:    rand.New(pcg),
		params: map[string]*gorgonia.Node{},
		inputs: map[string]*gorgonia.Node{},
		names:  map[string]bool{},
	}
}

// Dtype is the element type of the graph's float tensors (the store's).
func (b *Builder) Dtype() tensor.Dtype { return b.Store.dtype }

// Param returns the node of the named store parameter in this graph, creating it on first use.
// The node's value is the store's tensor itself, so updates to the store are seen by every graph.
func (b *Builder) Param(name string) (*gorgonia.Node, error) {
	if n, ok := b.params[name]; ok {
		return n, nil
	}
	p, ok := b.Store.Get(name)
	if !ok {
		return nil, fmt.Errorf("graph: no parameter %q in the store", name)
	}
	n := gorgonia.NewTensor(b.G, b.Store.dtype, p.Value.Dims(), gorgonia.WithShape(p.Value.Shape().Clone()...),
		gorgonia.WithName(name), gorgonia.WithValue(p.Value))
	b.params[name] = n
	b.paramOrder = append(b.paramOrder, n)
	return n, nil
}

// Params returns the parameter nodes used by this graph, in the order they were first used.
func (b *Builder) Params() []*gorgonia.Node { return append([]*gorgonia.Node(nil), b.paramOrder...) }

// Input declares a named float input of the given shape (store dtype), initially zero.
func (b *Builder) Input(name string, shape ...int) (*gorgonia.Node, error) {
	return b.input(name, b.Store.dtype, shape)
}

// IntInput declares a named integer input (token ids for embeddings), initially zero.
func (b *Builder) IntInput(name string, shape ...int) (*gorgonia.Node, error) {
	return b.input(name, tensor.Int, shape)
}

// Lookup returns a previously declared input by name.
func (b *Builder) Lookup(name string) (*gorgonia.Node, bool) {
	n, ok := b.inputs[name]
	return n, ok
}

func (b *Builder) input(name string, dt tensor.Dtype, shape []int) (*gorgonia.Node, error) {
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("graph: input %q: shape %v has a non-positive dimension", name, shape)
		}
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("graph: input %q: empty shape", name)
	}
	if err := b.claim(name); err != nil {
		return nil, err
	}
	val := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	n := gorgonia.NewTensor(b.G, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(val))
	b.inputs[name] = n
	return n, nil
}

// Probe declares a float input that is zero and stays zero, whose gradient a Program compiled with a
// loss computes at every run (Program.ProbeGrad): add it to an intermediate value v of the same shape,
// v + probe, and the gradient of the loss with respect to the probe is the gradient with respect to v.
// Notebooks read, this way, how the loss depends on each step's input of a recurrent network.
func (b *Builder) Probe(name string, shape ...int) (*gorgonia.Node, error) {
	n, err := b.input(name, b.Store.dtype, shape)
	if err != nil {
		return nil, err
	}
	b.probes = append(b.probes, n)
	return n, nil
}

// Noise declares an input that the Program refills with fill(rng, data) before every run, drawing from the
// builder's seeded source: dropout masks are made this way, so training is reproducible by seed.
func (b *Builder) Noise(name string, shape tensor.Shape, fill func(rng *rand.Rand, out []float64)) (*gorgonia.Node, error) {
	n, err := b.input(name, b.Store.dtype, shape)
	if err != nil {
		return nil, err
	}
	b.noise = append(b.noise, noise{node: n, fill: fill})
	return n, nil
}

// Unique returns name if no input of this graph has it yet, else name with a numeric suffix.
func (b *Builder) Unique(name string) string {
	if !b.names[name] {
		return name
	}
	for i := 1; ; i++ {
		if c := fmt.Sprintf("%s#%d", name, i); !b.names[c] {
			return c
		}
	}
}

func (b *Builder) claim(name string) error {
	if name == "" {
		return fmt.Errorf("graph: input with an empty name")
	}
	if b.names[name] {
		return fmt.Errorf("graph: input %q declared twice", name)
	}
	if _, isParam := b.Store.Get(name); isParam {
		return fmt.Errorf("graph: input %q has the name of a parameter", name)
	}
	b.names[name] = true
	return nil
}

// refillNoise draws fresh noise for every noise input.
func (b *Builder) refillNoise() error {
	for i := range b.noise {
		nz := &b.noise[i]
		n := nz.node.Shape().TotalSize()
		if cap(b.scratch) < n {
			b.scratch = make([]float64, n)
		}
		nz.fill(b.rng, b.scratch[:n])
		if err := CopyFrom(nz.node.Value().(tensor.Tensor), b.scratch[:n]); err != nil {
			return fmt.Errorf("graph: noise %q: %w", nz.node.Name(), err)
		}
	}
	return nil
}

// NoiseState returns the state of the source that draws the noise inputs (dropout masks), for a
// checkpoint: restoring it with SetNoiseState makes the following runs draw the same masks.
func (b *Builder) NoiseState() ([]byte, error) { return b.pcg.MarshalBinary() }

// SetNoiseState restores a state returned by NoiseState.
func (b *Builder) SetNoiseState(state []byte) error {
	if err := b.pcg.UnmarshalBinary(state); err != nil {
		return fmt.Errorf("graph: noise state: %w", err)
	}
	return nil
}

// Strays lists the variables of the graph (nodes without an op) that are neither a store parameter
// nor a declared input, by name. A layer that made a learnable tensor of its own, outside the store,
// shows up here: it would be missing from checkpoints and from the optimizer. Empty is correct.
func (b *Builder) Strays() []string {
	params := map[*gorgonia.Node]bool{}
	for _, p := range b.paramOrder {
		params[p] = true
	}
	var out []string
	for _, n := range b.G.AllNodes() {
		if n.Op() != nil || params[n] {
			continue
		}
		if in, ok := b.inputs[n.Name()]; ok && in == n {
			continue
		}
		out = append(out, fmt.Sprintf("%s %v", n.Name(), n.Shape()))
	}
	return out
}

// CheckLearnables returns an error when the graph uses no store parameter at all, or has variables
// that are neither store parameters nor inputs (Strays): every learnable tensor of a model must live
// in the store, where checkpoints and optimizers find it.
func (b *Builder) CheckLearnables() error {
	if len(b.paramOrder) == 0 {
		return fmt.Errorf("graph: the graph uses no store parameter")
	}
	if s := b.Strays(); len(s) > 0 {
		return fmt.Errorf("graph: variables outside the store and the inputs: %s", strings.Join(s, ", "))
	}
	return nil
}
