package train

import (
	"fmt"
	"math"
	"strings"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// OptimizerConfig chooses and configures the optimizer. The zero value is Adam with PyTorch's defaults.
// A zero field means its default, so β1 = 0 cannot be asked for.
//
// Weight decay applies to every parameter, biases and norm gains included, as PyTorch does when
// parameters are not split into groups. For sgd and adam it is L2 regularisation added to the gradient
// (g ← g + wd·p); for adamw it is decoupled (p ← p·(1 − lr·wd) before the Adam step; Loshchilov & Hutter,
// "Decoupled Weight Decay Regularization", ICLR 2019). Note that PyTorch's AdamW defaults to wd = 0.01;
// here every optimizer defaults to 0.
type OptimizerConfig struct {
	Name        string  `json:"name"`         // "sgd", "adam" (default), "adamw"
	Momentum    float64 `json:"momentum"`     // SGD momentum μ in [0, 1); default 0 (plain SGD)
	Nesterov    bool    `json:"nesterov"`     // SGD Nesterov momentum (needs Momentum > 0)
	Beta1       float64 `json:"beta1"`        // Adam β1 in [0, 1); default 0.9
	Beta2       float64 `json:"beta2"`        // Adam β2 in [0, 1); default 0.999
	Eps         float64 `json:"eps"`          // Adam ε; default 1e-8
	WeightDecay float64 `json:"weight_decay"` // L2 (sgd, adam) or decoupled (adamw) decay; default 0
}

// WithDefaults returns c with its zero fields set to their defaults. Adam's β1, β2 and ε are filled in only
// for adam and adamw.
func (c OptimizerConfig) WithDefaults() OptimizerConfig {
	if c.Name == "" {
		c.Name = "adam"
	}
	if c.Name == "adam" || c.Name == "adamw" {
		if c.Beta1 == 0 {
			c.Beta1 = 0.9
		}
		if c.Beta2 == 0 {
			c.Beta2 = 0.999
		}
		if c.Eps == 0 {
			c.Eps = 1e-8
		}
	}
	return c
}

// Validate reports an unknown name, a negative or non-finite value, a β or μ outside [0, 1), Nesterov
// without momentum, and a setting that the chosen optimizer would ignore (momentum for Adam, β for SGD).
func (c OptimizerConfig) Validate() error {
	name := c.WithDefaults().Name
	inUnit := func(field string, v float64) error {
		if !(v >= 0 && v < 1) {
			return fmt.Errorf("optimizer %s: %s = %v, want a value in [0, 1)", name, field, v)
		}
		return nil
	}
	switch name {
	case "sgd":
		if err := inUnit("momentum", c.Momentum); err != nil {
			return err
		}
		if c.Nesterov && c.Momentum == 0 {
			return fmt.Errorf("optimizer sgd: nesterov needs momentum > 0")
		}
		if c.Beta1 != 0 || c.Beta2 != 0 || c.Eps != 0 {
			return fmt.Errorf("optimizer sgd: beta1, beta2 and eps are Adam settings; sgd does not use them")
		}
	case "adam", "adamw":
		if c.Momentum != 0 || c.Nesterov {
			return fmt.Errorf("optimizer %s: momentum and nesterov are SGD settings (Adam's momentum is beta1)", name)
		}
		if err := inUnit("beta1", c.Beta1); err != nil {
			return err
		}
		if err := inUnit("beta2", c.Beta2); err != nil {
			return err
		}
		if !(c.Eps >= 0) || math.IsInf(c.Eps, 0) {
			return fmt.Errorf("optimizer %s: eps = %v, want a finite value ≥ 0", name, c.Eps)
		}
	default:
		return fmt.Errorf("optimizer: unknown name %q (want sgd, adam or adamw)", c.Name)
	}
	if !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0) {
		return fmt.Errorf("optimizer %s: weight_decay = %v, want a finite value ≥ 0", name, c.WeightDecay)
	}
	return nil
}

