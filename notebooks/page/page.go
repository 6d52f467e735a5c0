package page

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// Notebook names a notebook and carries its source.
type Notebook struct {
	// Name is the notebook's directory under notebooks/, such as "graph".
	Name string
	// Title is the page's heading.
	Title string
	// Source holds the notebook's .go files (a //go:embed *.go variable), where Code finds its
	// marked regions. Nil means Code has nothing to show and records an error.
	Source fs.FS
	// Needs lists the shared files the notebook reads, such as a data set that is not committed.
	// When one is missing, a full run fails before it touches the output directory, so the
	// committed page stays as it is, and a quick run writes a page that says which file is missing
	// and where to get it (its note starts with NotRun) and succeeds without calling the notebook:
	// CI runs every notebook in quick mode, on machines that may lack the data.
	Needs []Need
}

// Need is a shared file a notebook reads.
type Need struct {
	// File is its slash-separated path under ../shared, as SharedFile takes it.
	File string
	// From says where a user gets it, in markdown (a sentence fragment: "the UCI repository").
	From string
}

// NotRun starts the note of a quick-mode page whose notebook did not run because a shared file it
// needs is missing; CI accepts such a page without figures.
const NotRun = "> **Not run:**"

// Settings are a run's flags.
type Settings struct {
	// Quick selects the small, fast mode that CI runs.
	Quick bool
	// Out is the directory that receives README.md and figures/. Empty means the default: the
	// notebook's own directory in full mode, $TMPDIR/intentlab-notebooks/<name> in quick mode.
	Out string
	// Stdout receives the narrative; nil means os.Stdout.
	Stdout io.Writer
}

// Page collects a notebook's page while printing its narrative.
type Page struct {
	// Quick reports whether this run is in quick mode.
	Quick bool
	// Dir is the directory the page is written to.
	Dir string

	nb     Notebook
	stdout io.Writer
	md     bytes.Buffer
	err    error
	files  map[string]bool // paths under Dir written by this run
}

// Main parses -quick and -out from the command line, runs the notebook and writes its page. It
// exits 1 with the error on stderr if the notebook or the page fails, and 2 on a bad flag.
func Main(nb Notebook, run func(p *Page) error) {
	fl := flag.NewFlagSet(nb.Name, flag.ExitOnError)
	var s Settings
	fl.BoolVar(&s.Quick, "quick", false, "small data and few epochs (a smoke test); writes to $TMPDIR/intentlab-notebooks/<name> unless -out is given")
	fl.StringVar(&s.Out, "out", "", "directory for README.md and figures/ (default: notebooks/<name> in full mode)")
	_ = fl.Parse(os.Args[1:]) // ExitOnError: exits 2 on a bad flag
	if fl.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q (flags: -quick, -out DIR)\n", nb.Name, fl.Arg(0))
		os.Exit(2)
	}
	if err := Execute(nb, s, run); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", nb.Name, err)
		os.Exit(1)
	}
}

// Execute runs the notebook with the given settings and writes its page: Main without the command
// line, for tests.
func Execute(nb Notebook, s Settings, run func(p *Page) error) error {
	for _, need := range nb.Needs {
		if _, err := SharedFile(need.File); err != nil {
			if !s.Quick {
				return fmt.Errorf("%w; the page is left as it was", err)
			}
			return writeNotRun(nb, s, need, err)
		}
	}
	p, err := New(nb, s)
	if err != nil {
		return err
	}
	if err := run(p); err != nil {
		return err
	}
	return p.Write()
}

// writeNotRun writes the quick-mode page of a notebook that cannot run because the shared file it
// needs is missing.
func writeNotRun(nb Notebook, s Settings, need Need, missing error) error {
	p, err := New(nb, s)
	if err != nil {
		return err
	}
	p.Textf("%s this notebook reads `%s` from the project's shared directory (`../shared` next to the "+
		"repository root), and that file is absent here:\n\n```text\n%v\n```\n\nThe file is not committed. "+
		"Get it from %s, put it there and run the notebook again. The page committed in the "+
		"repository, `notebooks/%s/README.md`, shows a full run.", NotRun, need.File, missing, need.From, nb.Name)
	return p.Write()
}

