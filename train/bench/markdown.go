package bench

import (
	"bufio"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/intentlab/intentlab/train"
)

// writeMarkdown writes report.md: the data, the results table, the runs per seed, what was skipped,
// the figures, and how to reproduce the bench.
func (r *Results) writeMarkdown(path string, figs []figure) error {
	return train.WriteFileAtomic(path, func(w *bufio.Writer) error {
		r.markdown(w, figs)
		return nil
	})
}

func (r *Results) markdown(w *bufio.Writer, figs []figure) {
	d, c := r.Dataset, r.Config
	fmt.Fprintf(w, "# intentlab benchmark: %s\n\n", d.Name)
	fmt.Fprintf(w, "%d models × %d seeds on `%s`. Written by `intentlab bench`; `config.json` and `environment.json` hold what is needed to run it again.\n\n",
		len(r.Models), len(c.Seeds), d.Spec)

	fmt.Fprintln(w, "## Data")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- %d sessions, %d buyers (%.1f%%)", d.Sessions, d.Buyers, 100*d.BuyerRate)
	if d.HasSequence {
		l := d.Length
		fmt.Fprintf(w, ", %d events; events per session: median %.0f, p25 %.0f, p75 %.0f, p90 %.0f, max %.0f", d.Events, l.P50, l.P25, l.P75, l.P90, l.Max)
	} else {
		fmt.Fprint(w, "; tabular (no event sequences)")
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintf(w, "- Split: %d train, %d validation, %d test (%d buyers in test), the same for every model and seed.\n", d.Train, d.Val, d.Test, d.TestBuyers)
	if r.Oracle != nil {
		fmt.Fprintf(w, "- **Ceiling**: the Bayes oracle, which knows the generating process, scores test ROC-AUC **%.4f** (PR-AUC %.4f, log loss %.4f). No model can beat it beyond sampling noise; a model's *regret* is the oracle's ROC-AUC minus its own.\n",
			r.Oracle.ROCAUC, r.Oracle.PRAUC, r.Oracle.LogLoss)
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "## Results\n\nTest split, mean ± standard deviation over %d seeds (%s); best model first.\n\n", len(c.Seeds), seedList(c.Seeds))
	head := []string{"model", "parameters", "ROC-AUC"}
	if r.Oracle != nil {
		head = append(head, "regret")
	}
	head = append(head, "PR-AUC", "log loss", "F1", "val ROC-AUC", "epochs (best)", "training s", "sequences/s", "DeLong p vs best")
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, m := range r.Models {
		name := m.Model
		if name == r.Best {
			name = "**" + name + "**"
		}
		row := []string{name, fmt.Sprint(m.Params), ms(m.ROCAUC, 4)}
		if r.Oracle != nil {
			row = append(row, ms(m.Regret, 4))
		}
		p := "best"
		if !math.IsNaN(m.DeLongP) {
			p = fmt.Sprintf("%s (%d/%d < 0.05)", pval(m.DeLongP), m.Below, len(m.Runs))
		}
		row = append(row, ms(m.PRAUC, 4), ms(m.LogLoss, 4), ms(m.F1, 3), ms(m.ValROCAUC, 4),
			fmt.Sprintf("%.1f (%.1f)", m.Epochs.Mean, m.Best.Mean), fmt.Sprintf("%.1f", m.TrainSeconds.Mean),
			fmt.Sprintf("%.0f", m.SeqPerSec.Mean), p)
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "How to read it:")
	fmt.Fprintln(w, "- ROC-AUC is the chance that a random buyer scores above a random non-buyer; PR-AUC (average precision) weighs the top of the ranking, where a campaign would act; log loss rewards calibrated probabilities; F1 is at each run's threshold, chosen on validation.")
	fmt.Fprintln(w, "- *DeLong p vs best*: the two-sided DeLong test of the model's test ROC-AUC against the best model's with the same seed (the same test sessions), median over seeds, and in how many seeds p < 0.05. A large p means the difference from the best is within noise.")
	fmt.Fprintln(w, "- Training seconds and sequences/s are wall-clock on this machine (see Environment); with `--jobs` > 1 trainings share the cores.")
	fmt.Fprintln(w)

	fmt.Fprintln(w, "### Test ROC-AUC per seed")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| model |")
	for _, s := range c.Seeds {
		fmt.Fprintf(w, " seed %d |", s)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(c.Seeds)))
	for _, m := range r.Models {
		fmt.Fprintf(w, "| %s |", m.Model)
		for _, s := range c.Seeds {
			cell := "failed"
			for _, run := range m.Runs {
				if run.Seed == s {
					cell = fmt.Sprintf("%.4f", run.Summary.Tasks[0].Test.ROCAUC)
				}
			}
			fmt.Fprintf(w, " %s |", cell)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)

	if len(r.Skipped) > 0 || len(r.Failed) > 0 {
		fmt.Fprintln(w, "### Not benched")
		fmt.Fprintln(w)
		for _, m := range sortedKeys(r.Skipped) {
			fmt.Fprintf(w, "- %s skipped: %s\n", m, r.Skipped[m])
		}
		for _, dir := range sortedKeys(r.Failed) {
			fmt.Fprintf(w, "- run %s failed: %s\n", dir, oneLine(r.Failed[dir]))
		}
		fmt.Fprintln(w)
	}

	if len(figs) > 0 {
		fmt.Fprintln(w, "## Figures")
		fmt.Fprintln(w)
		for _, f := range figs {
			fmt.Fprintf(w, "### %s\n\n![%s](%s)\n\n%s\n\n", f.Title, f.Title, f.File, f.Caption)
		}
	}

	fmt.Fprintln(w, "## Reproduce")
	fmt.Fprintln(w)
	if r.Command != "" {
		fmt.Fprintf(w, "```\n%s\n```\n\n", r.Command)
	}
	t := c.Train.WithDefaults()
	fmt.Fprintf(w, "- Recipe: %s at learning rate %g, %s schedule, batch %d, at most %d epochs, early stopping on validation %s with patience %d (the best epoch's weights kept). The split is fixed (split seed %d); each seed sets the initial weights, the shuffling and dropout.\n",
		t.Optimizer.Name, t.LR, scheduleName(t.Schedule.Name), t.BatchSize, t.Epochs, t.EarlyStop.Metric, t.EarlyStop.Patience, c.Data.SplitSeed)
	for _, m := range sortedKeys(c.Overrides) {
		if !slices.Contains(c.Models, m) {
			continue
		}
		o := c.Overrides[m]
		var parts []string
		if o.LR > 0 {
			parts = append(parts, fmt.Sprintf("learning rate %g", o.LR))
		}
		if o.Epochs > 0 {
			parts = append(parts, fmt.Sprintf("%d epochs", o.Epochs))
		}
		if o.BatchSize > 0 {
			parts = append(parts, fmt.Sprintf("batch %d", o.BatchSize))
		}
		if len(o.Config) > 0 {
			parts = append(parts, "config `"+string(o.Config)+"`")
		}
		fmt.Fprintf(w, "- %s: %s.\n", m, strings.Join(parts, ", "))
	}
	e := r.Environment
	fmt.Fprintf(w, "- Environment: %s %s/%s, %s, %d CPUs (GOMAXPROCS %d), BLAS %s, commit %s.\n",
		e.GoVersion, e.OS, e.Arch, e.CPU, e.CPUs, e.MaxProcs, e.BLAS, e.Commit)
	fmt.Fprintln(w, "- Every run is a directory under `runs/<model>/seed<k>/` (config.json, metrics.csv, predictions.csv, summary.json, checkpoints): `intentlab eval --run DIR` re-evaluates one, `intentlab plot` redraws figures from them.")
}

// ms formats a mean ± std with the given decimals; a single seed has no spread.
func ms(m train.MeanStd, dec int) string {
	if math.IsNaN(m.Mean) {
		return "—"
	}
	return fmt.Sprintf("%.*f ± %.*f", dec, m.Mean, dec, m.Std)
}

// pval formats a p-value: three significant digits, or "< 1e-300".
func pval(p float64) string {
	if p < 1e-300 {
		return "< 1e-300"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.3g", p), ".")
}

func seedList(seeds []uint64) string {
	s := make([]string, len(seeds))
	for i, v := range seeds {
		s[i] = fmt.Sprint(v)
	}
	return "seeds " + strings.Join(s, ", ")
}

func scheduleName(s string) string {
	if s == "" {
		return "constant"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