// Optimizer updates parameters in place from their gradients.
//
// State is kept in float64 whatever the parameters' dtype: each update is computed in float64 from the
// parameter, its gradient and the state, and a float32 parameter receives the float32 rounding of the
// result. An optimizer binds to the parameter list of its first Step (names, order and sizes) and
// allocates its state then; later Steps must pass the same list and allocate nothing.
type Optimizer interface {
	// Step applies one update with learning rate lr: params[i] is updated from grads[i], which must have
	// the parameter's dtype and size. len(params) == len(grads); a nil grad skips that parameter (one the
	// graph does not use) without advancing its state, as PyTorch skips a parameter whose grad is None.
	// Every argument is checked before any update: after an error, parameters and state are unchanged.
	Step(params []*graph.Param, grads []tensor.Tensor, lr float64) error
	// State returns a copy of the optimizer's state for a checkpoint: the number of Step calls and named
	// float64 slots "<kind>/<param>": "velocity/<param>" (SGD with momentum), "m/<param>" and "v/<param>"
	// (Adam), and "step/<param>", the updates that parameter has received (one value).
	State() OptimizerState
	// SetState restores a state returned by State. The slots are checked against the parameters at once
	// if the optimizer has taken a step, else on the first Step: a missing, extra or wrongly sized slot is
	// an error naming it.
	SetState(s OptimizerState) error
}

// OptimizerState is an optimizer's state: the number of Step calls and its per-parameter slots.
type OptimizerState struct {
	Step  int    `json:"step"`
	Slots []Slot `json:"slots"`
}

// Slot is one named float64 array of optimizer state.
type Slot struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// NewOptimizer returns the optimizer cfg names, after validating it and filling in its defaults.
func NewOptimizer(cfg OptimizerConfig) (Optimizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	switch cfg.Name {
	case "sgd":
		kinds := []string(nil)
		if cfg.Momentum > 0 {
			kinds = []string{"velocity"}
		}
		return &sgd{cfg: cfg, state: newSlots("sgd", kinds...)}, nil
	default:
		return &adam{cfg: cfg, decoupled: cfg.Name == "adamw", state: newSlots(cfg.Name, "m", "v")}, nil
	}
}

// sgd is stochastic gradient descent with optional momentum and Nesterov momentum, as torch.optim.SGD
// (PyTorch 1.13, dampening 0). With d = g + wd·p:
//
//	plain:     p ← p − lr·d
//	momentum:  b ← μ·b + d (b = d on a parameter's first update),  p ← p − lr·b
//	Nesterov:  b as above,  p ← p − lr·(d + μ·b)
//
// (Sutskever et al., "On the importance of initialization and momentum in deep learning", ICML 2013.)
type sgd struct {
	cfg   OptimizerConfig
	state *slots
}

var _ Optimizer = (*sgd)(nil)

func (o *sgd) Step(params []*graph.Param, grads []tensor.Tensor, lr float64) error {
	if err := o.state.begin(params, grads, lr); err != nil {
		return err
	}
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		ps := &o.state.params[i]
		var vel []float64
		if len(ps.bufs) > 0 {
			vel = ps.bufs[0]
		}
		first := ps.steps == 0
		p32, p64, g32, g64, err := operands(o.state.name, p, grads[i], ps.size)
		if err != nil {
			return err
		}
		if p32 != nil {
			sgdUpdate(p32, g32, vel, first, lr, o.cfg.Momentum, o.cfg.WeightDecay, o.cfg.Nesterov)
		} else {
			sgdUpdate(p64, g64, vel, first, lr, o.cfg.Momentum, o.cfg.WeightDecay, o.cfg.Nesterov)
		}
		ps.steps++
	}
	o.state.step++
	return nil
}

// sgdUpdate applies one SGD update to p in float64; vel is nil without momentum.
func sgdUpdate[T float32 | float64](p, g []T, vel []float64, first bool, lr, mu, wd float64, nesterov bool) {
	g = g[:len(p)]
	for i := range p {
		pi := float64(p[i])
		d := float64(g[i])
		if wd != 0 {
			d += wd * pi
		}
		if vel != nil {
			if first {
				vel[i] = d
			} else {
				vel[i] = vel[i]*mu + d
			}
			if nesterov {
				d += mu * vel[i]
			} else {
				d = vel[i]
			}
		}
		p[i] = T(pi - lr*d)
	}
}

func (o *sgd) State() OptimizerState           { return o.state.get() }
func (o *sgd) SetState(s OptimizerState) error { return o.state.set(s) }

