package bench

import (
	"bufio"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/intentlab/intentlab/train"
)

// Report reads the bench in dir (Read) and writes its report: results.csv, the figures in
// dir/figures, and report.md, which embeds them. It returns what it read.
func Report(dir string) (*Results, error) {
	r, err := Read(dir)
	if err != nil {
		return nil, err
	}
	if err := r.writeCSV(filepath.Join(dir, "results.csv")); err != nil {
		return nil, err
	}
	figs, err := r.drawFigures(filepath.Join(dir, "figures"))
	if err != nil {
		return nil, err
	}
	if err := r.writeMarkdown(filepath.Join(dir, "report.md"), figs); err != nil {
		return nil, err
	}
	return r, nil
}

// resultsHeader is results.csv's header: one row per model and seed.
var resultsHeader = []string{
	"model", "seed", "run", "params", "epochs", "best_epoch", "train_seconds", "seq_per_sec",
	"val_roc_auc", "test_roc_auc", "test_pr_auc", "test_log_loss", "test_brier", "test_f1", "threshold",
	"oracle_test_roc_auc", "regret", "delong_p_vs_best",
}

// writeCSV writes results.csv with every number at full precision (empty where it does not apply).
func (r *Results) writeCSV(path string) error {
	return train.WriteFileAtomic(path, func(w *bufio.Writer) error {
		fmt.Fprintln(w, strings.Join(resultsHeader, ","))
		for _, m := range r.Models {
			for _, run := range m.Runs {
				s := run.Summary
				t := s.Tasks[0].Test
				val, oracle, p := "", "", ""
				if v := s.Tasks[0].Val; v != nil {
					val = num(v.ROCAUC)
				}
				if r.Oracle != nil {
					oracle = num(r.Oracle.ROCAUC)
				}
				if run.DeLong != nil {
					p = num(run.DeLong.P)
				}
				rel, _ := filepath.Rel(r.Dir, run.Dir)
				fields := []string{
					m.Model, strconv.FormatUint(run.Seed, 10), rel, strconv.Itoa(s.Params), strconv.Itoa(s.Epochs),
					strconv.Itoa(s.BestEpoch), num(s.TrainSeconds), num(s.SeqPerSec), val, num(t.ROCAUC), num(t.PRAUC),
					num(t.LogLoss), num(t.Brier), num(t.F1), num(s.Threshold), oracle, num(run.Regret), p,
				}
				fmt.Fprintln(w, strings.Join(fields, ","))
			}
		}
		return nil
	})
}

// num formats a number exactly (shortest round-trip form); NaN is empty.
func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
