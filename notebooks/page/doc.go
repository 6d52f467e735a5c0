// Package page is the framework of intentlab's notebooks: a notebook is a Go program that prints its
// narrative as it runs and writes a page, notebooks/<name>/README.md, that interleaves the text, the
// code that ran, the numbers it got and its figures, readable on any git host.
//
// # How to write a notebook
//
// A notebook is one directory, notebooks/<name>/, with a main.go (more files are fine). Its main
// embeds its own source, so that the page shows the code that really ran, and hands a function to
// Main:
//
//	//go:generate go run .
//
//	package main
//
//	//go:embed *.go
//	var source embed.FS
//
//	func main() {
//		page.Main(page.Notebook{Name: "graph", Title: "The graph itself", Source: source}, run)
//	}
//
//	func run(p *page.Page) error {
//		p.Text(`A paragraph in markdown. Short paragraphs, written for a student.`)
//		p.Code("build") // the lines between the two markers below, from the embedded source
//		// page:begin build
//		g := gorgonia.NewGraph()
//		// page:end build
//		n := p.Choose(20000, 2000) // full mode, -quick mode
//		p.Table([]string{"model", "ROC-AUC"}, [][]string{{"oracle", "0.901"}})
//		fig, err := plots.ROC(curves)
//		if err != nil {
//			return err
//		}
//		p.Figure("roc", "ROC curves of the oracle and the model", fig)
//		return nil
//	}
//
// Then:
//
//   - Call p.Code before or after the marked lines; markers are comments, "// page:begin NAME" and
//     "// page:end NAME", and may overlap (marker lines are never shown). Keep the code short: if a
//     notebook needs a lot of code, the library is missing something; add it there.
//   - Seed every random source explicitly and format numbers with fixed precision: the same run must
//     give the same page, byte for byte (the page has no timestamps).
//   - Use p.Choose for sizes, so that -quick runs in well under 2 minutes on 2 cores (CI runs every
//     notebook so; aim for 20–30 s).
//   - A notebook that reads a data set that is not committed names it in Notebook.Needs and finds
//     it with SharedFile. Without the file, a full run fails and leaves the committed page alone,
//     and a quick run (what CI runs) writes a short page that says what is missing.
//   - Add the notebook's line to notebooks/README.md, the index.
//
// Page methods do not return errors: the first error (a missing code marker, a figure that cannot be
// written) is kept, later calls do nothing, and Main reports it and exits 1. Err returns it.
//
// # Flags and output
//
// Main reads two flags:
//
//	-quick     small data and few epochs: a smoke test, marked as such on the page
//	-out DIR   where to write README.md and figures/
//
// Without -out, a full run writes into the notebook's own directory, notebooks/<name>/ (found by
// walking up from the working directory to intentlab's go.mod), replacing the committed page; a
// -quick run writes into $TMPDIR/intentlab-notebooks/<name>/, so that it never overwrites the
// committed full-mode page. Each run first deletes the .png, .svg and .dot files in DIR/figures/,
// and writes README.md only when the notebook succeeds.
//
// Regenerate every committed page with
//
//	go generate ./notebooks/...
//
// which runs each notebook's "//go:generate go run ." line in full mode.
package page
