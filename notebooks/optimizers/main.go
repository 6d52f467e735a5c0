//go:generate go run .

// Notebook 4, optimizers: SGD, SGD with momentum, Adam and AdamW training the same
// small GRU on the same synthetic sessions: loss curves, the final validation ROC-AUC against the
// learning rate, and a cosine schedule with warm-up against a constant rate.
//
//	go run ./notebooks/optimizers          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/optimizers -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/notebooks/page"
	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

//go:embed *.go
var source embed.FS

func main() {
	page.Main(page.Notebook{Name: "optimizers", Title: "4. Optimizers", Source: source}, run)
}

// optimizer is one of the update rules compared.
type optimizer struct {
	name string
	cfg  train.OptimizerConfig
}

// outcome is one training run of the sweep: its result, or nil when it diverged.
type outcome struct {
	lr  float64
	res *train.Result
}

func run(p *page.Page) error {
	lrs := page.Choose(p, []float64{0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3}, []float64{0.001, 0.01, 0.1, 1})
	p.Textf(`
		Training a network is a loop: score a batch, take the gradient of the loss, and move every
		weight a little against it. *How* the weights move is the optimizer's job, and the step size
		(the learning rate) is the setting that matters most. This notebook trains one model on one
		data set with four update rules, at %d learning rates each, and then changes the rate
		over time with a schedule. Everything else stays fixed: the data, the split, the initial
		weights, the order of the batches.`, len(lrs))

	p.Section("One model, one data set")
	p.Textf(`
		The model is a GRU with one layer of 32 units over the events, its last state next to the
		static features, and a logistic head (models/gru.go). It is a real sequence model, so the
		optimizers face what they face in practice: a recurrence whose gradients flow back through
		up to 20 steps, and sigmoid and tanh gates that saturate. It is also small enough that the
		%d training runs below fit in a few minutes on two cores, which the default recurrent
		models (two layers of 128 and 64 units) would not; the MLP would be faster still, but it
		ignores the events. Dropout is off, so that the training loss is what the optimizer
		minimises and nothing else.`, 4*len(lrs)+2)
	// page:begin data
	data, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: p.Choose(6000, 2000), Seed: 1})
	if err != nil {
		return err
	}
	split, err := datasets.SplitStratified(data, [3]float64{0.6, 0.2, 0.2}, 0)
	if err != nil {
		return err
	}
	valY, err := train.Labels(split.Val, datasets.TaskPurchase)
	if err != nil {
		return err
	}
	testY, err := train.Labels(split.Test, datasets.TaskPurchase)
	if err != nil {
		return err
	}
	epochs := p.Choose(10, 4)
	fit := func(opt train.OptimizerConfig, schedule train.ScheduleConfig, lr float64) (*train.Result, error) {
		exp := train.DefaultExperiment("gru")
		exp.Model.Config = json.RawMessage(`{"hiddens": [32], "dropout": 0}`)
		exp.Train = train.Config{Epochs: epochs, BatchSize: 64, LR: lr, Seed: 1, Optimizer: opt, Schedule: schedule,
			EarlyStop: train.EarlyStopConfig{NoRestore: true}} // keep the last epoch's weights
		prep, err := train.PrepareSplit(exp, split) // a fresh model, the same initial weights every time
		if err != nil {
			return nil, err
		}
		return train.Run(context.Background(), prep.Model, prep.Data, exp.Train)
	}
	// page:end data
	p.Code("data")
	stepsPerEpoch := (len(split.Train.Sessions) + 63) / 64
	p.Textf("%d sessions train (%d batches of 64 per epoch, %d epochs), %d validate and %d test. The same seed "+
		"gives every run the same initial weights and the same shuffled batches, so two runs differ only in how "+
		"they step. EarlyStop.NoRestore keeps each run's *last* weights: we judge where an optimizer ends up, "+
		"not its luckiest epoch.", len(split.Train.Sessions), stepsPerEpoch, epochs, len(split.Val.Sessions), len(split.Test.Sessions))

	p.Section("Four update rules")
	p.Text(`
		With g the gradient of the batch's loss and lr the learning rate, the optimizers of
		train/ (each checked against PyTorch's to rounding) step as follows:

		- **SGD**: p ← p − lr·g. The gradient of one batch is a noisy estimate of the true one; plain
		  SGD follows it as it is.
		- **SGD with momentum** (μ = 0.9): b ← μ·b + g, p ← p − lr·b. The velocity b averages about
		  the last 1/(1 − μ) = 10 gradients, so noise cancels and a consistent direction builds up
		  speed: the effective step is about 10 times lr.
		- **Adam** (β1 = 0.9, β2 = 0.999): a momentum m of the gradient and a running mean v of its
		  square; each weight moves by lr·m/√v. Dividing by √v gives every weight a step of about lr
		  whatever the scale of its gradient, which is what makes Adam forgiving.
		- **AdamW** (weight decay 0.1): Adam plus p ← p·(1 − lr·0.1) before each step, a decay that is
		  *decoupled* from the gradient (with Adam's own L2 penalty the decay would be divided by √v
		  too, and large-gradient weights would barely be decayed).

		train.OptimizerConfig has Nesterov momentum too (Nesterov: true, the step p ← p − lr·(g + μ·b)
		looks one velocity step ahead); it is left out here to keep the runs few. To see it, add a
		line with Momentum: 0.9, Nesterov: true to the list:`)
	// page:begin optimizers
	optimizers := []optimizer{
		{"SGD", train.OptimizerConfig{Name: "sgd"}},
		{"SGD + momentum", train.OptimizerConfig{Name: "sgd", Momentum: 0.9}},
		{"Adam", train.OptimizerConfig{Name: "adam"}},
		{"AdamW", train.OptimizerConfig{Name: "adamw", WeightDecay: 0.1}},
	}
	// page:end optimizers
	p.Code("optimizers")

	p.Section("The learning rate matters more than the optimizer")
	p.Textf(`
		A fair comparison gives each optimizer its own best learning rate, so we sweep the rate
		from %g to %g and train every pair from the same start. A run whose loss becomes infinite or
		NaN stops with an error (train.Run says "training diverged"); we keep that as a result.`, lrs[0], lrs[len(lrs)-1])
	// page:begin sweep
	sweep := map[string][]outcome{}
	for _, o := range optimizers {
		for _, lr := range lrs {
			res, err := fit(o.cfg, train.ScheduleConfig{}, lr)
			if err != nil && !strings.Contains(err.Error(), "training diverged") {
				return err
			}
			sweep[o.name] = append(sweep[o.name], outcome{lr, res}) // res is nil if it diverged
			fmt.Printf("%-15s lr %-6g %s\n", o.name, lr, describe(res))
		}
	}
	// page:end sweep
	p.Code("sweep")
	oracleVal, err := metrics.ROCAUC(train.OracleScores(split.Val, datasets.TaskPurchase), valY)
	if err != nil {
		return err
	}
	header := []string{"final validation ROC-AUC"}
	for _, lr := range lrs {
		header = append(header, "lr "+fmt.Sprint(lr))
	}
	rows := [][]string{}
	series := []plots.Series{}
	best := map[string]outcome{}
	for _, o := range optimizers {
		row := []string{o.name}
		s := plots.Series{Label: o.name}
		for _, out := range sweep[o.name] {
			if out.res == nil {
				row = append(row, "diverged")
				continue
			}
			auc := out.res.Tasks[0].Val.ROCAUC
			row = append(row, f3(auc))
			s.X, s.Y = append(s.X, out.lr), append(s.Y, auc)
			if b, ok := best[o.name]; !ok || auc > b.res.Tasks[0].Val.ROCAUC {
				best[o.name] = out
			}
		}
		rows = append(rows, row)
		series = append(series, s)
	}
	p.Table(header, rows)
	ref := plots.Series{Label: "oracle (the ceiling)"}
	for _, lr := range lrs {
		ref.X, ref.Y = append(ref.X, lr), append(ref.Y, oracleVal)
	}
	fig, err := plots.LinesLogX(plots.LinesConfig{Title: "Final validation ROC-AUC against the learning rate",
		X: "learning rate (log scale)", Y: "validation ROC-AUC"}, append(series, ref))
	if err != nil {
		return err
	}
	p.Figure("lr-sweep", "Final validation ROC-AUC of each optimizer at each learning rate, after the same number of epochs from the same start; the flat line is the oracle on the same sessions. A diverged run has no point.", fig)
	adam, sgd := best["Adam"], best["SGD"]
	shifted := []string{} // momentum at lr against SGD at 10·lr
	for i, lr := range lrs {
		if j := indexOf(lrs, 10*lr); j >= 0 && j <= indexOf(lrs, sgd.lr) && len(shifted) < 3 {
			shifted = append(shifted, fmt.Sprintf("%s at %g against plain SGD's %s at %g", auc(sweep["SGD + momentum"][i]), lr, auc(sweep["SGD"][j]), lrs[j]))
		}
	}
	flat := []string{} // runs that ended predicting the same score for every session
	for _, o := range optimizers {
		for _, out := range sweep[o.name] {
			if out.res != nil && math.Abs(out.res.Tasks[0].Val.ROCAUC-0.5) < 0.005 {
				flat = append(flat, fmt.Sprintf("%s at %g", o.name, out.lr))
			}
		}
	}
	fitted, fittedName := outcome{}, "" // the lowest final training loss of the sweep
	for _, o := range optimizers {
		for _, out := range sweep[o.name] {
			if out.res != nil && (fitted.res == nil || finalLoss(out.res) < finalLoss(fitted.res)) {
				fitted, fittedName = out, o.name
			}
		}
	}
	p.Textf(`
		Read the curves from the left. At lr = %g plain SGD has barely moved in %d epochs (%s), while Adam,
		whose steps are about lr in size whatever the gradient, is already at %s. Momentum shifts SGD's
		curve left by a decade, as its tenfold effective step predicts (validation ROC-AUC):
		momentum scores %s.

		Each rule has a window of good rates and falls off on both sides: too small and it has not
		arrived, too large and it overshoots, saturates the gates or diverges. A ROC-AUC of 0.500
		(%s) is a network that survived but died: its units saturated, it gives every session
		the same score, and the gradient through a saturated sigmoid or tanh is too small to bring it
		back. The best rates are far apart (%g for SGD, %g for Adam), and **a rule at its best rate
		beats any rule at a poor one**: the first thing to tune is the learning rate, not the
		optimizer. The oracle on the same %d validation sessions scores %.3f.

		A rate can also be too good at fitting. The lowest training loss of the whole sweep, %.3f,
		is %s's at %g, and its validation ROC-AUC is only %.3f: it has learnt the %d training
		sessions' noise (overfitting). A larger rate cannot settle into such a narrow fit, which is
		why a curve can dip and rise again.`,
		lrs[0], epochs, valAUC(sweep["SGD"][0]), valAUC(sweep["Adam"][0]), strings.Join(shifted, ", "),
		orNone(strings.Join(flat, ", ")), sgd.lr, adam.lr, len(split.Val.Sessions), oracleVal,
		finalLoss(fitted.res), fittedName, fitted.lr, fitted.res.Tasks[0].Val.ROCAUC, len(split.Train.Sessions))

	p.Section("Loss curves at each optimizer's best rate")
	p.Text(`
		Now each optimizer at the rate that gave it the best validation ROC-AUC: its training loss
		after every epoch (the mean over the epoch's batches), all on one axis. The test split has
		not been looked at yet; we use it once, here, for the winners.`)
	oracleTest := train.OracleScores(split.Test, datasets.TaskPurchase)
	winner := optimizers[0].name // the best validation ROC-AUC of all: chosen without the test split
	for _, o := range optimizers {
		if best[o.name].res.Tasks[0].Val.ROCAUC > best[winner].res.Tasks[0].Val.ROCAUC {
			winner = o.name
		}
	}
	lossCurves := []plots.Series{}
	rows = [][]string{}
	lowest, highest := optimizers[0].name, optimizers[0].name  // final training loss
	fastest, slowest := optimizers[0].name, optimizers[0].name // the first epoch's training loss
	minP, minPName := 1.0, ""                                  // the smallest DeLong p-value against the winner
	for _, o := range optimizers {
		b := best[o.name]
		s := plots.Series{Label: fmt.Sprintf("%s, lr %g", o.name, b.lr)}
		for _, h := range b.res.History {
			s.X, s.Y = append(s.X, float64(h.Epoch)), append(s.Y, h.TrainLoss)
		}
		lossCurves = append(lossCurves, s)
		// page:begin test
		testAUC, err := metrics.ROCAUC(b.res.Test[0], testY) // the run's test scores, in split.Test order
		if err != nil {
			return err
		}
		vsWinner, err := metrics.DeLong(best[winner].res.Test[0], b.res.Test[0], testY) // winner − this
		if err != nil {
			return err
		}
		gap, err := metrics.DeLong(oracleTest, b.res.Test[0], testY) // oracle − this
		if err != nil {
			return err
		}
		// page:end test
		if got := b.res.Tasks[0].Test.ROCAUC; math.Abs(got-testAUC) > 1e-12 {
			return fmt.Errorf("%s: the run's test ROC-AUC %v differs from metrics.ROCAUC %v", o.name, got, testAUC)
		}
		vs, vsP := "—", "—"
		if o.name != winner {
			vs, vsP = fmt.Sprintf("%+.3f", vsWinner.Diff), fmt.Sprintf("%.2g", vsWinner.P)
			if vsWinner.P < minP {
				minP, minPName = vsWinner.P, o.name
			}
		}
		if b.res.History[0].TrainLoss < best[fastest].res.History[0].TrainLoss {
			fastest = o.name
		}
		if b.res.History[0].TrainLoss > best[slowest].res.History[0].TrainLoss {
			slowest = o.name
		}
		if finalLoss(b.res) < finalLoss(best[lowest].res) {
			lowest = o.name
		}
		if finalLoss(b.res) > finalLoss(best[highest].res) {
			highest = o.name
		}
		last := b.res.History[len(b.res.History)-1]
		rows = append(rows, []string{o.name, fmt.Sprint(b.lr), f3(last.TrainLoss), f3(last.ValLoss), f3(b.res.Tasks[0].Val.ROCAUC),
			f3(testAUC), vs, vsP, f3(gap.Diff), fmt.Sprintf("%.2g", gap.P)})
	}
	p.Code("test")
	fig, err = plots.Lines(plots.LinesConfig{Title: "Training loss, each optimizer at its best learning rate", X: "epoch", Y: "training loss (log loss)"}, lossCurves)
	if err != nil {
		return err
	}
	p.Figure("loss-curves", "Mean training loss per epoch of each optimizer at its best learning rate (from the sweep above).", fig)
	p.Table([]string{"optimizer", "best lr", "train loss, last", "val loss, last", "val ROC-AUC", "test ROC-AUC",
		"winner − this (test)", "DeLong p", "oracle − this (test)", "DeLong p"}, rows)
	verdict := fmt.Sprintf("no difference from the winner is larger than the noise of %d test sessions (every p-value is above 0.05)", len(testY))
	if minP < 0.05 {
		verdict = fmt.Sprintf("its lead over %s, %.3f, is more than the noise of %d test sessions (p = %.2g)",
			minPName, best[winner].res.Tasks[0].Test.ROCAUC-best[minPName].res.Tasks[0].Test.ROCAUC, len(testY), minP)
		if math.Abs(best[winner].res.Tasks[0].Test.ROCAUC-best[minPName].res.Tasks[0].Test.ROCAUC) < 0.005 {
			verdict += ", but a difference this small matters to no one: two nearly identical models score the same " +
				"sessions almost alike, and DeLong's test, which pairs them, sees through even a tiny difference"
		}
	}
	carries := "and part of the better fit carries over to the validation sessions"
	if best[lowest].res.History[len(best[lowest].res.History)-1].ValLoss >= best[highest].res.History[len(best[highest].res.History)-1].ValLoss-0.005 {
		carries = "but the better fit does not carry over to new sessions: what the extra steps learn is the training set's noise"
	}
	oracleTestAUC, err := metrics.ROCAUC(oracleTest, testY)
	if err != nil {
		return err
	}
	splits := "" // a note when the test sessions are easier or harder than the validation ones
	if d := oracleTestAUC - oracleVal; math.Abs(d) > 0.005 {
		easier := "easier"
		if d < 0 {
			easier = "harder"
		}
		splits = fmt.Sprintf(" (The test sessions happen to be %s than the validation ones: the oracle scores %.3f on "+
			"them against %.3f. Compare models on the same sessions, never across splits.)", easier, oracleTestAUC, oracleVal)
	}
	p.Textf(`
		The winner, chosen by validation ROC-AUC so that the test split judges it without having
		picked it, is **%s**; %s. The oracle columns say how far each stays below the ceiling, and
		DeLong's p-value whether that gap could be noise.%s

		The paths differ too (the figure). The first epoch's mean loss is lowest
		for %s (%.3f) and highest for %s (%.3f); by the last epoch the training losses run from
		%.3f (%s) to %.3f (%s), %s.
		AdamW's decay shrinks the weights by lr·0.1 = %.1g per step, about %.0f%% over the whole run at
		its best rate: on a run this short it changes little, on a long run of a large model it is the
		regulariser.`,
		winner, verdict, splits,
		fastest, best[fastest].res.History[0].TrainLoss, slowest, best[slowest].res.History[0].TrainLoss,
		finalLoss(best[lowest].res), lowest, finalLoss(best[highest].res), highest, carries,
		best["AdamW"].lr*0.1, 100*(1-math.Pow(1-best["AdamW"].lr*0.1, float64(epochs*stepsPerEpoch))))

	p.Section("A schedule: cosine decay with warm-up")
	p.Text(`
		A constant rate is a compromise: large steps help early, when the weights are far from any
		good point, and hurt late, when the noise of each batch's gradient keeps the weights
		bouncing around the minimum. A schedule changes the rate as training goes. The cosine
		schedule (Loshchilov & Hutter, 2017) lowers it from lr to 0 along half a cosine over the
		run; a linear warm-up first raises it from lr/W to lr over W steps, which spares a freshly
		initialised network (and Adam's still-empty running means) the full step at the start. The
		library computes the rate of every step from the config:`)
	// page:begin schedule
	cosine := train.ScheduleConfig{Name: "cosine", WarmupSteps: stepsPerEpoch} // warm up over the first epoch
	// page:end schedule
	p.Code("schedule")
	adamLR := best["Adam"].lr
	pair := []float64{adamLR, adamLR} // the best constant rate and the next one up in the sweep
	if i := indexOf(lrs, adamLR); i+1 < len(lrs) {
		pair[1] = lrs[i+1]
	} else {
		pair[0] = lrs[i-1]
	}
	total := epochs * stepsPerEpoch
	rates := []plots.Series{{Label: fmt.Sprintf("constant %g", adamLR)}, {Label: fmt.Sprintf("cosine with warm-up, peak %g", adamLR)}}
	for s := range total {
		rates[0].X, rates[0].Y = append(rates[0].X, float64(s+1)), append(rates[0].Y, train.ScheduleConfig{}.LR(adamLR, s, stepsPerEpoch, total))
		rates[1].X, rates[1].Y = append(rates[1].X, float64(s+1)), append(rates[1].Y, cosine.LR(adamLR, s, stepsPerEpoch, total))
	}
	fig, err = plots.Lines(plots.LinesConfig{Title: "The learning rate at every optimizer step", X: "optimizer step", Y: "learning rate"}, rates)
	if err != nil {
		return err
	}
	p.Figure("schedule", fmt.Sprintf("The learning rate of each of the run's %d steps: constant, and cosine with a one-epoch linear warm-up.", total), fig)
	p.Textf(`
		We train Adam with the cosine schedule at two peak rates, %g and %g: its best constant rate and
		the next rate of the sweep, where the constant rate was already worse, and compare each with
		the constant run of the sweep at the same rate.`, pair[0], pair[1])
	rows = [][]string{}
	curves := []plots.Series{}
	story := []string{}  // one sentence per peak rate
	gains := []float64{} // cosine − constant, test ROC-AUC, per peak rate
	for _, lr := range pair {
		constant := constantRun(sweep["Adam"], lr)
		// page:begin cosine
		scheduled, err := fit(train.OptimizerConfig{Name: "adam"}, cosine, lr)
		if err != nil {
			return err
		}
		// page:end cosine
		for _, r := range []struct {
			name string
			res  *train.Result
		}{{fmt.Sprintf("constant %g", lr), constant}, {fmt.Sprintf("cosine, peak %g", lr), scheduled}} {
			if r.res == nil {
				rows = append(rows, []string{r.name, "diverged", "", "", ""})
				continue
			}
			s := plots.Series{Label: r.name}
			for _, h := range r.res.History {
				s.X, s.Y = append(s.X, float64(h.Epoch)), append(s.Y, h.ValROCAUC[0])
			}
			curves = append(curves, s)
			last := r.res.History[len(r.res.History)-1]
			peak, at := peakVal(r.res)
			rows = append(rows, []string{r.name, f3(last.TrainLoss), f3(last.ValLoss), fmt.Sprintf("%.3f (epoch %d)", peak, at),
				f3(r.res.Tasks[0].Val.ROCAUC), f3(r.res.Tasks[0].Test.ROCAUC)})
		}
		if constant == nil {
			continue
		}
		d, err := metrics.DeLong(scheduled.Test[0], constant.Test[0], testY)
		if err != nil {
			return err
		}
		rows = append(rows, []string{fmt.Sprintf("*cosine − constant at %g*", lr), "", "", "", "",
			fmt.Sprintf("%+.3f (DeLong p = %.2g)", d.Diff, d.P)})
		gains = append(gains, d.Diff)
		peak, at := peakVal(constant)
		story = append(story, fmt.Sprintf("At %g the constant rate peaks at %.3f in epoch %d and ends at %.3f, with a training "+
			"loss of %.3f against a validation loss of %.3f; the cosine run ends at %.3f (training loss %.3f, validation %.3f).",
			lr, peak, at, constant.Tasks[0].Val.ROCAUC, finalLoss(constant), constant.History[len(constant.History)-1].ValLoss,
			scheduled.Tasks[0].Val.ROCAUC, finalLoss(scheduled), scheduled.History[len(scheduled.History)-1].ValLoss))
	}
	p.Code("cosine")
	p.Table([]string{"Adam", "train loss, last", "val loss, last", "best val ROC-AUC", "val ROC-AUC, last", "test ROC-AUC"}, rows)
	fig, err = plots.MetricByEpoch("validation ROC-AUC", curves)
	if err != nil {
		return err
	}
	fig.Title = "Adam: constant rate against cosine with warm-up"
	p.Figure("schedule-effect", "Validation ROC-AUC after each epoch of Adam with a constant rate and with the cosine schedule, at its best constant rate and at the next rate of the sweep.", fig)
	larger := "The gain is not larger at the higher peak on this run: the schedule helped where it helped, and one test split cannot say more."
	if len(gains) == 2 && gains[1] > gains[0] {
		larger = "The gain is larger at the higher peak, where the constant rate was too large: whatever the peak, the cosine spends the end of the run at small rates."
	}
	p.Textf(`
		%s

		A constant rate keeps taking full steps to the last batch, so the weights keep moving: they
		bounce around a minimum, or walk on into fitting the training sessions' noise (a training
		loss that falls while the validation loss rises is that). The cosine's last epochs take
		small steps, and the weights settle where they are. %s In practice a schedule makes the
		result less sensitive to the peak rate, which is why long training runs almost always use
		one; DeLong's p-value in the table says whether a difference is more than the noise of one
		test split.

		To start an experiment of your own, copy this directory and change the optimizers list,
		the rates or the schedule: fit is the whole training loop.`, strings.Join(story, " "), larger)
	return nil
}

