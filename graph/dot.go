package graph

import (
	"fmt"
	"io"

	"gorgonia.org/gorgonia"
)

// WriteDOT writes g as a Graphviz DOT document: one box per node with its op, shape and name, edges
// from inputs to the ops that use them. Render it with `dot -Tsvg graph.dot > graph.svg`.
func WriteDOT(w io.Writer, g *gorgonia.ExprGraph) error {
	if _, err := io.WriteString(w, g.ToDot()); err != nil {
		return fmt.Errorf("graph: write dot: %w", err)
	}
	return nil
}
