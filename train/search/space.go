package search

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Kind is the type of a search parameter.
type Kind string

// Parameter kinds.
const (
	Uniform    Kind = "uniform"     // a real number in [Low, High], optionally on a Step grid from Low
	LogUniform Kind = "log_uniform" // a real number in [Low, High], 0 < Low, uniform in log x
	Int        Kind = "int"         // a whole number ⌈Low⌉ + k·Step ≤ High; Log samples on a log scale
	Choice     Kind = "choice"      // one of Choices
)

// Param is one searched setting.
type Param struct {
	// Name is a dotted path into the experiment: "model.<field>…" inside the model's config
	// ("model.hiddens", "model.head.dropout") or "train.<field>…" inside the training config
	// ("train.lr", "train.optimizer.weight_decay"). Data settings are not searchable.
	Name string
	Kind Kind
	// Low and High bound Uniform, LogUniform and Int parameters, both included; Low < High.
	Low, High float64
	// Step is the spacing of an Int parameter's values (a whole number; 0 means 1) or, when positive,
	// the quantisation of a Uniform one (its values are Low + k·Step ≤ High). Other kinds have none.
	Step float64
	// Log samples an Int parameter on a log scale (needs Low ≥ 1 and Step 1).
	Log bool
	// Choices are a Choice parameter's options: JSON values (numbers, strings, bools, arrays such as
	// [128, 64], objects). A Go value is used as json.Marshal writes it.
	Choices []any
}

// Space is the set of parameters a study searches, in the order of its file.
type Space struct {
	Params []Param
}

// refused lists the settings a space may not search, with the reason.
var refused = map[string]string{
	"train.epochs": "the study's budget and pruner decide how long a trial trains",
	"train.seed":   "the study gives each trial its own seed",
}

// Validate returns nil for a well-formed space, or one error per bad parameter (joined), each
// naming the parameter and what was expected. It does not look at any experiment: Check does.
func (s *Space) Validate() error {
	if len(s.Params) == 0 {
		return errors.New("space: no parameters")
	}
	var errs []error
	seen := map[string]bool{}
	for _, p := range s.Params {
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("space: %w", err))
		} else if seen[p.Name] {
			errs = append(errs, fmt.Errorf("space: parameter %q appears twice", p.Name))
		}
		seen[p.Name] = true
	}
	return errors.Join(errs...)
}

// validate checks one parameter on its own; its error starts with "parameter NAME:".
func (p Param) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("parameter %q: "+format, append([]any{p.Name}, args...)...)
	}
	if err := checkPath(p.Name); err != nil {
		return err
	}
	if p.Kind == Choice {
		switch {
		case len(p.Choices) == 0:
			return bad("choice has no options")
		case p.Step != 0 || p.Log:
			return bad("a choice takes no step or log")
		}
		for i, c := range p.Choices {
			if _, err := json.Marshal(c); err != nil {
				return bad("choice %d is not a JSON value: %v", i+1, err)
			}
		}
		return nil
	}
	switch p.Kind {
	case Uniform, LogUniform, Int:
	default:
		return bad("unknown kind %q (want uniform, log_uniform, int or choice)", p.Kind)
	}
	switch {
	case math.IsNaN(p.Low) || math.IsNaN(p.High) || math.IsInf(p.Low, 0) || math.IsInf(p.High, 0):
		return bad("range [%v, %v] must be finite", p.Low, p.High)
	case p.Low >= p.High:
		return bad("empty range [%v, %v] (want low < high)", p.Low, p.High)
	case p.Step < 0:
		return bad("step %v, want step > 0", p.Step)
	case p.Log && p.Kind != Int:
		return bad("log applies to int parameters only (a real one is log_uniform)")
	case p.Kind == LogUniform && p.Low <= 0:
		return bad("log range [%v, %v] touches or crosses 0 (want 0 < low)", p.Low, p.High)
	case p.Kind == LogUniform && p.Step != 0:
		return bad("a log_uniform parameter takes no step")
	}
	if p.Kind == Int {
		switch {
		case p.Step != 0 && p.Step != math.Trunc(p.Step):
			return bad("step %v, want a whole number", p.Step)
		case math.Ceil(p.Low) > p.High:
			return bad("int range [%v, %v] holds no integer", p.Low, p.High)
		case p.Log && math.Ceil(p.Low) < 1:
			return bad("log int range [%v, %v] touches or crosses 0 (want low ≥ 1)", p.Low, p.High)
		case p.Log && p.step() != 1:
			return bad("a log int parameter takes step 1, not %v", p.Step)
		}
	}
	return nil
}

