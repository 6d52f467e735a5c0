package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/intentlab/intentlab/datasets"
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

// skipBadFlag is the value of --skip-bad, applied to the load options after parsing.
type skipBadFlag struct{ v bool }

func (s *skipBadFlag) apply(opts *datasets.LoadOptions) {
	opts.Events.SkipBad, opts.YooChoose.SkipBad = s.v, s.v
}

// addEventFlags adds the flags that configure event-log loading (--skip-bad and the events CSV
// columns) to fs.
func addEventFlags(fs *flags, opts *datasets.LoadOptions) *skipBadFlag {
	sb := &skipBadFlag{}
	fs.BoolVar(&sb.v, "skip-bad", false, "event logs: skip malformed rows and count them instead of failing")
	ev := &opts.Events
	fs.StringVar(&ev.Session, "session-col", "", "events: session id column (empty: cut visitor sessions by --gap)")
	fs.StringVar(&ev.Visitor, "visitor-col", "visitorid", "events: visitor id column")
	fs.StringVar(&ev.Time, "time-col", "timestamp", "events: timestamp column (may be empty with --session-col)")
	fs.StringVar(&ev.Type, "type-col", "event", "events: event type column")
	fs.StringVar(&ev.Item, "item-col", "itemid", "events: item id column (empty: none)")
	fs.StringVar(&ev.Category, "category-col", "", "events: category column (empty: none)")
	fs.StringVar(&ev.Price, "price-col", "", "events: price column (empty: none)")
	fs.StringSliceVar(&ev.BuyTypes, "buy-types", datasets.DefaultBuyTypes, "events: event types that are a purchase")
	fs.DurationVar(&ev.Gap, "gap", datasets.DefaultGap, "events: silence that ends a visitor's session")
	fs.StringVar(&ev.TimeFormat, "time-format", datasets.TimeAuto, "events: auto, unix, unix_ms, rfc3339 or a Go layout")
	return sb
}
