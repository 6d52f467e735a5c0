// Command intentlab is the command line of intentlab: each subcommand turns its flags into a
// configuration and calls one library function. Results go to stdout, progress to stderr; a bad
// flag or value is one line on stderr and exit code 2, a failed run exit code 1.
//
// To add a subcommand, write one file defining a *command and list it in commands below.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
)

// commands is the command tree below "intentlab".
var commands = []*command{
	dataCommand,
	trainCommand,
	evalCommand,
	predictCommand,
	modelsCommand,
	ensembleCommand,
	benchCommand,
	plotCommand,
	searchCommand,
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // bad command line
)

func main() {
	train.TuneGC() // GOGC 25 unless the environment sets GOGC: see its doc
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a group of subcommands (sub) or a leaf that runs (run).
type command struct {
	name    string
	summary string // one line for listings
	sub     []*command
	run     func(env *env, args []string) int
}

// env is what a running command may touch: its name for messages, and the output streams.
type env struct {
	path           string // "intentlab data synth"
	stdout, stderr io.Writer
}

// run executes the command line args (without the program name) and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := &command{name: "intentlab", summary: "purchase-intent deep learning in Go", sub: commands}
	return dispatch(root, &env{path: "intentlab", stdout: stdout, stderr: stderr}, args)
}

func dispatch(c *command, e *env, args []string) int {
	if c.run != nil {
		return c.run(e, args)
	}
	if len(args) == 0 {
		groupUsage(c, e, e.stderr)
		return exitUsage
	}
	if a := args[0]; a == "-h" || a == "--help" || a == "help" {
		groupUsage(c, e, e.stdout)
		return exitOK
	}
	for _, s := range c.sub {
		if s.name == args[0] {
			return dispatch(s, &env{path: e.path + " " + s.name, stdout: e.stdout, stderr: e.stderr}, args[1:])
		}
	}
	return e.usageError("unknown command %q (want %s)", args[0], names(c.sub))
}

func names(cs []*command) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}

func groupUsage(c *command, e *env, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s <command> [flags]\n\n%s\n\nCommands:\n", e.path, c.summary)
	width := 0
	for _, s := range c.sub {
		width = max(width, len(s.name))
	}
	for _, s := range c.sub {
		fmt.Fprintf(w, "  %-*s  %s\n", width, s.name, s.summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for the flags of a command.\n", e.path)
}

// usageError prints one line to stderr and returns exitUsage.
func (e *env) usageError(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "%s: %s (see '%s --help')\n", e.path, fmt.Sprintf(format, args...), e.path)
	return exitUsage
}

// fail prints one line to stderr and returns exitFail.
func (e *env) fail(err error) int {
	fmt.Fprintf(e.stderr, "%s: %v\n", e.path, err)
	return exitFail
}

// interruptible is a context that Ctrl-C (SIGINT) or SIGTERM cancels: training saves its state and
// stops.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// runError turns the error of a training command into its exit code: 130 after an interruption
// (with hint, how to continue, on a second line when not empty), 2 for a bad data spec, 1 otherwise.
func (e *env) runError(err error, hint string) int {
	var serr *datasets.SpecError
	switch {
	case errors.Is(err, train.ErrInterrupted):
		fmt.Fprintf(e.stderr, "%s: %v\n", e.path, err)
		if hint != "" {
			fmt.Fprintln(e.stderr, hint)
		}
		return 130
	case errors.As(err, &serr):
		return e.usageError("%v", err)
	default:
		return e.fail(err)
	}
}
