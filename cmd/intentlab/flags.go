package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// flags is a leaf command's flag set with a usage text that shows every default.
type flags struct {
	*pflag.FlagSet
	env      *env
	summary  string
	required []string
}

func newFlags(e *env, summary string) *flags {
	fs := pflag.NewFlagSet(e.path, pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by parse, in one line
	fs.SortFlags = false
	return &flags{FlagSet: fs, env: e, summary: summary}
}

// require marks flags that have no default and must be set.
func (f *flags) require(names ...string) { f.required = append(f.required, names...) }

// parse parses args. It returns false with the exit code when the command must stop: after
// printing the help (exitOK) or a one-line error (exitUsage).
func (f *flags) parse(args []string) (int, bool) {
	err := f.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		f.usage(f.env.stdout)
		return exitOK, false
	}
	if err != nil {
		return f.env.usageError("%v", err), false
	}
	if f.NArg() > 0 {
		return f.env.usageError("unexpected argument %q", f.Arg(0)), false
	}
	for _, r := range f.required {
		if !f.Changed(r) {
			return f.env.usageError("--%s is required", r), false
		}
	}
	return exitOK, true
}

// usage writes the help: every flag with its type, description and default.
func (f *flags) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\n%s\n\nFlags:\n", f.env.path, f.summary)
	type line struct{ name, text string }
	var lines []line
	width := 0
	f.VisitAll(func(fl *pflag.Flag) {
		name := "--" + fl.Name
		if fl.Shorthand != "" {
			name = "-" + fl.Shorthand + ", " + name
		}
		if t := fl.Value.Type(); t != "bool" {
			name += " " + t
		}
		def := fmt.Sprintf("(default %s)", fl.DefValue)
		switch {
		case f.isRequired(fl.Name):
			def = "(required)"
		case fl.Value.Type() == "string":
			def = fmt.Sprintf("(default %q)", fl.DefValue)
		}
		lines = append(lines, line{name, fl.Usage + " " + def})
		width = max(width, len(name))
	})
	lines = append(lines, line{"-h, --help", "show this help"})
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.name, l.text)
	}
}

func (f *flags) isRequired(name string) bool {
	for _, r := range f.required {
		if r == name {
			return true
		}
	}
	return false
}

// oneLine keeps the first line of an error message, for errors that span several.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
