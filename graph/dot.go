package graph

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"gorgonia.org/gorgonia"
)

// DOTConfig configures WriteDOTConfig. The zero value draws every node alike, untitled.
type DOTConfig struct {
	// Title labels the drawing; empty means none.
	Title string
	// Params are drawn as blue ellipses (a Builder's Params); other leaves are white ellipses.
	Params []*gorgonia.Node
	// Before, when non-nil, holds the nodes of an earlier state of the graph (g.AllNodes() before
	// gorgonia.Grad, say): every node not in it is drawn filled orange, as added since.
	Before []*gorgonia.Node
}

// WriteDOT writes g as a Graphviz DOT document (WriteDOTConfig with the zero DOTConfig).
func WriteDOT(w io.Writer, g *gorgonia.ExprGraph) error { return WriteDOTConfig(w, g, DOTConfig{}) }

// WriteDOTConfig writes g as a Graphviz DOT document: one node per graph node, in id order, named
// n<id> and labelled with its id, its op (or name, for a leaf) and its shape; an edge from each input
// to the op that uses it, labelled with the argument's position when the op takes several. The
// output depends only on the graph, so the same graph gives the same bytes (Gorgonia's own ToDot
// names nodes by memory address). Render it with `dot -Tsvg graph.dot -o graph.svg`.
func WriteDOTConfig(w io.Writer, g *gorgonia.ExprGraph, cfg DOTConfig) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph G {")
	fmt.Fprintln(bw, `  rankdir=TB; nodesep=0.25; ranksep=0.35;`)
	fmt.Fprintln(bw, `  node [fontname="Helvetica", fontsize=11, height=0.3];`)
	fmt.Fprintln(bw, `  edge [fontname="Helvetica", fontsize=9, color="#555555", arrowsize=0.6];`)
	if cfg.Title != "" {
		fmt.Fprintf(bw, "  labelloc=t; fontname=\"Helvetica-Bold\"; fontsize=14; label=%s;\n", dotQuote(cfg.Title))
	}
	params := idSet(cfg.Params)
	before := idSet(cfg.Before)
	nodes := slices.Clone(g.AllNodes())
	slices.SortFunc(nodes, func(a, b *gorgonia.Node) int { return int(a.ID() - b.ID()) })
	for _, n := range nodes {
		var label, attrs string
		switch {
		case n.Op() == nil:
			label = fmt.Sprintf("%s\n%v", n.Name(), n.Shape())
			attrs = `shape=ellipse, style=filled, fillcolor="white"`
			if params[n.ID()] {
				attrs = `shape=ellipse, style=filled, fillcolor="#c6dbef"`
			}
		default:
			label = fmt.Sprintf("%d: %s\n%v", n.ID(), opLabel(n.Op()), n.Shape())
			attrs = `shape=box, style="rounded,filled", fillcolor="white"`
		}
		if cfg.Before != nil && !before[n.ID()] {
			attrs = strings.Replace(attrs, `fillcolor="white"`, `fillcolor="#fdd0a2"`, 1)
		}
		fmt.Fprintf(bw, "  n%d [label=%s, %s];\n", n.ID(), dotQuote(label), attrs)
	}
	for _, n := range nodes {
		inputs := g.From(n.ID())
		var ids []int64
		for inputs.Next() {
			ids = append(ids, inputs.Node().ID())
		}
		for i, id := range ids {
			if len(ids) > 1 {
				fmt.Fprintf(bw, "  n%d -> n%d [label=\"%d\"];\n", id, n.ID(), i)
			} else {
				fmt.Fprintf(bw, "  n%d -> n%d;\n", id, n.ID())
			}
		}
	}
	fmt.Fprintln(bw, "}")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("graph: write dot: %w", err)
	}
	return nil
}

// OpKind is what a node computes, for counting: "leaf" for an input or a parameter, otherwise its op's
// name without arguments: "MatMul" (intentlab's), "sigmoid", "Σ" for a sum, "×" for Gorgonia's matrix
// product "A × B", "const" for a constant.
func OpKind(n *gorgonia.Node) string {
	if n.Op() == nil {
		return "leaf"
	}
	s := n.Op().String()
	if f := strings.Fields(s); len(f) == 3 && len(f[0]) == 1 && len(f[2]) == 1 { // "A × B", "a ⊗ b"
		return f[1]
	}
	if i := strings.IndexAny(s, "([= "); i > 0 {
		s = s[:i]
	}
	return s
}

// CountOps counts nodes by OpKind.
func CountOps(nodes []*gorgonia.Node) map[string]int {
	c := map[string]int{}
	for _, n := range nodes {
		c[OpKind(n)]++
	}
	return c
}

// opLabel is op's string without the flag Gorgonia's elementwise operations print after their
// symbol ("⊙ false" is ⊙).
func opLabel(op gorgonia.Op) string {
	s := op.String()
	if f := strings.Fields(s); len(f) == 2 && (f[1] == "false" || f[1] == "true") {
		return f[0]
	}
	return s
}

func idSet(nodes []*gorgonia.Node) map[int64]bool {
	s := make(map[int64]bool, len(nodes))
	for _, n := range nodes {
		s[n.ID()] = true
	}
	return s
}

// dotQuote quotes s as a DOT string, with "\n" for line breaks.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
