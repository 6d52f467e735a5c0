// Command perfcompare measures intentlab's training step (or, with --inference, its scoring) side by
// side with an equivalent PyTorch script and prints one table with the ratio:
//
//	go run ./cmd/perfcompare --threads 2
//	go run ./cmd/perfcompare --threads 2 --inference
//	go run ./cmd/perfcompare --models lstm,transformer --steps 10 --no-torch
//
// It is a tool for people, not a test: the measuring is train/perf's (see its doc). The table goes to
// stdout, progress to stderr; a bad flag is one line on stderr and exit code 2, a failed measurement
// is reported in the table and gives exit code 1.
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

	"github.com/spf13/pflag"

	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/perf"
)

func main() {
	train.TuneGC() // GOGC 25 unless the environment sets GOGC: see its doc
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("perfcompare", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	def := perf.Config{}.WithDefaults()
	var cfg perf.Config
	fs.StringSliceVar(&cfg.Models, "models", def.Models, "models to measure, comma-separated")
	fs.IntVar(&cfg.Batch, "batch", def.Batch, "training batch (sessions)")
	fs.IntVar(&cfg.Length, "length", def.Length, "events per session")
	fs.IntVar(&cfg.Warmup, "warmup", def.Warmup, "untimed steps (inference: calls) before timing")
	fs.IntVar(&cfg.Steps, "steps", def.Steps, "timed training steps (inference: timed batches of 512)")
	fs.IntVar(&cfg.Calls, "calls", def.Calls, "inference: timed single-session calls")
	fs.IntVar(&cfg.Threads, "threads", def.Threads, "threads of each side (GOMAXPROCS and BLAS; torch.set_num_threads)")
	fs.BoolVar(&cfg.Inference, "inference", false, "measure scoring with a saved run instead of training")
	fs.BoolVar(&cfg.NoTorch, "no-torch", false, "measure intentlab only")
	fs.StringVar(&cfg.Python, "python", def.Python, "Python interpreter with torch")
	child := fs.String(strings.TrimPrefix(perf.ChildFlag, "--"), "", "internal: measure one job (JSON) and print the result")
	if err := fs.MarkHidden(strings.TrimPrefix(perf.ChildFlag, "--")); err != nil {
		panic(err) // the flag is defined just above
	}
	fs.Usage = func() {} // a bad flag is one line; --help prints the flags to stdout
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, "Usage: perfcompare [flags]\n\nMeasures intentlab's training step (or scoring) side by side with PyTorch.\n\n%s", fs.FlagUsages())
			return 0
		}
		fmt.Fprintln(stderr, "perfcompare:", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "perfcompare: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *child != "" {
		if err := perf.ServeChild(ctx, *child, stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	cfg.Progress = stderr
	rep, err := perf.Compare(ctx, cfg)
	if rep == nil {
		fmt.Fprintln(stderr, "perfcompare:", err)
		return 2
	}
	if err := perf.WriteTable(stdout, rep); err != nil {
		fmt.Fprintln(stderr, "perfcompare:", err)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "perfcompare:", err)
		return 1
	}
	for _, r := range rep.Rows {
		if r.GoErr != nil || r.TorchErr != nil {
			return 1
		}
	}
	return 0
}
