package search

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
)

// Summarise reads the study in studyPath (read-only: it may be running) and writes into out its
// summary.json and three figures: history.png (each trial's score and the best so far),
// params.png (each parameter against the score) and intermediate.png (the validation score per
// epoch of every trial, pruned ones marked). out is where the trials' run directories are.
func Summarise(studyPath, out string) (*Result, error) {
	st, info, err := OpenStudyReadOnly(studyPath)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	trials, err := st.Trials()
	if err != nil {
		return nil, err
	}
	var space Space
	if err := json.Unmarshal(info.Space, &space); err != nil {
		return nil, fmt.Errorf("search: %s: the space: %w", studyPath, err)
	}
	r := &Result{Study: studyPath, Metric: info.Metric, Trials: trials, States: map[State]int{}}
	for _, t := range trials {
		r.States[t.State]++
	}
	if best, ok := Best(trials); ok {
		r.Best = &best
		r.BestRun = TrialDir(out, r.Best.Number)
		if r.BestTest, err = train.ReadSummary(r.BestRun); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(trials) > 0 {
		if r.Figures, err = drawFigures(out, &space, trials, metricLabel(info.Metric)); err != nil {
			return nil, err
		}
	}
	if err := train.WriteJSON(filepath.Join(out, "summary.json"), r); err != nil {
		return nil, err
	}
	return r, nil
}

// drawFigures writes the study's figures into out and returns their paths.
func drawFigures(out string, space *Space, trials []Trial, metric string) ([]string, error) {
	pts := make([]plots.Trial, len(trials))
	for i, t := range trials {
		pts[i] = plots.Trial{Number: t.Number, State: string(t.State), Score: t.Score, Intermediate: t.Intermediate}
	}
	var panels []plots.ParamPanel
	for _, p := range space.Params {
		pp := plots.ParamPanel{Name: p.Name, Log: p.Kind == LogUniform || (p.Kind == Int && p.Log)}
		for _, t := range trials {
			if (t.State != Complete && t.State != Pruned) || math.IsNaN(t.Score) {
				continue
			}
			v := t.Params[p.Name]
			if p.Kind == Choice {
				b, _ := json.Marshal(v)
				v = string(b) // a category: [128,64] reads as such
			}
			pp.Values = append(pp.Values, v)
			pp.Scores = append(pp.Scores, t.Score)
			pp.Pruned = append(pp.Pruned, t.State == Pruned)
		}
		if len(pp.Values) > 0 {
			panels = append(panels, pp)
		}
	}
	var files []string
	save := func(name string, f *plots.Figure, err error) error {
		if err != nil {
			return fmt.Errorf("search: figure %s: %w", name, err)
		}
		path := filepath.Join(out, name)
		if err := f.Save(path); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		files = append(files, path)
		return nil
	}
	scored := slices.ContainsFunc(trials, func(t Trial) bool { return !math.IsNaN(t.Score) })
	if !scored {
		return nil, nil // nothing finished with a score yet
	}
	f, err := plots.SearchHistory(pts, metric)
	if err := save("history.png", f, err); err != nil {
		return nil, err
	}
	if len(panels) > 0 {
		f, err = plots.ParamScores(panels, metric)
		if err := save("params.png", f, err); err != nil {
			return nil, err
		}
	}
	f, err = plots.Intermediate(pts, metric)
	if err := save("intermediate.png", f, err); err != nil {
		return nil, err
	}
	return files, nil
}

func metricLabel(m string) string {
	switch m {
	case "val_roc_auc":
		return "validation ROC-AUC"
	case "val_pr_auc":
		return "validation PR-AUC"
	case "val_log_loss":
		return "− validation log loss"
	}
	return m
}

// WriteTable writes the trials as a table: number, state, score, epochs, and each parameter in the
// space's order; the best complete trial is marked with *.
func WriteTable(w io.Writer, space *Space, trials []Trial) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"trial", "state", "score", "epochs"}
	for _, p := range space.Params {
		head = append(head, p.Name)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	best, found := Best(trials)
	for _, t := range trials {
		mark := " "
		if found && t.Number == best.Number {
			mark = "*"
		}
		sc := "—"
		if !math.IsNaN(t.Score) {
			sc = fmt.Sprintf("%.4f", t.Score)
		}
		row := []string{fmt.Sprintf("%s%d", mark, t.Number), string(t.State), sc, fmt.Sprint(len(t.Intermediate))}
		for _, p := range space.Params {
			b, _ := json.Marshal(t.Params[p.Name])
			row = append(row, cell(b, p.Kind))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// cell prints a number with 4 significant digits and anything else as JSON.
func cell(b []byte, kind Kind) string {
	var f float64
	if kind != Choice && json.Unmarshal(b, &f) == nil {
		return fmt.Sprintf("%.4g", f)
	}
	return string(b)
}

// Best returns the complete trial with the highest score, or false when none has completed.
func Best(trials []Trial) (Trial, bool) {
	var best *Trial
	for i := range trials {
		t := &trials[i]
		if t.State == Complete && (best == nil || cmp.Compare(t.Score, best.Score) > 0) {
			best = t
		}
	}
	if best == nil {
		return Trial{}, false
	}
	return *best, true
}