// New prepares a page: it resolves the output directory, creates DIR/figures/ and deletes the
// figure files an earlier run left there.
func New(nb Notebook, s Settings) (*Page, error) {
	if nb.Name == "" || strings.ContainsAny(nb.Name, `/\ `) {
		return nil, fmt.Errorf("page: notebook name %q: want one directory name", nb.Name)
	}
	dir := s.Out
	if dir == "" {
		var err error
		if dir, err = defaultDir(nb.Name, s.Quick); err != nil {
			return nil, err
		}
	}
	figs := filepath.Join(dir, "figures")
	if err := os.MkdirAll(figs, 0o755); err != nil {
		return nil, fmt.Errorf("page: %w", err)
	}
	old, err := os.ReadDir(figs)
	if err != nil {
		return nil, fmt.Errorf("page: %w", err)
	}
	for _, e := range old {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".svg", ".dot":
			if err := os.Remove(filepath.Join(figs, e.Name())); err != nil {
				return nil, fmt.Errorf("page: remove old figure: %w", err)
			}
		}
	}
	out := s.Stdout
	if out == nil {
		out = os.Stdout
	}
	p := &Page{Quick: s.Quick, Dir: dir, nb: nb, stdout: out, files: map[string]bool{}}
	p.header()
	return p, nil
}

// defaultDir is notebooks/<name> under the module root in full mode, and a fixed temporary
// directory in quick mode.
func defaultDir(name string, quick bool) (string, error) {
	if quick {
		return filepath.Join(os.TempDir(), "intentlab-notebooks", name), nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "notebooks", name), nil
}

func (p *Page) header() {
	fmt.Fprintf(&p.md, "# %s\n\n", p.nb.Title)
	fmt.Fprintf(p.stdout, "%s\n%s\n\n", p.nb.Title, strings.Repeat("=", len([]rune(p.nb.Title))))
	if p.Quick {
		fmt.Fprintf(&p.md, "> **Quick mode** (`go run ./notebooks/%s -quick`): small data and few epochs, a smoke test. "+
			"The numbers on this page are not results; run the notebook without `-quick` for those.\n\n", p.nb.Name)
		fmt.Fprintf(p.stdout, "(quick mode: a smoke test, the numbers are not results)\n\n")
		return
	}
	fmt.Fprintf(&p.md, "> This page was written by `go run ./notebooks/%s` (full mode); every number and figure on it "+
		"comes from that run. Regenerate all pages with `go generate ./notebooks/...`.\n\n", p.nb.Name)
}

// Err returns the first error the page met, or nil.
func (p *Page) Err() error { return p.err }

func (p *Page) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// Choose returns full in full mode and quick in quick mode.
func Choose[T any](p *Page, full, quick T) T {
	if p.Quick {
		return quick
	}
	return full
}

// Choose returns full in full mode and quick in quick mode (Choose for ints, the common case).
func (p *Page) Choose(full, quick int) int { return Choose(p, full, quick) }

// Section starts a section with a second-level heading.
func (p *Page) Section(title string) {
	if p.err != nil {
		return
	}
	fmt.Fprintf(&p.md, "## %s\n\n", title)
	fmt.Fprintf(p.stdout, "%s\n%s\n\n", title, strings.Repeat("-", len([]rune(title))))
}

// Text adds markdown text: one or more paragraphs separated by blank lines. Common indentation and
// surrounding blank lines are removed, so a raw string literal can be indented with the code.
func (p *Page) Text(markdown string) {
	if p.err != nil {
		return
	}
	t := strings.Join(dedent(strings.Split(strings.Trim(markdown, "\n"), "\n")), "\n")
	t = strings.TrimSpace(t)
	if t == "" {
		return
	}
	p.md.WriteString(t + "\n\n")
	fmt.Fprintf(p.stdout, "%s\n\n", t)
}

// Textf adds a paragraph formatted with fmt.Sprintf.
func (p *Page) Textf(format string, args ...any) { p.Text(fmt.Sprintf(format, args...)) }

// Code shows the notebook's source between the comment lines "// page:begin name" and
// "// page:end name", searched in every .go file of Notebook.Source. Marker lines of other regions
// inside it are left out, and the common indentation is removed. A region that is missing,
// unterminated or empty is an error.
func (p *Page) Code(name string) {
	if p.err != nil {
		return
	}
	code, err := region(p.nb.Source, name)
	if err != nil {
		p.fail(err)
		return
	}
	fmt.Fprintf(&p.md, "```go\n%s\n```\n\n", code)
	for _, l := range strings.Split(code, "\n") {
		fmt.Fprintf(p.stdout, "    %s\n", l)
	}
	fmt.Fprintln(p.stdout)
}

// Output shows text as a preformatted block: what a program printed, a session, a DOT excerpt.
func (p *Page) Output(text string) {
	if p.err != nil {
		return
	}
	text = strings.TrimRight(text, "\n")
	fmt.Fprintf(&p.md, "```text\n%s\n```\n\n", text)
	fmt.Fprintf(p.stdout, "%s\n\n", text)
}

