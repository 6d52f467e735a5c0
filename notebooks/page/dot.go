package page

import (
	"bytes"
	"fmt"
	"os/exec"
)

// DOT writes a Graphviz document as figures/<name>.dot and, when Graphviz's dot program is on the
// PATH, renders it to figures/<name>.svg and shows the SVG; otherwise the page links the DOT file and
// says how to render it. It reports whether the SVG was rendered.
func (p *Page) DOT(name, caption string, dot []byte) bool {
	if p.err != nil {
		return false
	}
	rel := "figures/" + name + ".dot"
	p.WriteFile(rel, dot)
	bin, err := exec.LookPath("dot")
	if err != nil {
		p.Textf("Graphviz's `dot` is not installed here, so the graph is left as DOT: [%s](%s). "+
			"Render it with `dot -Tsvg %s -o figures/%s.svg`.", rel, rel, rel, name)
		return false
	}
	var svg, stderr bytes.Buffer
	cmd := exec.Command(bin, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	cmd.Stdout, cmd.Stderr = &svg, &stderr
	if err := cmd.Run(); err != nil {
		p.fail(fmt.Errorf("page: dot -Tsvg %s: %v: %s", rel, err, bytes.TrimSpace(stderr.Bytes())))
		return false
	}
	svgRel := "figures/" + name + ".svg"
	p.WriteFile(svgRel, svg.Bytes())
	p.Image(svgRel, caption)
	p.Textf("The DOT source: [%s](%s).", rel, rel)
	return true
}
