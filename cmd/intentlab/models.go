package main

import (
	"encoding/json"
	"fmt"

	"github.com/intentlab/intentlab/models"
)

var modelsCommand = &command{
	name:    "models",
	summary: "list the architectures and their default settings",
	run:     runModels,
}

// modelInfo is one architecture in the --json listing.
type modelInfo struct {
	Name     string `json:"name"`
	Doc      string `json:"doc"`
	Sequence bool   `json:"needs_sequences"`
	Config   any    `json:"config"`
}

func runModels(e *env, args []string) int {
	fs := newFlags(e, "List the registered architectures with their default settings: the JSON that --model-config\nof 'intentlab train' overrides field by field.")
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	var list []modelInfo
	for _, name := range models.Names() {
		entry, err := models.Lookup(name)
		if err != nil {
			return e.fail(err)
		}
		list = append(list, modelInfo{Name: name, Doc: entry.Doc, Sequence: entry.Needs.Sequence, Config: entry.Config()})
	}
	if asJSON {
		return printJSON(e, list)
	}
	for _, m := range list {
		cfg, err := json.Marshal(m.Config)
		if err != nil {
			return e.fail(err)
		}
		fmt.Fprintf(e.stdout, "%s\n  %s\n  defaults: %s\n\n", m.Name, m.Doc, cfg)
	}
	return exitOK
}