// adam is Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with PyTorch 1.13's
// bias correction, and AdamW when decoupled. At a parameter's t-th update (t = 1, 2, …):
//
//	AdamW only: p ← p·(1 − lr·wd)
//	g ← g + wd·p                      (Adam only: L2)
//	m ← β1·m + (1 − β1)·g
//	v ← β2·v + (1 − β2)·g²
//	p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
type adam struct {
	cfg       OptimizerConfig
	decoupled bool
	state     *slots
}

var _ Optimizer = (*adam)(nil)

func (o *adam) Step(params []*graph.Param, grads []tensor.Tensor, lr float64) error {
	if err := o.state.begin(params, grads, lr); err != nil {
		return err
	}
	b1, b2, wd := o.cfg.Beta1, o.cfg.Beta2, o.cfg.WeightDecay
	l2, decay := wd, 1.0
	if o.decoupled {
		l2, decay = 0, 1-lr*wd
	}
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		ps := &o.state.params[i]
		t := float64(ps.steps + 1)
		stepSize := lr / (1 - math.Pow(b1, t))
		bc2Sqrt := math.Sqrt(1 - math.Pow(b2, t))
		p32, p64, g32, g64, err := operands(o.state.name, p, grads[i], ps.size)
		if err != nil {
			return err
		}
		m, v := ps.bufs[0], ps.bufs[1]
		if p32 != nil {
			adamUpdate(p32, g32, m, v, decay, l2, b1, b2, stepSize, bc2Sqrt, o.cfg.Eps)
		} else {
			adamUpdate(p64, g64, m, v, decay, l2, b1, b2, stepSize, bc2Sqrt, o.cfg.Eps)
		}
		ps.steps++
	}
	o.state.step++
	return nil
}

// adamUpdate applies one Adam update to p in float64. The operations follow torch's order (mul_, add_,
// addcmul_, addcdiv_) so that float64 results agree with PyTorch to rounding.
func adamUpdate[T float32 | float64](p, g []T, m, v []float64, decay, l2, b1, b2, stepSize, bc2Sqrt, eps float64) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		pi := float64(p[i])
		if decay != 1 {
			pi *= decay
		}
		gi := float64(g[i])
		if l2 != 0 {
			gi += l2 * pi
		}
		m[i] = m[i]*b1 + (1-b1)*gi
		v[i] = v[i]*b2 + (1-b2)*gi*gi
		denom := math.Sqrt(v[i])/bc2Sqrt + eps
		p[i] = T(pi - stepSize*m[i]/denom)
	}
}

func (o *adam) State() OptimizerState           { return o.state.get() }
func (o *adam) SetState(s OptimizerState) error { return o.state.set(s) }

// operands returns the backing arrays of a parameter and its gradient without allocating: p32 and g32 for
// float32, p64 and g64 for float64 (the others nil). Both must have the same dtype and size elements.
func operands(opt string, p *graph.Param, g tensor.Tensor, size int) (p32 []float32, p64 []float64, g32 []float32, g64 []float64, err error) {
	if p32, p64, err = backing(p.Value); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: parameter %q: %w", opt, p.Name, err)
	}
	if g32, g64, err = backing(g); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: gradient of %q: %w", opt, p.Name, err)
	}
	switch {
	case (p32 != nil) != (g32 != nil):
		return nil, nil, nil, nil, fmt.Errorf("%s: parameter %q is %v but its gradient is %v", opt, p.Name, p.Value.Dtype(), g.Dtype())
	case len(p32)+len(p64) != size:
		return nil, nil, nil, nil, fmt.Errorf("%s: parameter %q has %d values, the optimizer state %d", opt, p.Name, len(p32)+len(p64), size)
	case len(g32)+len(g64) != size:
		return nil, nil, nil, nil, fmt.Errorf("%s: gradient of %q has %d values, want %d", opt, p.Name, len(g32)+len(g64), size)
	}
	return p32, p64, g32, g64, nil
}

