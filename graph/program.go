package graph

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Program is a compiled graph: a Gorgonia TapeMachine over a Builder's graph, with its named inputs,
// built once and fed batch after batch. When it has a loss, every run also computes the gradient of the
// loss with respect to every parameter the graph uses.
//
// Gorgonia's TapeMachine reuses registers, so a node's value may be overwritten later in the same run.
// Program therefore copies the loss and the requested outputs as soon as they are computed (see keepOp),
// and takes parameter gradients from the dual values that the machine accumulates as it goes; the
// accumulators are zeroed before each run.
type Program struct {
	b       *Builder
	vm      gorgonia.VM
	params  []*gorgonia.Node
	probes  []*gorgonia.Node // Builder.Probe inputs, differentiated like the parameters
	loss    *keepOp
	outputs []*keepOp
	closed  bool

	frozenNoise bool // set by CheckGradients: keep the noise drawn at its first run
}

// Compile adds the backward pass for loss (a scalar; nil for a forward-only program) and compiles the
// graph once. outputs are nodes whose values the caller reads after each run (Output).
func Compile(b *Builder, loss *gorgonia.Node, outputs ...*gorgonia.Node) (p *Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("graph: compile: %v", r)
		}
	}()
	p = &Program{b: b}
	var opts []gorgonia.VMOpt
	if loss != nil {
		if !loss.IsScalar() {
			return nil, fmt.Errorf("graph: compile: loss must be a scalar, has shape %v", loss.Shape())
		}
		p.params, p.probes = b.Params(), b.probes
		if wrt := append(b.Params(), b.probes...); len(wrt) > 0 {
			if _, err := gorgonia.Grad(loss, wrt...); err != nil {
				return nil, fmt.Errorf("graph: compile: gradients: %w", err)
			}
			opts = append(opts, gorgonia.BindDualValues(wrt...))
		}
		if p.loss, err = keep(loss); err != nil {
			return nil, err
		}
	}
	for _, o := range outputs {
		k, err := keep(o)
		if err != nil {
			return nil, err
		}
		p.outputs = append(p.outputs, k)
	}
	if _, err := separateCollisions(b.G); err != nil {
		return nil, err
	}
	p.vm = gorgonia.NewTapeMachine(b.G, opts...)
	return p, nil
}

// Set copies vals into the named float input (no allocation). The length must match the input's shape.
func (p *Program) Set(name string, vals []float64) error {
	n, ok := p.b.inputs[name]
	if !ok {
		return fmt.Errorf("graph: no input %q", name)
	}
	if err := CopyFrom(n.Value().(tensor.Tensor), vals); err != nil {
		return fmt.Errorf("graph: input %q: %w", name, err)
	}
	return nil
}

// SetInts copies ids into the named integer input. The length must match the input's shape.
func (p *Program) SetInts(name string, ids []int) error {
	n, ok := p.b.inputs[name]
	if !ok {
		return fmt.Errorf("graph: no input %q", name)
	}
	d, ok := n.Value().Data().([]int)
	if !ok {
		return fmt.Errorf("graph: input %q is not an integer input", name)
	}
	if len(d) != len(ids) {
		return fmt.Errorf("graph: input %q: have %d ids, shape %v holds %d", name, len(ids), n.Shape(), len(d))
	}
	copy(d, ids)
	return nil
}

// Run executes the program once on the inputs as last set: forward, and backward when it has a loss.
//
// Gorgonia's TapeMachine executes the ops on a goroutine of its own, so a panic inside an op cannot be
// recovered here and ends the process. Layers therefore check shapes when they build the graph, and
// check values that only a run can see (embedding ids) in ops that return errors; an op error comes
// back from Run.
func (p *Program) Run() (err error) {
	if p.closed {
		return fmt.Errorf("graph: run of a closed program")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("graph: run: %v", r)
		}
	}()
	if !p.frozenNoise {
		if err := p.b.refillNoise(); err != nil {
			return err
		}
	}
	for _, nodes := range [...][]*gorgonia.Node{p.params, p.probes} { // no append: nothing allocated per run
		for _, n := range nodes {
			if g, err := n.Grad(); err == nil && g != nil {
				if t, ok := g.(tensor.Tensor); ok {
					t.Zero()
				}
			}
		}
	}
	p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return fmt.Errorf("graph: run: %w", err)
	}
	return nil
}

// Loss is the loss of the last run. It panics if the program has no loss.
func (p *Program) Loss() float64 {
	if p.loss == nil {
		panic("graph: Loss of a program compiled without a loss")
	}
	return p.loss.buf[0]
}

// Output returns the values of the i-th output of the last run, as float64 in row-major order.
// The slice is owned by the program and overwritten by the next run: copy what you keep.
func (p *Program) Output(i int) []float64 { return p.outputs[i].buf }

// Grad returns the gradient of the loss with respect to the named parameter from the last run.
// The tensor is owned by the program and overwritten by the next run.
func (p *Program) Grad(name string) (tensor.Tensor, error) {
	n, ok := p.b.params[name]
	if !ok || p.loss == nil {
		return nil, fmt.Errorf("graph: no gradient for %q", name)
	}
	g, err := n.Grad()
	if err != nil {
		return nil, fmt.Errorf("graph: no gradient for %q: %w", name, err)
	}
	t, ok := g.(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("graph: gradient of %q is a %T, not a tensor", name, g)
	}
	return t, nil
}

// ProbeGrad returns the gradient of the loss with respect to the named probe (Builder.Probe) from the
// last run, as float64 in row-major order; the slice is the caller's. It is an error when the program
// has no loss or no such probe.
func (p *Program) ProbeGrad(name string) ([]float64, error) {
	for _, n := range p.probes {
		if n.Name() != name {
			continue
		}
		g, err := n.Grad()
		if err != nil {
			return nil, fmt.Errorf("graph: no gradient for probe %q: %w", name, err)
		}
		t, ok := g.(tensor.Tensor)
		if !ok {
			return nil, fmt.Errorf("graph: gradient of probe %q is a %T, not a tensor", name, g)
		}
		return Float64s(t), nil
	}
	return nil, fmt.Errorf("graph: no probe %q in a program with a loss", name)
}

// GradNorm is the global L2 norm of all parameter gradients of the last run.
func (p *Program) GradNorm() (float64, error) {
	var sum float64
	for _, n := range p.params {
		g, err := p.Grad(n.Name())
		if err != nil {
			return 0, err
		}
		for _, v := range Float64s(g) {
			sum += v * v
		}
	}
	return math.Sqrt(sum), nil
}

// Builder is the builder whose graph this program runs.
func (p *Program) Builder() *Builder { return p.b }

// Close releases the machine. A closed program cannot run.
func (p *Program) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	return p.vm.Close()
}
