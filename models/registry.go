package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// Entry registers one architecture.
type Entry struct {
	Name  string // registry name, lower case: "lstm"
	Doc   string // one line for --help and reports
	Rank  int    // position in Names (simplest first)
	Needs Needs
	// Config returns a pointer to a new config holding the defaults ( *LSTMConfig, … ).
	Config func() any
	// New declares the model's parameters in store for data described by schema. cfg is a pointer of
	// the type Config returns.
	New func(store *graph.Store, schema *datasets.Schema, cfg any) (Model, error)
}

var registry = map[string]Entry{}

// Register adds an architecture; it panics on a duplicate or incomplete entry (a programming error,
// reached from init functions).
func Register(e Entry) {
	if e.Name == "" || e.Config == nil || e.New == nil {
		panic("models: Register: incomplete entry " + e.Name)
	}
	if _, dup := registry[e.Name]; dup {
		panic("models: Register: duplicate model " + e.Name)
	}
	registry[e.Name] = e
}

// Names lists the registered architectures, simplest first.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := registry[a].Rank, registry[b].Rank; ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return names
}

// Lookup returns the entry of a registered architecture, or an error listing the known names.
func Lookup(name string) (Entry, error) {
	e, ok := registry[name]
	if !ok {
		return Entry{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return e, nil
}

// DefaultConfig returns a pointer to the named model's default config.
func DefaultConfig(name string) (any, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return e.Config(), nil
}

// DecodeConfig reads a JSON config for the named model over its defaults: fields absent from raw keep
// their default, and an unknown field is an error. Empty raw gives the defaults.
func DecodeConfig(name string, raw []byte) (any, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	cfg := e.Config()
	if len(bytes.TrimSpace(raw)) == 0 {
		return cfg, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("model %q: config: %w", name, err)
	}
	return cfg, nil
}

// New builds the named model on store for data described by schema. cfg is a pointer to the model's
// config type, or nil for the defaults. It returns an error for an unknown name, a config of the
// wrong type, a schema that lacks inputs the model needs, or an invalid config.
func New(name string, store *graph.Store, schema *datasets.Schema, cfg any) (Model, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if err := e.Needs.Check(name, schema); err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = e.Config()
	}
	m, err := e.New(store, schema, cfg)
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", name, err)
	}
	return m, nil
}

// configAs converts a config argument to the model's config type, or explains the mismatch.
func configAs[T any](model string, cfg any) (*T, error) {
	c, ok := cfg.(*T)
	if !ok {
		var want *T
		return nil, fmt.Errorf("model %q: config is %T, want %T", model, cfg, want)
	}
	return c, nil
}