// peakVal returns a run's best validation ROC-AUC over its epochs and the epoch it came in.
func peakVal(res *train.Result) (float64, int) {
	peak, at := math.Inf(-1), 0
	for _, h := range res.History {
		if h.ValROCAUC[0] > peak {
			peak, at = h.ValROCAUC[0], h.Epoch
		}
	}
	return peak, at
}

// finalLoss is a run's mean training loss over its last epoch.
func finalLoss(res *train.Result) float64 { return res.History[len(res.History)-1].TrainLoss }

// describe is a run's one-line summary for the console.
func describe(res *train.Result) string {
	if res == nil {
		return "diverged"
	}
	last := res.History[len(res.History)-1]
	return fmt.Sprintf("train loss %.3f  val ROC-AUC %.3f", last.TrainLoss, res.Tasks[0].Val.ROCAUC)
}

// auc is a run's final validation ROC-AUC, or "diverged".
func auc(o outcome) string {
	if o.res == nil {
		return "diverged"
	}
	return f3(o.res.Tasks[0].Val.ROCAUC)
}

func valAUC(o outcome) string {
	if o.res == nil {
		return "it diverged"
	}
	return "validation ROC-AUC " + f3(o.res.Tasks[0].Val.ROCAUC)
}

// constantRun returns the sweep's run at rate lr, nil if it diverged or was not run.
func constantRun(outs []outcome, lr float64) *train.Result {
	for _, o := range outs {
		if o.lr == lr {
			return o.res
		}
	}
	return nil
}

// indexOf returns the index of the rate x in xs (to rounding: 10·0.03 is not exactly 0.3), or −1.
func indexOf(xs []float64, x float64) int {
	for i, v := range xs {
		if math.Abs(v-x) <= 1e-9*x {
			return i
		}
	}
	return -1
}

func orNone(s string) string {
	if s == "" {
		return "no run here"
	}
	return s
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
