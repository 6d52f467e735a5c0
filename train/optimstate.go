package train

import (
	"fmt"
	"math"
	"strings"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// This file holds what the optimizers share: access to the backing arrays of parameters and
// gradients, and the per-parameter state slots that State and SetState save and restore.

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
