package perf

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/intentlab/intentlab/train/metrics"
)

// Spread is half the interquartile range of xs in per cent of their median: the ± of the tables. The
// quartiles interpolate linearly between order statistics (numpy's default, metrics.Quantile). NaN
// for none.
func Spread(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return 100 * (metrics.Quantile(s, 0.75) - metrics.Quantile(s, 0.25)) / 2 / metrics.Median(s)
}

// WriteTable writes rep as a Markdown table with a header line above and notes below: the training
// table, or the inference table for a report of Config.Inference.
func WriteTable(w io.Writer, rep *Report) error {
	c := rep.Config
	var b strings.Builder
	goVer, blas := "", ""
	for _, r := range rep.Rows {
		if r.Go != nil {
			goVer, blas = r.Go.Version, r.Go.BLAS
			break
		}
	}
	torch := "PyTorch not run (--no-torch)"
	switch {
	case rep.TorchNote != "":
		torch = "PyTorch side not run: " + rep.TorchNote
	case rep.Torch != "":
		torch = fmt.Sprintf("PyTorch %s (%s)", rep.Torch, c.Python)
	}
	var t table
	if c.Inference {
		fmt.Fprintf(&b, "Scoring with a saved run (sessions padded to %d events, float32, %s): one session per call, median of %d calls after %d warm-up; batches of %d, median of %d.\n",
			c.Length, threads(c.Threads), c.Calls, c.Warmup, InferBatch, c.Steps)
		t = inferenceTable(rep)
	} else {
		fmt.Fprintf(&b, "Training step (batch %d, %d events, float32, %s): median of %d timed steps after %d warm-up.\n",
			c.Batch, c.Length, threads(c.Threads), c.Steps, c.Warmup)
		t = trainTable(rep)
	}
	fmt.Fprintf(&b, "intentlab %s, BLAS %s; %s.\n\n", goVer, blas, torch)
	t.write(&b)
	b.WriteString("\n")
	if c.Inference {
		b.WriteString("µs/session: one session scored through train.Predictor with its own compiled graph (batch 1), feeding included. ± is half the interquartile range of the timed calls in % of the median. ratio: intentlab speed ÷ PyTorch speed (above 1: intentlab is faster). allocs: Go heap allocations per call. peak RSS: VmHWM of the process measuring that model alone (PyTorch's includes about 230 MiB for importing torch).\n")
	} else {
		b.WriteString("GFLOP/step: the forward pass's matrix products ×3 (backward ≈ 2 forward passes); element-wise work, embeddings and the Adam update are left out, so GFLOP/s is a lower bound. ± is half the interquartile range of the timed steps in % of the median. CPU: the CPU time the process used over the timed steps in % of their wall time × threads (well under 100%: the side did not get, or did not use, its threads; on a busy machine compare nothing). ratio: intentlab seq/s ÷ PyTorch seq/s (1 is as fast). params: intentlab's count (PyTorch's LSTM has 4H more per layer, a second bias; checked). allocs, MiB: Go heap allocations per step (runtime.MemStats). peak RSS: VmHWM of the process measuring that model alone (PyTorch's includes about 230 MiB for importing torch).\n")
	}
	for _, r := range rep.Rows {
		if r.Go != nil && r.Go.Params != r.Arch.Params() {
			fmt.Fprintf(&b, "%s: WARNING: intentlab's model has %d parameters, its description %d: the FLOP count and the PyTorch model may not match it.\n", r.Model, r.Go.Params, r.Arch.Params())
		}
		if r.Torch != nil && r.Torch.Params != r.Arch.TorchParams() {
			fmt.Fprintf(&b, "%s: WARNING: the PyTorch model has %d parameters, %d expected: it is not the same model.\n", r.Model, r.Torch.Params, r.Arch.TorchParams())
		}
		if r.GoErr != nil {
			fmt.Fprintf(&b, "%s: intentlab: %v\n", r.Model, r.GoErr)
		}
		if r.TorchErr != nil {
			fmt.Fprintf(&b, "%s: PyTorch: %v\n", r.Model, r.TorchErr)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func trainTable(rep *Report) table {
	c := rep.Config
	t := table{head: []string{"model", "params", "GFLOP/step",
		"intentlab seq/s", "±", "CPU", "GFLOP/s", "allocs/step", "MiB/step", "peak RSS MiB",
		"PyTorch seq/s", "±", "CPU", "GFLOP/s", "peak RSS MiB", "ratio"}}
	for _, r := range rep.Rows {
		flops := r.Arch.StepFLOPs(c.Batch, c.Length)
		row := []string{r.Model, count(r.Arch.Params()), fmt.Sprintf("%.2f", flops/1e9)}
		goRate, torchRate := math.NaN(), math.NaN()
		if m := r.Go; m != nil {
			s := metrics.Median(m.StepSeconds)
			goRate = float64(c.Batch) / s
			row = append(row, fmt.Sprintf("%.0f", goRate), pct(Spread(m.StepSeconds)), cpuPct(m.CPUShare), fmt.Sprintf("%.1f", flops/s/1e9),
				fmt.Sprintf("%.0f", m.AllocsPerStep), fmt.Sprintf("%.1f", m.BytesPerStep/(1<<20)), mib(m.PeakRSS))
		} else {
			row = append(row, failed(r.GoErr), "", "", "", "", "", "")
		}
		if m := r.Torch; m != nil {
			s := metrics.Median(m.StepSeconds)
			torchRate = float64(c.Batch) / s
			row = append(row, fmt.Sprintf("%.0f", torchRate), pct(Spread(m.StepSeconds)), cpuPct(m.CPUShare), fmt.Sprintf("%.1f", flops/s/1e9), mib(m.PeakRSS))
		} else {
			row = append(row, failed(r.TorchErr), "", "", "", "")
		}
		row = append(row, ratio(goRate/torchRate))
		t.rows = append(t.rows, row)
	}
	return t
}

func inferenceTable(rep *Report) table {
	t := table{head: []string{"model", "params",
		"intentlab µs/session", "±", "allocs/session", "sessions/s @512", "peak RSS MiB",
		"PyTorch µs/session", "±", "sessions/s @512", "peak RSS MiB", "ratio (1)", "ratio (512)"}}
	for _, r := range rep.Rows {
		row := []string{r.Model, count(r.Arch.Params())}
		goLat, goRate, torchLat, torchRate := math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if m := r.Go; m != nil {
			goLat, goRate = metrics.Median(m.CallSeconds), InferBatch/metrics.Median(m.BatchSeconds)
			row = append(row, fmt.Sprintf("%.0f", goLat*1e6), pct(Spread(m.CallSeconds)), fmt.Sprintf("%.0f", m.AllocsPerCall),
				fmt.Sprintf("%.0f", goRate), mib(m.PeakRSS))
		} else {
			row = append(row, failed(r.GoErr), "", "", "", "")
		}
		if m := r.Torch; m != nil {
			torchLat, torchRate = metrics.Median(m.CallSeconds), InferBatch/metrics.Median(m.BatchSeconds)
			row = append(row, fmt.Sprintf("%.0f", torchLat*1e6), pct(Spread(m.CallSeconds)), fmt.Sprintf("%.0f", torchRate), mib(m.PeakRSS))
		} else {
			row = append(row, failed(r.TorchErr), "", "", "")
		}
		row = append(row, ratio(torchLat/goLat), ratio(goRate/torchRate))
		t.rows = append(t.rows, row)
	}
	return t
}

// failed is the cell of a side that did not measure: "error" when it failed, "—" when it did not run.
func failed(err error) string {
	if err != nil {
		return "error"
	}
	return "—"
}

func threads(n int) string {
	if n == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", n)
}

func cpuPct(p float64) string {
	if p < 0 || math.IsNaN(p) {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", p)
}

func count(n int) string { return fmt.Sprintf("%d", n) }

func pct(p float64) string {
	if math.IsNaN(p) {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", p)
}

func mib(b int64) string {
	if b < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f", float64(b)/(1<<20))
}

func ratio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f", r)
}

// table is a Markdown table whose columns are padded to line up in a terminal: the first column
// left-aligned, the others right-aligned.
type table struct {
	head []string
	rows [][]string
}

func (t table) write(b *strings.Builder) {
	width := make([]int, len(t.head))
	for i := 1; i < len(width); i++ {
		width[i] = 2 // room for the "-:" of a right-aligned column
	}
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	line := func(cells []string) {
		b.WriteString("|")
		for i, cell := range cells {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i == 0 {
				b.WriteString(" " + cell + pad + " |")
			} else {
				b.WriteString(" " + pad + cell + " |")
			}
		}
		b.WriteString("\n")
	}
	line(t.head)
	b.WriteString("|")
	for i, w := range width {
		if i == 0 {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		line(r)
	}
}