// backing returns the float32 or float64 backing array of t (the other is nil). For a *tensor.Dense it
// does not allocate, unlike Data(), which builds its slice through reflection; a scalar-shaped Dense
// yields its one element.
func backing(t tensor.Tensor) ([]float32, []float64, error) {
	if d, ok := t.(*tensor.Dense); ok {
		if d.IsView() {
			return nil, nil, fmt.Errorf("tensor is a view; want a dense array")
		}
		switch d.Dtype() {
		case tensor.Float32:
			return d.Float32s(), nil, nil
		case tensor.Float64:
			return nil, d.Float64s(), nil
		}
		return nil, nil, fmt.Errorf("dtype %v is not float32 or float64", d.Dtype())
	}
	switch d := t.Data().(type) {
	case []float32:
		return d, nil, nil
	case []float64:
		return nil, d, nil
	}
	return nil, nil, fmt.Errorf("%T of dtype %v is not a float32 or float64 array", t, t.Dtype())
}

// paramState is the optimizer state of one parameter: its size, how many updates it has received, and one
// float64 buffer per slot kind.
type paramState struct {
	name  string
	size  int
	steps int
	bufs  [][]float64
}

// slots holds an optimizer's per-parameter state, bound to the parameter list of the first Step.
type slots struct {
	name    string          // optimizer name, for errors
	kinds   []string        // slot kinds: none (plain SGD), "velocity", or "m" and "v"
	params  []paramState    // nil until bound
	step    int             // Step calls
	pending *OptimizerState // set by SetState before binding; applied when binding
}

func newSlots(name string, kinds ...string) *slots { return &slots{name: name, kinds: kinds} }

// begin checks the arguments of a Step, all of them before any update, and binds the state to params on
// the first call.
func (s *slots) begin(params []*graph.Param, grads []tensor.Tensor, lr float64) error {
	if len(params) != len(grads) {
		return fmt.Errorf("%s: %d parameters but %d gradients", s.name, len(params), len(grads))
	}
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%s: learning rate %v, want a finite value ≥ 0", s.name, lr)
	}
	if s.params == nil {
		if err := s.bind(params); err != nil {
			return err
		}
	}
	if len(params) != len(s.params) {
		return fmt.Errorf("%s: %d parameters, but the optimizer was first stepped with %d", s.name, len(params), len(s.params))
	}
	for i, p := range params {
		if p.Name != s.params[i].name {
			return fmt.Errorf("%s: parameter %d is %q, but the optimizer was first stepped with %q there", s.name, i, p.Name, s.params[i].name)
		}
		if grads[i] == nil {
			continue
		}
		if _, _, _, _, err := operands(s.name, p, grads[i], s.params[i].size); err != nil {
			return err // before any update: a failed Step changes nothing
		}
	}
	return nil
}

// bind allocates the state for params, then applies a pending SetState.
func (s *slots) bind(params []*graph.Param) error {
	ps := make([]paramState, len(params))
	seen := make(map[string]bool, len(params))
	for i, p := range params {
		if seen[p.Name] {
			return fmt.Errorf("%s: parameter %q passed twice", s.name, p.Name)
		}
		seen[p.Name] = true
		n := p.Value.Shape().TotalSize()
		ps[i] = paramState{name: p.Name, size: n, bufs: make([][]float64, len(s.kinds))}
		for k := range s.kinds {
			ps[i].bufs[k] = make([]float64, n)
		}
	}
	if s.pending != nil {
		if err := load(s.name, s.kinds, ps, *s.pending); err != nil {
			return err
		}
		s.pending = nil
	}
	s.params = ps
	return nil
}

// get returns a deep copy of the state.
func (s *slots) get() OptimizerState {
	if s.params == nil {
		if s.pending != nil {
			return copyState(*s.pending)
		}
		return OptimizerState{Step: s.step}
	}
	st := OptimizerState{Step: s.step}
	if len(s.kinds) == 0 {
		return st
	}
	for _, p := range s.params {
		for k, kind := range s.kinds {
			st.Slots = append(st.Slots, Slot{Name: kind + "/" + p.name, Values: append([]float64(nil), p.bufs[k]...)})
		}
		st.Slots = append(st.Slots, Slot{Name: "step/" + p.name, Values: []float64{float64(p.steps)}})
	}
	return st
}

