package search

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A space file maps each parameter's path to its kind and range, in the order the search should
// list them:
//
//	{"train.lr":         {"log_uniform": [1e-4, 1e-2]},
//	 "model.hiddens":    {"choice": [[64, 32], [128, 64], [256, 128]]},
//	 "model.dropout":    {"uniform": [0, 0.5]},
//	 "train.batch_size": {"int": [64, 512], "step": 64},
//	 "model.blocks":     {"int": [1, 8], "log": true}}
//
// or the same in YAML (train.lr: {log_uniform: [1e-4, 1e-2]}). Each parameter holds exactly one of
// uniform, log_uniform or int (with [low, high], both included) or choice (a list of JSON values),
// and optionally step (int, uniform) and log (int).

// fileKeys are the keys a parameter of a space file may hold.
var fileKeys = []string{string(Uniform), string(LogUniform), string(Int), string(Choice), "step", "log"}

// LoadSpace reads a space file: JSON (.json) or YAML (.yaml, .yml). Errors name the file, the line
// and the parameter. The space is validated but not checked against an experiment (see Check).
func LoadSpace(path string) (*Space, error) {
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		format = "json"
	case ".yaml", ".yml":
		format = "yaml"
	default:
		return nil, fmt.Errorf("space %s: unknown file type %q (want .json, .yaml or .yml)", path, filepath.Ext(path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	s, err := parseSpace(data, format)
	if err != nil {
		return nil, fmt.Errorf("space %s: %w", path, err)
	}
	return s, nil
}

// ParseSpace reads a space in the file format from data; format is "json" or "yaml".
func ParseSpace(data []byte, format string) (*Space, error) {
	s, err := parseSpace(data, format)
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	return s, nil
}

func parseSpace(data []byte, format string) (*Space, error) {
	var s *Space
	var err error
	switch format {
	case "json":
		s, err = parseJSON(data)
	case "yaml", "yml":
		s, err = parseYAML(data)
	default:
		return nil, fmt.Errorf("unknown format %q (want json or yaml)", format)
	}
	if err != nil {
		return nil, err
	}
	if len(s.Params) == 0 {
		return nil, errors.New("no parameters")
	}
	return s, nil
}

// parseJSON reads the top-level object token by token to keep the parameters' order.
func parseJSON(data []byte) (*Space, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	at := func(err error) error {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("line %d: %w", lineOf(data, syn.Offset), err)
		case errors.As(err, &typ):
			return fmt.Errorf("line %d: %w", lineOf(data, typ.Offset), err)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return fmt.Errorf("line %d: unexpected end of file", lineOf(data, int64(len(data))))
		}
		return err
	}
	if tok, err := dec.Token(); err != nil {
		return nil, at(err)
	} else if tok != json.Delim('{') {
		return nil, fmt.Errorf("line %d: want an object of parameters, {\"train.lr\": {\"log_uniform\": [1e-4, 1e-2]}, …}", lineOf(data, dec.InputOffset()))
	}
	s := &Space{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, at(err)
		}
		name := tok.(string) // inside an object, Token returns the keys as strings
		line := lineOf(data, dec.InputOffset())
		var body json.RawMessage
		if err := dec.Decode(&body); err != nil {
			return nil, at(err)
		}
		if err := s.add(name, body); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, at(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: unexpected data after the object of parameters", lineOf(data, dec.InputOffset()))
	}
	return s, nil
}

// lineOf is the 1-based line of a byte offset into data.
func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// parseYAML reads a top-level mapping in order; each parameter goes through the JSON reader.
func parseYAML(data []byte) (*Space, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	s := &Space{}
	if len(doc.Content) == 0 {
		return s, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping of parameters (train.lr: {log_uniform: [1e-4, 1e-2]})", top.Line)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		var v any
		if err := val.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: parameter %q: %w", val.Line, key.Value, err)
		}
		body, err := json.Marshal(jsonValue(v))
		if err != nil {
			return nil, fmt.Errorf("line %d: parameter %q: %w", val.Line, key.Value, err)
		}
		if err := s.add(key.Value, body); err != nil {
			return nil, fmt.Errorf("line %d: %w", key.Line, err)
		}
	}
	return s, nil
}

// jsonValue turns a decoded YAML value into one json.Marshal accepts (string map keys).
func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = jsonValue(x)
		}
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = jsonValue(x)
		}
		return m
	case []any:
		for i, x := range v {
			v[i] = jsonValue(x)
		}
	}
	return v
}

// add appends the parameter name described by the JSON object body.
func (s *Space) add(name string, body []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("parameter %q: "+format, append([]any{name}, args...)...)
	}
	if s.param(name) != nil {
		return bad("appears twice")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return bad(`want an object such as {"uniform": [0, 1]}, not %s`, body)
	}
	p := Param{Name: name}
	for key, raw := range fields {
		switch key {
		case string(Uniform), string(LogUniform), string(Int), string(Choice):
			if p.Kind != "" {
				return bad("both %s and %s: want exactly one kind", p.Kind, key)
			}
			p.Kind = Kind(key)
			if p.Kind == Choice {
				if err := json.Unmarshal(raw, &p.Choices); err != nil {
					return bad("choice: want a list of values, not %s", raw)
				}
				continue
			}
			var r []float64
			if err := json.Unmarshal(raw, &r); err != nil || len(r) != 2 {
				return bad("%s: want [low, high], not %s", key, raw)
			}
			p.Low, p.High = r[0], r[1]
		case "step":
			if err := json.Unmarshal(raw, &p.Step); err != nil || p.Step <= 0 {
				return bad("step: want a number > 0, not %s", raw)
			}
		case "log":
			if err := json.Unmarshal(raw, &p.Log); err != nil {
				return bad("log: want true or false, not %s", raw)
			}
		default:
			return bad("unknown key %q (known: %s)", key, strings.Join(fileKeys, ", "))
		}
	}
	if p.Kind == "" {
		return bad("no kind: want one of uniform, log_uniform, int or choice")
	}
	if err := p.validate(); err != nil {
		return err
	}
	s.Params = append(s.Params, p)
	return nil
}

// String is the space in the JSON file format, one parameter a line.
func (s Space) String() string {
	var b strings.Builder
	b.WriteString("{\n")
	for i, p := range s.Params {
		name, _ := json.Marshal(p.Name)
		var vals any = p.Choices
		if p.Kind != Choice {
			vals = []float64{p.Low, p.High}
		}
		fmt.Fprintf(&b, "  %s: {%q: %s", name, p.Kind, jsonKey(vals))
		if p.Step != 0 {
			fmt.Fprintf(&b, ", \"step\": %s", jsonKey(p.Step))
		}
		if p.Log {
			b.WriteString(`, "log": true`)
		}
		b.WriteString("}")
		if i < len(s.Params)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// MarshalJSON writes the space in the file format (json.Marshal compacts it; String does not).
func (s Space) MarshalJSON() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return []byte(s.String()), nil
}

// UnmarshalJSON reads the file format.
func (s *Space) UnmarshalJSON(data []byte) error {
	t, err := ParseSpace(data, "json")
	if err != nil {
		return err
	}
	*s = *t
	return nil
}