// checkPath accepts "model.x…" and "train.x…" paths that the space may search.
func checkPath(name string) error {
	root, rest, _ := strings.Cut(name, ".")
	if (root != "model" && root != "train") || rest == "" || strings.Contains(rest, "..") || strings.HasSuffix(rest, ".") {
		if root == "data" {
			return fmt.Errorf("parameter %q: data settings are not searchable (want a path starting with \"model.\" or \"train.\")", name)
		}
		return fmt.Errorf("parameter %q: want a dotted path starting with \"model.\" (the model's config) or \"train.\" (the training config)", name)
	}
	if why, ok := refused[name]; ok {
		return fmt.Errorf("parameter %q cannot be searched: %s", name, why)
	}
	return nil
}

// step is the spacing of an Int or stepped Uniform parameter's values (0: continuous).
func (p Param) step() float64 {
	if p.Kind == Int && p.Step == 0 {
		return 1
	}
	return p.Step
}

// first is the smallest value of a numeric parameter.
func (p Param) first() float64 {
	if p.Kind == Int {
		return math.Ceil(p.Low)
	}
	return p.Low
}

// points is the number of values of a stepped parameter: first + k·step for k < points.
func (p Param) points() int {
	return int(math.Floor((p.High-p.first())/p.step()+1e-9)) + 1
}

// at is a stepped parameter's k-th value.
func (p Param) at(k int) float64 {
	return p.first() + float64(k)*p.step()
}

// Contains returns nil when v holds a value of every parameter, within its range and on its step (a
// choice's equal, as JSON, to one of its options), and no other value; else an error naming the
// first parameter whose value is missing or outside, or the value that belongs to no parameter.
func (s *Space) Contains(v Values) error {
	for _, p := range s.Params {
		x, ok := v[p.Name]
		if !ok {
			return fmt.Errorf("space: no value for parameter %q", p.Name)
		}
		if !p.contains(x) {
			return fmt.Errorf("space: parameter %q: value %v is outside the space", p.Name, x)
		}
	}
	for name := range v {
		if s.param(name) == nil {
			return fmt.Errorf("space: value for %q, which is not a parameter of the space", name)
		}
	}
	return nil
}

// contains reports whether x is a value of p.
func (p Param) contains(x any) bool {
	if p.Kind == Choice {
		return p.choiceIndex(x) >= 0
	}
	f, ok := x.(float64)
	if !ok || !(f >= p.Low && f <= p.High) {
		return false
	}
	if p.step() == 0 {
		return true
	}
	// Within a billionth of a step of a grid value: first + k·step may be off by a rounding.
	k := math.Round((f - p.first()) / p.step())
	return k >= 0 && int(k) < p.points() && math.Abs(f-p.at(int(k))) <= 1e-9*p.step()
}

// choiceIndex is the index of the option equal to x as JSON, or −1.
func (p Param) choiceIndex(x any) int {
	key := jsonKey(x)
	for i, c := range p.Choices {
		if jsonKey(c) == key {
			return i
		}
	}
	return -1
}

// param returns the parameter named name, or nil.
func (s *Space) param(name string) *Param {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i]
		}
	}
	return nil
}

// jsonKey is x written as JSON: equal keys are equal values, whether x came from Go or from JSON.
func jsonKey(x any) string {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprintf("!%v", err)
	}
	return string(b)
}