// set restores st: at once when bound, else on the first Step.
func (s *slots) set(st OptimizerState) error {
	if st.Step < 0 {
		return fmt.Errorf("%s: state has step %d < 0", s.name, st.Step)
	}
	seen := make(map[string]bool, len(st.Slots))
	for _, sl := range st.Slots {
		kind, param, ok := strings.Cut(sl.Name, "/")
		known := kind == "step" && len(s.kinds) > 0
		for _, k := range s.kinds {
			known = known || kind == k
		}
		if !ok || param == "" || !known {
			return fmt.Errorf("%s: state slot %q is not one of this optimizer's (%s)", s.name, sl.Name, s.slotForms())
		}
		if seen[sl.Name] {
			return fmt.Errorf("%s: state slot %q appears twice", s.name, sl.Name)
		}
		seen[sl.Name] = true
	}
	if s.params == nil {
		c := copyState(st)
		s.pending, s.step = &c, st.Step
		return nil
	}
	if err := load(s.name, s.kinds, s.params, st); err != nil {
		return err
	}
	s.step = st.Step
	return nil
}

// slotForms describes the slot names s accepts, for errors.
func (s *slots) slotForms() string {
	if len(s.kinds) == 0 {
		return "it keeps no slots"
	}
	forms := make([]string, 0, len(s.kinds)+1)
	for _, k := range append(s.kinds[:len(s.kinds):len(s.kinds)], "step") {
		forms = append(forms, k+"/<param>")
	}
	return strings.Join(forms, ", ")
}

// load copies st's slots into ps after checking that every slot exists with the right length and that
// st has no slot for another parameter; on error ps is unchanged. A state without slots at step 0 (that
// of an optimizer that never stepped) resets ps.
func load(name string, kinds []string, ps []paramState, st OptimizerState) error {
	if len(kinds) == 0 {
		return nil // plain SGD: no slots (set rejected any)
	}
	if len(st.Slots) == 0 && st.Step == 0 {
		for i := range ps {
			ps[i].steps = 0
			for _, b := range ps[i].bufs {
				clear(b)
			}
		}
		return nil
	}
	byName := make(map[string][]float64, len(st.Slots))
	for _, sl := range st.Slots {
		byName[sl.Name] = sl.Values
	}
	used := 0
	steps := make([]int, len(ps))
	for i, p := range ps {
		for _, kind := range kinds {
			vals, ok := byName[kind+"/"+p.name]
			if !ok {
				return fmt.Errorf("%s: state has no slot %q for parameter %q", name, kind+"/"+p.name, p.name)
			}
			if len(vals) != p.size {
				return fmt.Errorf("%s: state slot %q has %d values, parameter %q has %d", name, kind+"/"+p.name, len(vals), p.name, p.size)
			}
			used++
		}
		vals, ok := byName["step/"+p.name]
		if !ok {
			return fmt.Errorf("%s: state has no slot %q for parameter %q", name, "step/"+p.name, p.name)
		}
		if len(vals) != 1 || !(vals[0] >= 0) || vals[0] != math.Trunc(vals[0]) || vals[0] > 1<<53 {
			return fmt.Errorf("%s: state slot %q = %v, want one whole number ≥ 0", name, "step/"+p.name, vals)
		}
		steps[i] = int(vals[0])
		used++
	}
	if used != len(byName) {
		have := make(map[string]bool, len(ps))
		for _, p := range ps {
			have[p.name] = true
		}
		for _, sl := range st.Slots {
			if _, param, _ := strings.Cut(sl.Name, "/"); !have[param] {
				return fmt.Errorf("%s: state slot %q is for a parameter the optimizer does not update", name, sl.Name)
			}
		}
	}
	for i, p := range ps {
		for k, kind := range kinds {
			copy(p.bufs[k], byName[kind+"/"+p.name])
		}
		ps[i].steps = steps[i]
	}
	return nil
}

// copyState returns a deep copy of st.
func copyState(st OptimizerState) OptimizerState {
	c := OptimizerState{Step: st.Step}
	if st.Slots != nil {
		c.Slots = make([]Slot, len(st.Slots))
		for i, sl := range st.Slots {
			c.Slots[i] = Slot{Name: sl.Name, Values: append([]float64(nil), sl.Values...)}
		}
	}
	return c
}
