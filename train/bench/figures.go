package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

// figure is one figure of the report: its file (relative to the report) and what it shows.
type figure struct {
	Title, File, Caption string
}

// drawFigures draws the report's figures into dir from the runs of the first seed (every model has
// one run per seed; the curves of one seed keep the axes readable).
func (r *Results) drawFigures(dir string) ([]figure, error) {
	seed := r.Config.Seeds[0]
	var runs []*RunResult
	var names []string
	for _, m := range r.Models {
		for _, run := range m.Runs {
			if run.Seed == seed {
				runs = append(runs, run)
				names = append(names, m.Model)
			}
		}
	}
	if len(runs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var figs []figure
	add := func(f *plots.Figure, err error, file, title, caption string) error {
		if err != nil {
			return fmt.Errorf("bench: figure %s: %w", file, err)
		}
		if err := f.Save(filepath.Join(dir, file)); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		figs = append(figs, figure{Title: title, File: "figures/" + file, Caption: caption})
		return nil
	}
	src := fmt.Sprintf("seed %d", seed)

	f, err := plots.ROC(rocCurves(runs, names))
	if err := add(f, err, "roc.png", "ROC curves", "Each model's ROC curve on the test split ("+src+"), with its ROC-AUC in the legend; the dotted diagonal is chance, and the dashed black curve (synthetic data) the Bayes oracle, the best any model can do."); err != nil {
		return nil, err
	}
	pr, base, err := prCurves(runs, names)
	if err == nil {
		f, err = plots.PR(pr, base)
	}
	if err := add(f, err, "pr.png", "Precision–recall curves", "Precision against recall on the test split ("+src+"), average precision in the legend. The horizontal line is the share of buyers: a model that guesses scores there."); err != nil {
		return nil, err
	}
	f, err = plots.Loss(lossPanels(runs, names))
	if err := add(f, err, "loss.png", "Loss curves", fmt.Sprintf("Training and validation loss per epoch (seed %d); the marked epoch is the one whose weights each run kept (best validation ROC-AUC). Validation loss rising while training loss falls is overfitting.", seed)); err != nil {
		return nil, err
	}
	f, err = metricFigure(runs, names, "val_roc_auc")
	if err := add(f, err, "val_auc.png", "Validation ROC-AUC per epoch", fmt.Sprintf("How fast each model learns (seed %d).", seed)); err != nil {
		return nil, err
	}
	cal, err := calibrationCurves(runs, names)
	if err == nil {
		f, err = plots.Calibration(cal)
	}
	if err := add(f, err, "calibration.png", "Calibration", "Reliability diagram on the test split ("+src+"): the observed share of buyers against the mean predicted probability in ten bins. On the diagonal, a predicted 30% means 30% buy; ECE is the weighted gap."); err != nil {
		return nil, err
	}
	t := report(runs[0], "test") // r.Models is sorted best first
	f, err = plots.Confusion(fmt.Sprintf("%s, test split, %s", names[0], src), t.Confusion, t.Threshold)
	if err := add(f, err, "confusion.png", "Confusion matrix of the best model", fmt.Sprintf("%s on the test split (%s) at its threshold %.3f, chosen on validation to maximise F1.", names[0], src, t.Threshold)); err != nil {
		return nil, err
	}
	for i, name := range names {
		if name != "transformer" {
			continue
		}
		title, w, q, k, err := attentionMap(runs[i].Dir)
		if err != nil {
			return nil, err
		}
		f, err := plots.Attention(title, w, q, k)
		if err := add(f, err, "attention.png", "Attention of the Transformer", "Self-attention weights of the Transformer's last block for one buyer's session of the test split (mean over heads): row = the event attending (query), column = the event attended to (key, by position); each row sums to 1. Colours run from 0 to the largest weight."); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

func rocCurves(runs []*RunResult, names []string) []plots.ROCCurve {
	var cs []plots.ROCCurve
	for i, run := range runs {
		fpr, tpr, _, err := metrics.ROCCurve(run.Test.Scores, run.Test.Labels)
		if err != nil {
			continue // a single-class test split: no curve (the metrics already failed loudly)
		}
		cs = append(cs, plots.ROCCurve{Label: names[i], FPR: fpr, TPR: tpr, AUC: run.Summary.Tasks[0].Test.ROCAUC})
	}
	if o := runs[0].Test.Oracle; o != nil {
		fpr, tpr, _, err := metrics.ROCCurve(o, runs[0].Test.Labels)
		auc, err2 := metrics.ROCAUC(o, runs[0].Test.Labels)
		if err == nil && err2 == nil {
			cs = append(cs, plots.ROCCurve{Label: "oracle", FPR: fpr, TPR: tpr, AUC: auc, Reference: true})
		}
	}
	return cs
}

func prCurves(runs []*RunResult, names []string) ([]plots.PRCurve, float64, error) {
	var cs []plots.PRCurve
	add := func(label string, scores, labels []float64, ref bool) error {
		p, rc, _, err := metrics.PRCurve(scores, labels)
		if err != nil {
			return err
		}
		ap, err := metrics.AveragePrecision(scores, labels)
		if err != nil {
			return err
		}
		cs = append(cs, plots.PRCurve{Label: label, Recall: rc, Precision: p, AP: ap, Reference: ref})
		return nil
	}
	for i, run := range runs {
		if err := add(names[i], run.Test.Scores, run.Test.Labels, false); err != nil {
			return nil, 0, err
		}
	}
	if o := runs[0].Test.Oracle; o != nil {
		if err := add("oracle", o, runs[0].Test.Labels, true); err != nil {
			return nil, 0, err
		}
	}
	pos := 0.0
	for _, y := range runs[0].Test.Labels {
		pos += y
	}
	return cs, pos / float64(len(runs[0].Test.Labels)), nil
}

func lossPanels(runs []*RunResult, names []string) []plots.LossPanel {
	var ps []plots.LossPanel
	for i, run := range runs {
		p := plots.LossPanel{Title: names[i], BestEpoch: run.Summary.BestEpoch}
		for _, h := range run.Summary.History {
			p.Epochs = append(p.Epochs, float64(h.Epoch))
			p.Train = append(p.Train, h.TrainLoss)
			if h.ValROCAUC != nil {
				p.Val = append(p.Val, h.ValLoss)
			}
		}
		if len(p.Val) != len(p.Train) {
			p.Val = nil
		}
		ps = append(ps, p)
	}
	return ps
}

func calibrationCurves(runs []*RunResult, names []string) ([]plots.CalibrationCurve, error) {
	var cs []plots.CalibrationCurve
	for i, run := range runs {
		bins, ece, err := metrics.Calibration(run.Test.Scores, run.Test.Labels, 10)
		if err != nil {
			return nil, err
		}
		cs = append(cs, plots.CalibrationCurve{Label: names[i], Bins: bins, ECE: ece})
	}
	return cs, nil
}

// attentionMap reads the Transformer run in dir and returns the head-averaged attention of its last
// block for a buyer's session of the test split: the longest one of at most 16 events among the
// first buyers, so that the map is large enough to read and small enough to label.
func attentionMap(dir string) (title string, w [][]float64, queries, keys []string, err error) {
	sr, err := train.OpenRun(dir)
	if err != nil {
		return "", nil, nil, nil, err
	}
	sp, err := train.LoadSplit(sr.Experiment.Data)
	if err != nil {
		return "", nil, nil, nil, err
	}
	pick, best := -1, 0
	for i := range sp.Test.Sessions {
		s := &sp.Test.Sessions[i]
		n := min(len(s.Events), sr.Experiment.Train.MaxLen)
		if s.Labels[0] == 1 && n <= 16 && n > best {
			pick, best = i, n
		}
	}
	if pick < 0 {
		return "", nil, nil, nil, fmt.Errorf("bench: attention map: no buyer in the test split of %s", dir)
	}
	ins, err := sr.Inspect(sp.Test.Subset([]int{pick}))
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("bench: attention map: %w", err)
	}
	last := ""
	for b := 0; ; b++ {
		name := fmt.Sprintf("attention.block%d", b)
		if _, ok := ins.Internals[name]; !ok {
			break
		}
		last = name
	}
	if last == "" {
		return "", nil, nil, nil, fmt.Errorf("bench: attention map: the model in %s exposes no attention", dir)
	}
	a := ins.Internals[last] // (heads, T, T) for one session
	heads, T := a.Shape[0], a.Shape[1]
	n := ins.Batch.Lengths[0]
	w = make([][]float64, n)
	for q := range n {
		w[q] = make([]float64, n)
		for k := range n {
			for h := range heads {
				w[q][k] += a.Values[(h*T+q)*T+k] / float64(heads)
			}
		}
	}
	queries = eventLabels(&sr.Schema, ins.Batch, n)
	keys = make([]string, n) // the same events, by position: upright labels would not fit under the columns
	for k := range keys {
		keys[k] = fmt.Sprint(k + 1)
	}
	title = fmt.Sprintf("session %s: P(buy) = %.2f, %d heads averaged", sp.Test.Sessions[pick].ID, ins.Probs[0][0], heads)
	if math.IsNaN(ins.Probs[0][0]) {
		return "", nil, nil, nil, fmt.Errorf("bench: attention map: the model in %s predicts NaN", dir)
	}
	return title, w, queries, keys, nil
}

// eventLabels names the first n events of the batch's first row "position:type".
func eventLabels(sc *datasets.Schema, b *datasets.Batch, n int) []string {
	labels := make([]string, n)
	for t := range n {
		labels[t] = fmt.Sprintf("%d:%s", t+1, sc.EventTypeName(b.Types[t]))
	}
	return labels
}

// report is the purchase metrics of a run on split "val" or "test"; nil when it has none.
func report(run *RunResult, split string) *metrics.Report {
	if len(run.Summary.Tasks) == 0 {
		return nil
	}
	if split == "val" {
		return run.Summary.Tasks[0].Val
	}
	return run.Summary.Tasks[0].Test
}
