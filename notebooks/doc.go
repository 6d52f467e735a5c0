// Package notebooks holds intentlab's notebooks: runnable walk-throughs that open the box. Each
// directory is a Go program (there is no Go kernel for Jupyter here) that prints its narrative as it
// runs and writes a page, notebooks/<name>/README.md, with the text, the code that ran, its numbers and
// its figures. The pages and figures are committed; notebooks/README.md lists them.
//
//	go run ./notebooks/<name>          # full mode: rewrites notebooks/<name>/README.md and figures/
//	go run ./notebooks/<name> -quick   # quick mode (what CI runs): writes to $TMPDIR/intentlab-notebooks/<name>
//	go generate ./notebooks/...        # every notebook in full mode (each main.go has "//go:generate go run .")
//
// Package notebooks/page is the framework; its documentation says how to write a notebook.
package notebooks