// Table adds a markdown table. Every row must have as many cells as the header; a ragged table is
// an error. Cells are markdown; a '|' in a cell is escaped.
func (p *Page) Table(header []string, rows [][]string) {
	if p.err != nil {
		return
	}
	if len(header) == 0 {
		p.fail(errors.New("page: table with no columns"))
		return
	}
	for i, r := range rows {
		if len(r) != len(header) {
			p.fail(fmt.Errorf("page: table row %d has %d cells, the header %d", i, len(r), len(header)))
			return
		}
	}
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	line := func(cells []string) {
		p.md.WriteString("|")
		for _, c := range cells {
			p.md.WriteString(" " + cell(c) + " |")
		}
		p.md.WriteString("\n")
	}
	line(header)
	p.md.WriteString("|" + strings.Repeat(" --- |", len(header)) + "\n")
	for _, r := range rows {
		line(r)
	}
	p.md.WriteString("\n")

	tw := tabwriter.NewWriter(p.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
	fmt.Fprintln(p.stdout)
}

// Encoder is what Figure draws: a *plots.Figure, or anything that encodes itself as PNG.
type Encoder interface {
	Encode(w io.Writer, format string) error
}

// Figure writes f as figures/<name>.png and shows it with its caption (markdown, one line).
func (p *Page) Figure(name, caption string, f Encoder) {
	if p.err != nil {
		return
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil {
		p.fail(fmt.Errorf("page: figure %q: %w", name, err))
		return
	}
	rel := "figures/" + name + ".png"
	p.WriteFile(rel, buf.Bytes())
	p.Image(rel, caption)
}

// WriteFile writes data to rel, a slash-separated path under the page's directory such as
// "figures/forward.dot". Writing the same path twice in one run is an error.
func (p *Page) WriteFile(rel string, data []byte) {
	if p.err != nil {
		return
	}
	if !fs.ValidPath(rel) || rel == "." || rel == "README.md" {
		p.fail(fmt.Errorf("page: file %q: want a relative path under the page's directory, not README.md", rel))
		return
	}
	if p.files[rel] {
		p.fail(fmt.Errorf("page: file %q written twice", rel))
		return
	}
	path := filepath.Join(p.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.fail(fmt.Errorf("page: %w", err))
		return
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		p.fail(fmt.Errorf("page: %w", err))
		return
	}
	p.files[rel] = true
}

// Image shows a file this run wrote (with WriteFile or Figure) as an image with a caption.
// Showing a file the run did not write is an error, so a page never links a stale figure.
func (p *Page) Image(rel, caption string) {
	if p.err != nil {
		return
	}
	if !p.files[rel] {
		p.fail(fmt.Errorf("page: image %q was not written by this run", rel))
		return
	}
	caption = strings.TrimSpace(caption)
	fmt.Fprintf(&p.md, "![%s](%s)\n\n*%s*\n\n", altText(caption), rel, caption)
	fmt.Fprintf(p.stdout, "[figure %s: %s]\n\n", filepath.Join(p.Dir, filepath.FromSlash(rel)), caption)
}

// Link shows a link to a file this run wrote, such as a DOT file.
func (p *Page) Link(rel, text string) {
	if p.err != nil {
		return
	}
	if !p.files[rel] {
		p.fail(fmt.Errorf("page: link %q: not written by this run", rel))
		return
	}
	fmt.Fprintf(&p.md, "[%s](%s)\n\n", text, rel)
	fmt.Fprintf(p.stdout, "[%s: %s]\n\n", text, filepath.Join(p.Dir, filepath.FromSlash(rel)))
}

// Write writes README.md, ending with a footer that says how the page was made. It returns the
// first error the page met instead, leaving any earlier README.md in place.
func (p *Page) Write() error {
	if p.err != nil {
		return p.err
	}
	mode := "full mode"
	cmd := "go run ./notebooks/" + p.nb.Name
	if p.Quick {
		mode = "quick mode"
		cmd += " -quick"
	}
	fmt.Fprintf(&p.md, "---\n\n*Written by `%s` (%s). Do not edit this page by hand: change the notebook "+
		"([source](main.go)) and run it again.*\n", cmd, mode)
	path := filepath.Join(p.Dir, "README.md")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, p.md.Bytes(), 0o644); err != nil {
		return fmt.Errorf("page: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("page: %w", err)
	}
	fmt.Fprintf(p.stdout, "page written: %s\n", path)
	return nil
}

// altText makes a caption safe as image alt text: no brackets, no markdown emphasis.
func altText(s string) string {
	return strings.NewReplacer("[", "", "]", "", "*", "", "_", " ", "`", "").Replace(s)
}
