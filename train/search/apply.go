package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

// Apply returns a copy of exp with every parameter of the space set to its value in v. "model."
// paths are set inside exp.Model.Config, which keeps its own fields (the model's defaults fill the
// rest, as models.DecodeConfig does); "train." paths inside exp.Train. It returns an error naming the
// parameter for a missing value, a value for no parameter, a path the experiment does not have, or a
// value of the wrong type; and an error when the resulting model or training config does not decode
// strictly or the training config is invalid. v is not checked against the ranges (see Contains).
func (s *Space) Apply(exp train.Experiment, v Values) (train.Experiment, error) {
	if err := s.Validate(); err != nil {
		return exp, err
	}
	out, err := s.apply(exp, v)
	if err != nil {
		return exp, fmt.Errorf("space: %w", err)
	}
	return out, nil
}

// apply is Apply on a valid space.
func (s *Space) apply(exp train.Experiment, v Values) (train.Experiment, error) {
	for name := range v {
		if s.param(name) == nil {
			return exp, fmt.Errorf("value for %q, which is not a parameter of the space", name)
		}
	}
	def, err := models.DefaultConfig(exp.Model.Name)
	if err != nil {
		return exp, err
	}
	modelCfg := map[string]any{}
	if raw := bytes.TrimSpace(exp.Model.Config); len(raw) > 0 && string(raw) != "null" {
		if err := decodeNumbers(raw, &modelCfg); err != nil {
			return exp, fmt.Errorf("model %q: config is not a JSON object: %w", exp.Model.Name, err)
		}
	}
	all := map[string]any{}
	if b, err := json.Marshal(exp); err != nil {
		return exp, err
	} else if err := decodeNumbers(b, &all); err != nil {
		return exp, err
	}
	trainCfg, _ := all["train"].(map[string]any)
	for _, p := range s.Params {
		x, ok := v[p.Name]
		if !ok {
			return exp, fmt.Errorf("no value for parameter %q", p.Name)
		}
		root, rest, _ := strings.Cut(p.Name, ".")
		var err error
		if root == "model" {
			err = setPath(modelCfg, reflect.TypeOf(def), strings.Split(rest, "."), x, "the "+exp.Model.Name+" config")
		} else {
			err = setPath(trainCfg, reflect.TypeOf(exp.Train), strings.Split(rest, "."), x, "the train config")
		}
		if err != nil {
			return exp, fmt.Errorf("parameter %q: %w", p.Name, err)
		}
	}
	raw, err := json.Marshal(modelCfg)
	if err != nil {
		return exp, err
	}
	all["model"].(map[string]any)["config"] = json.RawMessage(raw)
	b, err := json.Marshal(all)
	if err != nil {
		return exp, err
	}
	var out train.Experiment
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return exp, fmt.Errorf("experiment: %w", err)
	}
	out.Model.Config = raw
	if _, err := models.DecodeConfig(out.Model.Name, raw); err != nil {
		return exp, err
	}
	if err := out.Train.WithDefaults().Validate(); err != nil {
		return exp, err
	}
	return out, nil
}

// Check applies probe values of every parameter to exp, so that a space that names a setting exp
// does not have, or holds a value of the wrong type or an invalid one, fails before any training:
// first every parameter at its smallest value (its first option), then each parameter in turn at
// its largest value and at each of its options, the others staying at their first.
func (s *Space) Check(exp train.Experiment) error {
	if err := s.Validate(); err != nil {
		return err
	}
	base := Values{}
	for _, p := range s.Params {
		base[p.Name] = p.probes()[0]
	}
	if _, err := s.apply(exp, base); err != nil {
		return fmt.Errorf("space: %w", err)
	}
	for _, p := range s.Params {
		for _, x := range p.probes()[1:] {
			v := maps.Clone(base)
			v[p.Name] = x
			if _, err := s.apply(exp, v); err != nil {
				return fmt.Errorf("space: with %s = %s: %w", p.Name, jsonKey(x), err)
			}
		}
	}
	return nil
}

// probes are the values Check tries: the ends of a range, every option of a choice.
func (p Param) probes() []any {
	switch {
	case p.Kind == Choice:
		return p.Choices
	case p.step() != 0:
		return []any{p.first(), p.at(p.points() - 1)}
	}
	return []any{p.Low, p.High}
}

// decodeNumbers decodes JSON keeping numbers as json.Number (a uint64 seed survives).
func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// setPath sets m[path…] = x, where m is the JSON form of a value of type t described by where. It
// follows t's JSON fields (so a field that its config leaves out, by omitempty, still exists) and
// creates the objects on the way that m lacks; x must decode strictly into the field's type.
func setPath(m map[string]any, t reflect.Type, path []string, x any, where string) error {
	for i, name := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshaler):
			fields := jsonFields(t)
			ft, ok := fields[name]
			if !ok {
				return fmt.Errorf("%s has no field %q (it has: %s)", where, name, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
			}
			t = ft
		case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
			t = t.Elem()
		default:
			return fmt.Errorf("%s is %s, not an object with fields", where, describe(t))
		}
		where += "'s " + name
		if i == len(path)-1 {
			b, err := json.Marshal(x)
			if err != nil {
				return fmt.Errorf("value %v is not a JSON value: %w", x, err)
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(reflect.New(t).Interface()); err != nil {
				return fmt.Errorf("value %s does not fit %s (%s): %w", b, where, describe(t), err)
			}
			m[name] = x
			return nil
		}
		next, ok := m[name].(map[string]any)
		if !ok {
			if m[name] != nil {
				return fmt.Errorf("%s is %s in the experiment, not an object", where, jsonKey(m[name]))
			}
			next = map[string]any{}
			m[name] = next
		}
		m = next
	}
	return nil
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// jsonFields maps the JSON names of a struct's fields to their types, as encoding/json sees them
// (tags, "-", promoted fields of embedded structs; the outer field wins a clash).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	var embedded []reflect.Type
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case tag == "-":
		case f.Anonymous && tag == "" && ft.Kind() == reflect.Struct:
			embedded = append(embedded, ft)
		case !f.IsExported():
		case tag != "":
			fields[tag] = f.Type
		default:
			fields[f.Name] = f.Type
		}
	}
	for _, e := range embedded {
		for name, ft := range jsonFields(e) {
			if _, ok := fields[name]; !ok {
				fields[name] = ft
			}
		}
	}
	return fields
}

// describe names the JSON kind of a Go type.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
