package page

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// pngStub encodes a fixed byte string, standing in for a figure.
type pngStub string

func (s pngStub) Encode(w io.Writer, format string) error {
	_, err := io.WriteString(w, format+":"+string(s))
	return err
}

var src = fstest.MapFS{"main.go": {Data: []byte(`package main

func run() {
	// page:begin all
	a := 1
	// page:begin inner
	if a > 0 {
		a++
	}
	// page:end inner
	// page:end all
}
`)}}

func runPage(t *testing.T, dir string, quick bool, body func(p *Page)) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Execute(Notebook{Name: "demo", Title: "A demo", Source: src}, Settings{Quick: quick, Out: dir, Stdout: &out},
		func(p *Page) error { body(p); return nil })
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

func TestPage(t *testing.T) {
	dir := t.TempDir()
	// A figure left by an earlier run must go.
	if err := os.MkdirAll(filepath.Join(dir, "figures"), 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "figures", "old.png")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := func(p *Page) {
		p.Section("Start")
		p.Text(`
			One paragraph,
			two lines.

			Another.`)
		p.Code("inner")
		p.Table([]string{"a", "b"}, [][]string{{"1", "x|y"}})
		p.Figure("f", "A figure", pngStub("data"))
		p.Textf("n = %d", p.Choose(100, 10))
	}
	got, err := runPage(t, dir, false, body)
	if err != nil {
		t.Fatal(err)
	}
	want := "# A demo\n\n" +
		"> This page was written by `go run ./notebooks/demo` (full mode); every number and figure on it comes from that run. " +
		"Regenerate all pages with `go generate ./notebooks/...`.\n\n" +
		"## Start\n\nOne paragraph,\ntwo lines.\n\nAnother.\n\n" +
		"```go\nif a > 0 {\n\ta++\n}\n```\n\n" +
		"| a | b |\n| --- | --- |\n| 1 | x\\|y |\n\n" +
		"![A figure](figures/f.png)\n\n*A figure*\n\n" +
		"n = 100\n\n" +
		"---\n\n*Written by `go run ./notebooks/demo` (full mode). Do not edit this page by hand: change the notebook ([source](main.go)) and run it again.*\n"
	if got != want {
		t.Errorf("page:\n%s\nwant:\n%s", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "figures", "f.png")); err != nil || string(b) != "png:data" {
		t.Errorf("figure file: %q, %v", b, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale figure still there: %v", err)
	}
	again, err := runPage(t, dir, false, body)
	if err != nil || again != got {
		t.Errorf("second run differs (err %v)", err)
	}

	quick, err := runPage(t, t.TempDir(), true, body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(quick, "**Quick mode**") || !strings.Contains(quick, "n = 10\n") || !strings.Contains(quick, "(quick mode)") {
		t.Errorf("quick page does not say so:\n%s", quick)
	}
}

func TestCodeNested(t *testing.T) {
	code, err := region(src, "all")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a := 1\nif a > 0 {\n\ta++\n}"; code != want {
		t.Errorf("region all = %q, want %q", code, want)
	}
}

func TestErrors(t *testing.T) {
	cases := map[string]func(p *Page){
		"no such region":    func(p *Page) { p.Code("missing") },
		"ragged table":      func(p *Page) { p.Table([]string{"a"}, [][]string{{"1", "2"}}) },
		"image not written": func(p *Page) { p.Image("figures/x.png", "x") },
		"written twice": func(p *Page) {
			p.WriteFile("figures/a.dot", nil)
			p.WriteFile("figures/a.dot", nil)
		},
		"outside the page": func(p *Page) { p.WriteFile("../a.dot", nil) },
	}
	for name, body := range cases {
		dir := t.TempDir()
		if _, err := runPage(t, dir, false, body); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "README.md")); !os.IsNotExist(err) {
			t.Errorf("%s: README.md written despite the error", name)
		}
	}
	if _, err := New(Notebook{Name: "a/b"}, Settings{Out: t.TempDir()}); err == nil {
		t.Error("a name with a slash: no error")
	}
}

func TestDefaultDir(t *testing.T) {
	q, err := defaultDir("x", true)
	if err != nil || q != filepath.Join(os.TempDir(), "intentlab-notebooks", "x") {
		t.Errorf("quick default dir %q, %v", q, err)
	}
	full, err := defaultDir("x", false) // the test runs in notebooks/page, inside the module
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if want := filepath.Join(filepath.Dir(wd), "x"); full != want {
		t.Errorf("full default dir %q, want %q", full, want)
	}
}

func TestDOTWithoutGraphviz(t *testing.T) {
	t.Setenv("PATH", "") // no dot program: the page keeps the DOT and links it
	got, err := runPage(t, t.TempDir(), false, func(p *Page) {
		if p.DOT("g", "A graph", []byte("digraph { a -> b }")) {
			t.Error("DOT reported an SVG without Graphviz")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "[figures/g.dot](figures/g.dot)") || strings.Contains(got, ".svg)") {
		t.Errorf("page without Graphviz:\n%s", got)
	}
}

func TestNeedsMissingSharedFile(t *testing.T) {
	nb := Notebook{Name: "demo", Title: "A demo", Source: src, Needs: []Need{{File: "datasets/no-such-set/data.csv", From: "the [demo site](https://example.org)"}}}
	ran := false
	run := func(p *Page) error { ran = true; return nil }

	// Quick mode: a page that says what is missing, and success; the notebook itself does not run.
	dir := t.TempDir()
	if err := Execute(nb, Settings{Quick: true, Out: dir, Stdout: io.Discard}, run); err != nil {
		t.Fatalf("quick run without the shared file: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n" + NotRun + " ", "`datasets/no-such-set/data.csv`", filepath.Join("no-such-set", "data.csv") + ": ", "Get it from the [demo site](https://example.org), put it", "notebooks/demo/README.md"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("quick page lacks %q:\n%s", want, b)
		}
	}

	// Full mode: an error, and the directory's page and figures are left alone.
	dir = t.TempDir()
	fig := filepath.Join(dir, "figures", "kept.png")
	if err := os.MkdirAll(filepath.Dir(fig), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{fig, filepath.Join(dir, "README.md")} {
		if err := os.WriteFile(f, []byte("committed"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err = Execute(nb, Settings{Out: dir, Stdout: io.Discard}, run)
	if err == nil || !strings.Contains(err.Error(), "no-such-set") {
		t.Errorf("full run without the shared file: error %v, want one naming the file", err)
	}
	for _, f := range []string{fig, filepath.Join(dir, "README.md")} {
		if b, err := os.ReadFile(f); err != nil || string(b) != "committed" {
			t.Errorf("%s after the failed full run: %q, %v", f, b, err)
		}
	}
	if ran {
		t.Error("the notebook ran without its shared file")
	}

	// A shared file that exists does not stop the notebook: page.go stands in for one (../shared
	// may not exist in a test's checkout), reached from the shared directory by a relative path.
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	nb.Needs = []Need{{File: "../" + filepath.Base(root) + "/notebooks/page/page.go"}}
	if err := Execute(nb, Settings{Quick: true, Out: t.TempDir(), Stdout: io.Discard}, run); err != nil || !ran {
		t.Errorf("with the shared file present: ran %v, error %v", ran, err)
	}
}
