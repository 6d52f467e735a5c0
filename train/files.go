package train

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/intentlab/intentlab/datasets"
)

// writeFileAtomic writes data to path through a temporary file in the same directory, synced and
// renamed over path, so that a reader never sees half a file.
func writeFileAtomic(path string, write func(w *bufio.Writer) error) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	if err = write(w); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// fmtFloat prints a float with the shortest representation that reads back exactly.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// writeMetricsCSV writes metrics.csv: one row per epoch.
func writeMetricsCSV(path string, history []EpochMetrics, tasks []string) error {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		fmt.Fprint(w, "epoch,train_loss,val_loss,val_roc_auc,val_pr_auc")
		for _, t := range tasks[1:] {
			fmt.Fprintf(w, ",val_roc_auc_%s", t)
		}
		fmt.Fprintln(w, ",lr,grad_norm,seconds")
		for _, h := range history {
			fmt.Fprintf(w, "%d,%s", h.Epoch, fmtFloat(h.TrainLoss))
			if h.ValROCAUC == nil {
				fmt.Fprint(w, ",,,")
				for range tasks[1:] {
					fmt.Fprint(w, ",")
				}
			} else {
				fmt.Fprintf(w, ",%s,%s,%s", fmtFloat(h.ValLoss), fmtFloat(h.ValROCAUC[0]), fmtFloat(h.ValPRAUC))
				for _, a := range h.ValROCAUC[1:] {
					fmt.Fprintf(w, ",%s", fmtFloat(a))
				}
			}
			fmt.Fprintf(w, ",%s,%s,%.3f\n", fmtFloat(h.LR), fmtFloat(h.GradNorm), h.Seconds)
		}
		return nil
	})
}

// writePredictions writes predictions.csv: split, index in the split, session id, then per task its
// label and score (and the oracle's probability on synthetic data).
func writePredictions(path string, data Data, tasks []string, res *Result) error {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		oracle := OracleScores(data.Test, tasks[0]) != nil || OracleScores(data.Val, tasks[0]) != nil
		fmt.Fprint(w, "split,index,id")
		for _, t := range tasks {
			fmt.Fprintf(w, ",label_%s,p_%s", t, t)
			if oracle {
				fmt.Fprintf(w, ",oracle_%s", t)
			}
		}
		fmt.Fprintln(w)
		for _, part := range []struct {
			name   string
			d      *datasets.Dataset
			scores [][]float64
		}{{"val", data.Val, res.Val}, {"test", data.Test, res.Test}} {
			for i := 0; i < size(part.d); i++ {
				s := &part.d.Sessions[i]
				fmt.Fprintf(w, "%s,%d,%s", part.name, i, csvField(s.ID))
				for k, t := range tasks {
					j := part.d.Schema.TaskIndex(t)
					fmt.Fprintf(w, ",%s,%s", fmtFloat(s.Labels[j]), fmtFloat(part.scores[k][i]))
					if oracle {
						o := ""
						if s.Oracle != nil {
							o = fmtFloat(s.Oracle[j])
						}
						fmt.Fprintf(w, ",%s", o)
					}
				}
				fmt.Fprintln(w)
			}
		}
		return nil
	})
}

// csvField quotes a field when it holds a comma, quote or newline.
func csvField(s string) string {
	for _, c := range s {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	return s
}

// WriteFileAtomic writes a file as run directories are written: through a synced temporary file
// renamed over path, so that a reader (or a crash) never leaves half a file. write fills the file.
func WriteFileAtomic(path string, write func(w *bufio.Writer) error) error {
	return writeFileAtomic(path, write)
}

// WriteJSON writes v as indented JSON, atomically (see WriteFileAtomic).
func WriteJSON(path string, v any) error { return writeJSON(path, v) }
