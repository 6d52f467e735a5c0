//go:generate go run .

// Notebook 7, tuning: a small hyperparameter search (TPE with ASHA pruning, a study in a SQLite file)
// of a 1-D CNN on synthetic sessions, its three figures, and the tuned model against the defaults on
// the test split.
//
//	go run ./notebooks/tuning          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/tuning -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/notebooks/page"
	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
	"github.com/intentlab/intentlab/train/search"
)

//go:embed *.go
var source embed.FS

func main() {
	page.Main(page.Notebook{Name: "tuning", Title: "7. Tuning", Source: source}, run)
}

func run(p *page.Page) error {
	p.Text(`
		Every model in intentlab has default settings: a learning rate, layer sizes, a dropout rate.
		They are reasonable guesses, not answers. A *search* tries other settings, trains a model
		with each, and keeps the one with the best validation score. Two things make it affordable
		and honest: *pruning* stops a trial as soon as it is clearly losing, and the test split is
		looked at once, at the very end, for the winner only.

		This notebook runs a small search over a 1-D convolutional network (models/cnn.go) on the
		synthetic sessions, reads its three figures, and then asks whether the tuned model really
		beats the defaults on test.`)

	p.Section("The experiment and the space")
	p.Text(`
		The base experiment is the CNN with its defaults: two convolutions of 64 channels with 3
		taps, mean pooling, dropout 0.1, Adam at a learning rate of 1e-3 in batches of 256. Every
		trial starts from it and changes only what the space names. A trial trains for at most the
		experiment's epochs, with early stopping on validation ROC-AUC.`)
	// page:begin space
	n := p.Choose(8000, 2000) // sessions
	exp := train.DefaultExperiment("cnn")
	exp.Data.Spec = fmt.Sprintf("synth:%d", n)
	exp.Data.Options.Synthetic = datasets.SyntheticConfig{Seed: 1}
	exp.Train = train.Config{Epochs: p.Choose(9, 3), EarlyStop: train.EarlyStopConfig{Patience: 3}}
	space, err := search.ParseSpace([]byte(`{
		"train.lr":       {"log_uniform": [0.0003, 0.03]},
		"model.channels": {"choice": [[32], [64, 64], [128, 64]]},
		"model.kernel":   {"int": [3, 7], "step": 2},
		"model.pool":     {"choice": ["mean", "attention", "last"]},
		"model.dropout":  {"uniform": [0, 0.5]}
	}`), "json")
	if err != nil {
		return err
	}
	// page:end space
	p.Code("space")
	p.Textf(`
		The sizes: %d synthetic sessions, split 60/20/20 into training, validation and test, and
		trials of at most %d epochs. They keep the whole notebook to a few minutes on two cores; a
		real search would use more of both.`, n, exp.Train.Epochs)
	p.Text(`
		A learning rate is searched on a log scale: 0.0003 to 0.003 is as wide a step as 0.003 to
		0.03. The kernel takes the odd values 3, 5 and 7 (a centred convolution needs an odd width).
		The pool is how the positions become one vector: their mean, a learned attention over them,
		or the last event's.`)

	p.Section("The search")
	startup, eta := p.Choose(8, 3), 3
	var rungs []string // ASHA's rungs: 1, η, η², … epochs, below the budget
	for r := 1; r < exp.Train.Epochs; r *= eta {
		rungs = append(rungs, fmt.Sprint(r))
	}
	p.Textf(`
		The sampler is the *tree-structured Parzen estimator* (TPE, Bergstra et al. 2011). Its
		first %d trials are random; after them it splits the scored trials into the best quarter and
		the rest, fits a density to each, and proposes the settings most likely under the good
		density relative to the bad one. The pruner is *asynchronous successive halving* (ASHA, Li
		et al. 2020): at rungs of %s epochs, a trial continues only if its best validation score
		so far is in the top third of the trials that reached that rung (the first to reach a rung
		always continues). The study is a SQLite file, written as each epoch ends, so a killed
		search resumes where it stopped.`, startup, strings.Join(rungs, " and "))
	tmp, err := os.MkdirTemp("", "intentlab-tuning-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// page:begin search
	res, err := search.Run(context.Background(), search.Config{
		Experiment: exp, Space: space, Trials: p.Choose(24, 6), Seed: 1,
		Sampler: "tpe", SamplerConfig: search.SamplerConfig{StartupTrials: startup},
		Pruner: "asha", PrunerConfig: search.PrunerConfig{MinResource: 1, Reduction: eta},
		Study: filepath.Join(tmp, "study.db"),
	})
	if err != nil {
		return err
	}
	// page:end search
	p.Code("search")
	if res.Best == nil {
		return fmt.Errorf("the search completed no trial: %v", res.States)
	}
	var table bytes.Buffer
	if err := search.WriteTable(&table, space, res.Trials); err != nil {
		return err
	}
	p.Output(table.String())
	epochs := 0
	for _, t := range res.Trials {
		epochs += len(t.Intermediate)
	}
	budget := len(res.Trials) * exp.Train.Epochs
	p.Textf(`
		%d trials: %d complete, %d pruned, %d failed. The score is the best validation ROC-AUC of the
		trial's epochs, and * marks the best complete trial. All trials together trained %d epochs,
		%.0f%% of the %d that %d trials of %d epochs would have cost: pruning bought the extra trials.`,
		len(res.Trials), res.States[search.Complete], res.States[search.Pruned], res.States[search.Failed],
		epochs, 100*float64(epochs)/float64(budget), budget, len(res.Trials), exp.Train.Epochs)
	if guided := res.Trials[min(startup, len(res.Trials)):]; len(guided) > 0 {
		pool, channels := res.Best.Params["model.pool"], res.Best.Params["model.channels"]
		samePool, sameChannels := 0, 0
		for _, t := range guided {
			if fmt.Sprint(t.Params["model.pool"]) == fmt.Sprint(pool) {
				samePool++
			}
			if fmt.Sprint(t.Params["model.channels"]) == fmt.Sprint(channels) {
				sameChannels++
			}
		}
		p.Textf(`
			After the %d random trials TPE proposed %d, and it soon settled: %d of them pool with
			%s, as the best trial does, and %d have its channels, %s.`,
			startup, len(guided), samePool, jsonOf(pool), sameChannels, jsonOf(channels))
	}

	p.Section("Its figures")
	p.Text(`
		search.Run draws the study's three figures next to the trials' run directories. The history
		shows each trial's score in the order the trials ran, and the best so far: the random start
		is spread out, and after it TPE's proposals should crowd towards the top.`)
	captions := map[string]string{
		"history.png":      "Each trial's validation ROC-AUC in the order the trials ran, and the best so far; pruned trials are hollow.",
		"params.png":       "Each searched setting against the trial's score; pruned trials are hollow grey points.",
		"intermediate.png": "Validation ROC-AUC after every epoch of every trial; the pruned trials' curves stop at a rung.",
	}
	lo, hi := math.MaxInt, 0 // the epochs after which the complete trials peaked
	for _, t := range res.Trials {
		if t.State == search.Complete && len(t.Intermediate) > 0 {
			e := slices.Index(t.Intermediate, slices.Max(t.Intermediate)) + 1
			lo, hi = min(lo, e), max(hi, e)
		}
	}
	texts := map[string]string{
		"params.png": `
			One panel per setting: where do the good trials sit? A clear trend in one panel (a
			learning rate too small to train in the budget, say) is what TPE exploits; a flat cloud
			says the setting hardly matters in this range. Pruned trials carry the score they had when
			they stopped, so they sit lower than they would have had they run on.`,
		"intermediate.png": `
			The learning curves show what ASHA sees. A trial that starts low usually stays behind,
			which is why stopping it at a rung loses little; a slow learner (a small learning rate,
			still climbing when it is judged) is the exception that pruning gets wrong. The complete
			trials peaked after ` +
			epochSpan(lo, hi) + `; one whose score has not improved for ` +
			fmt.Sprint(exp.Train.EarlyStop.Patience) + ` epochs stops early (the curves that end before
			the budget) and keeps its best epoch's weights.`,
	}
	for _, path := range res.Figures {
		name := filepath.Base(path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if t, ok := texts[name]; ok {
			p.Text(t)
		}
		p.WriteFile("figures/"+name, b)
		p.Image("figures/"+name, captions[name])
	}

	p.Section("The tuned model against the defaults")
	p.Text(`
		The best trial was chosen on validation. Its settings, applied to the base experiment, are
		the tuned experiment. Both it and the defaults are now scored once on the test split, which
		no choice above has seen. The best trial's own run directory holds its model:`)
	// page:begin compare
	tuned, err := space.Apply(exp, res.Best.Params)
	if err != nil {
		return err
	}
	best, err := train.OpenRun(res.BestRun)
	if err != nil {
		return err
	}
	split, err := train.LoadSplit(exp.Data)
	if err != nil {
		return err
	}
	probs, _, err := best.Predict(split.Test)
	if err != nil {
		return err
	}
	dflt := exp
	dflt.Train.Seed = res.Best.Seed // the same seed as the best trial: only the settings differ
	dres, _, err := train.Start(context.Background(), dflt, "", false)
	if err != nil {
		return err
	}
	y, err := train.Labels(split.Test, datasets.TaskPurchase)
	if err != nil {
		return err
	}
	delong, err := metrics.DeLong(probs[0], dres.Test[0], y)
	if err != nil {
		return err
	}
	// page:end compare
	p.Code("compare")
	// The runs' own test metrics are the library's metrics of their scores: check it.
	if want := res.BestTest.Tasks[0].Test.ROCAUC; math.Abs(delong.AUCA-want) > 1e-12 {
		return fmt.Errorf("the best run's test ROC-AUC %v, metrics on its predictions %v", want, delong.AUCA)
	}
	if want := dres.Tasks[0].Test.ROCAUC; math.Abs(delong.AUCB-want) > 1e-12 {
		return fmt.Errorf("the defaults' test ROC-AUC %v, metrics on their predictions %v", want, delong.AUCB)
	}
	oracle := train.OracleScores(split.Test, datasets.TaskPurchase)
	rows := [][]string{}
	reports := map[string]metrics.Report{}
	for _, m := range []struct {
		name   string
		scores []float64
	}{{"defaults", dres.Test[0]}, {"tuned", probs[0]}, {"oracle", oracle}} {
		r, err := metrics.Evaluate(m.scores, y, 0.5)
		if err != nil {
			return err
		}
		reports[m.name] = r
		rows = append(rows, []string{m.name, f4(r.ROCAUC), f4(r.PRAUC), f4(r.LogLoss), f4(r.Brier)})
	}
	p.Table([]string{"test split", "ROC-AUC", "PR-AUC", "log loss", "Brier"}, rows)
	p.Textf("The tuned settings: %s. DeLong's test on the %d test sessions: tuned − defaults = %+.4f, z = %.2f, p = %s.",
		settings(space, res.Best.Params), len(y), delong.Diff, delong.Z, pval(delong.P))
	lr, _ := res.Best.Params["train.lr"].(float64)
	if defaultLR := exp.Train.WithDefaults().LR; lr > 3*defaultLR {
		p.Textf(`
			The search's learning rate is %.0f times the default %g: in a budget of %d epochs,
			small steps leave the network undertrained (the slow, still-rising curves of the
			learning-curve figure).`, lr/defaultLR, defaultLR, exp.Train.Epochs)
	}
	if res.Best.Params["model.pool"] == "last" {
		p.Text(`
			It pools with "last", the convolution's output at the last real event, not the mean
			over all positions. In the synthetic shop the chance of a purchase depends on the
			hidden shopping state the visitor is in after the last event the model sees, and the
			latest events say the most about it: a mean over the whole window dilutes them.`)
	}
	flatter := fmt.Sprintf("here %.4f lower", res.Best.Score-reports["tuned"].ROCAUC)
	if reports["tuned"].ROCAUC >= res.Best.Score {
		flatter = "by luck not lower here"
	}
	p.Textf(`
		Two cautions before believing a gain. First, the best trial's *validation* score (%.4f) is
		the maximum over %d trials' noisy scores, so it tends to flatter the winner; its test score
		(%.4f, %s) is the honest one. Second, DeLong's test accounts for which test sessions were
		drawn, not for the luck of the training seed. The defaults were trained with the best
		trial's seed so that only the settings differ; the next section retrains both with other
		seeds.`,
		res.Best.Score, len(res.Trials), reports["tuned"].ROCAUC, flatter)
	curves := []plots.ROCCurve{}
	for _, name := range []string{"defaults", "tuned", "oracle"} {
		scores := map[string][]float64{"defaults": dres.Test[0], "tuned": probs[0], "oracle": oracle}[name]
		fpr, tpr, _, err := metrics.ROCCurve(scores, y)
		if err != nil {
			return err
		}
		curves = append(curves, plots.ROCCurve{Label: name, FPR: fpr, TPR: tpr, AUC: reports[name].ROCAUC, Reference: name == "oracle"})
	}
	roc, err := plots.ROC(curves)
	if err != nil {
		return err
	}
	p.Figure("roc", "Test ROC curves of the defaults and the tuned CNN, and the oracle's (dashed), the ceiling.", roc)

	p.Section("Is it the settings or the seed?")
	p.Text(`
		Train both experiments again with fresh seeds, and compare the spread of each with the gap
		between them. If the gap is smaller than the seed-to-seed spread, the search found noise.`)
	seeds := p.Choose(3, 1)
	// page:begin seeds
	var aucs [2][]float64 // defaults, tuned
	for s := range seeds {
		for i, e := range []train.Experiment{exp, tuned} {
			e.Train.Seed = uint64(100 + s)
			r, _, err := train.Start(context.Background(), e, "", false)
			if err != nil {
				return err
			}
			aucs[i] = append(aucs[i], r.Tasks[0].Test.ROCAUC)
		}
	}
	// page:end seeds
	p.Code("seeds")
	d, t := train.NewMeanStd(aucs[0]), train.NewMeanStd(aucs[1])
	seedWord := "seeds"
	if seeds == 1 {
		seedWord = "seed"
	}
	p.Table([]string{fmt.Sprintf("test ROC-AUC over %d %s", seeds, seedWord), "mean", "std", "min", "max"}, [][]string{
		{"defaults", f4(d.Mean), f4(d.Std), f4(slices.Min(aucs[0])), f4(slices.Max(aucs[0]))},
		{"tuned", f4(t.Mean), f4(t.Std), f4(slices.Min(aucs[1])), f4(slices.Max(aucs[1]))},
	})
	gap, spread := math.Abs(t.Mean-d.Mean), math.Max(d.Std, t.Std)
	verdict := "smaller than"
	switch {
	case gap > 2*spread && spread > 0:
		verdict = fmt.Sprintf("%.0f times", gap/spread)
	case gap > 2*spread: // one seed: no spread to compare with
		verdict = "more than twice"
	case gap > spread:
		verdict = "larger than, but within twice,"
	}
	ceiling := reports["oracle"].ROCAUC
	p.Textf(`
		Over %d %s the tuned settings average %.4f and the defaults %.4f: a gap of %+.4f, %s
		the larger seed-to-seed standard deviation (%.4f). The oracle's %.4f is the ceiling on
		this test split. The search closed %.0f%% of the defaults' distance to it; the %.4f left
		is what this CNN, at this data size and budget, did not find with any setting the search
		tried.`,
		seeds, seedWord, t.Mean, d.Mean, t.Mean-d.Mean, verdict, spread, ceiling,
		100*(t.Mean-d.Mean)/(ceiling-d.Mean), ceiling-t.Mean)
	return nil
}

// settings prints a trial's values in the space's order: numbers with 4 significant digits, choices
// as JSON.
func settings(space *search.Space, v search.Values) string {
	out := ""
	for i, prm := range space.Params {
		if i > 0 {
			out += ", "
		}
		x := jsonOf(v[prm.Name])
		if f, ok := v[prm.Name].(float64); ok {
			x = fmt.Sprintf("%.4g", f)
		}
		out += "`" + prm.Name + "` = " + x
	}
	return out
}

// jsonOf is a searched value as JSON: [64,64], "last".
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// epochSpan says "3 epochs" or "3 to 7 epochs".
func epochSpan(lo, hi int) string {
	if lo == hi {
		return fmt.Sprintf("%d epochs", lo)
	}
	return fmt.Sprintf("%d to %d epochs", lo, hi)
}

func f4(x float64) string { return fmt.Sprintf("%.4f", x) }

func pval(p float64) string {
	if p < 1e-4 {
		return fmt.Sprintf("%.1e", p)
	}
	return fmt.Sprintf("%.4f", p)
}
