//go:generate go run .

// Notebook 5, fusion and multi-task: the fusion model of models/fusion.go as sequence only, static only,
// fused by concatenation and by a gate, multi-task with the cart task, and ESMM, on the synthetic data;
// test ROC-AUC against the oracle with DeLong p-values against the best variant, and ROC curves.
//
//	go run ./notebooks/fusion          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/fusion -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/notebooks/page"
	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

//go:embed *.go
var source embed.FS

func main() {
	page.Main(page.Notebook{Name: "fusion", Title: "5. Fusion and multi-task", Source: source}, run)
}

// variant is one model of the comparison: a registered model and its config.
type variant struct {
	name, sees, model, config string
}

// trained is a variant after training.
type trained struct {
	variant
	prep *train.Prepared
	res  *train.Result
}

func run(p *page.Page) error {
	p.Text(`
		A session has two kinds of input: the *sequence* of events and the *static* features of the
		visitor and the visit (returning or new, device, traffic source, month, and aggregates such
		as the number of events of each type). A model can read either, or both; if both, it must
		*fuse* them. And the data has more than one label: besides the purchase, whether the
		visitor will add something to the cart after the window, which a model can learn *as well*.

		This notebook trains six variants of one model, models/fusion.go, on the same sessions and
		asks which wins and by how much, measured against the oracle's ceiling and with DeLong's test
		for whether a difference is more than the noise of one test split.`)

	p.Section("The data")
	// page:begin data
	data, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: p.Choose(20000, 3000), Seed: 1})
	if err != nil {
		return err
	}
	split, err := datasets.SplitStratified(data, [3]float64{0.6, 0.2, 0.2}, 0)
	if err != nil {
		return err
	}
	// page:end data
	p.Code("data")
	buyers, carts, buyersNoCart := 0, 0, 0
	for _, s := range data.Sessions {
		buyers += int(s.Labels[0])
		carts += int(s.Labels[1])
		if s.Labels[0] == 1 && s.Labels[1] == 0 {
			buyersNoCart++
		}
	}
	p.Textf(`
		%d sessions: %d train, %d validate, %d test (stratified by purchase). The two labels are
		**purchase** (%.1f%% of sessions) and **cart** (%.1f%%): an add-to-cart *after* the first 20
		events, which a model never sees, so only sessions that go on past the window can have it.
		They are related (a visitor who keeps shopping is more likely to buy) but not nested: %d of
		the %d buyers (%.0f%%) have no cart label: their session ended within the window, or went on
		without an add-to-cart. Keep that
		in mind for ESMM below.`,
		len(data.Sessions), len(split.Train.Sessions), len(split.Val.Sessions), len(split.Test.Sessions),
		100*float64(buyers)/float64(len(data.Sessions)), 100*float64(carts)/float64(len(data.Sessions)),
		buyersNoCart, buyers, 100*float64(buyersNoCart)/float64(buyers))

	p.Section("Six variants of one model")
	p.Text(`
		models/fusion.go reads the events with an LSTM (q, its last state), the static features with
		a small MLP (s'), joins the two and puts one logistic head per task on top:

		- **concat** fusion is f = [s'; q]: the head sees both and weighs them itself.
		- **gate** fusion is the gated multimodal unit (Arevalo et al., 2017): it projects both to a
		  common width and mixes them per feature, f = g ⊙ tanh(W_s s') + (1 − g) ⊙ tanh(W_q q), with
		  a gate g = σ(W_g [s'; q]) computed from both. The gate can decide, session by session, which
		  side to trust.
		- **multi-task** adds a cart head on the same f; its loss is added to the purchase loss, so
		  the shared layers also learn what predicts a later add-to-cart.
		- **ESMM** (the Entire Space Multi-task Model, Ma et al., 2018) goes further and *ties* the two
		  tasks: the purchase head predicts P(purchase | cart), and P(purchase) = P(cart) · P(purchase |
		  cart), which assumes that every purchase goes through the cart.

		The sequence-only variant is the lstm model with the static features switched off, and the
		static-only one is the fusion model with no encoder (an MLP on the static features and the
		event counts: a bag of events). Every variant that reads the events has the same LSTM of 32
		units, and every one that reads the static features the same MLP of 32, so the comparison
		is of structure, not size:`)
	// page:begin variants
	sizes := `"lstm": {"hiddens": [32], "dropout": 0}, "hidden": [32], "gate_dim": 32, "dropout": 0.1` // alike in every fused variant
	variants := []variant{
		{"sequence only", "events", "lstm", `{"hiddens": [32], "dropout": 0, "sequence_only": true}`},
		{"static only", "static", "fusion", `{"encoder": "none", "hidden": [32], "tasks": ["purchase"], "dropout": 0.1}`},
		{"fused, concat", "both", "fusion", `{"encoder": "lstm", "fuse": "concat", "tasks": ["purchase"], ` + sizes + `}`},
		{"fused, gate", "both", "fusion", `{"encoder": "lstm", "fuse": "gate", "tasks": ["purchase"], ` + sizes + `}`},
		{"multi-task (+ cart)", "both", "fusion", `{"encoder": "lstm", "fuse": "concat", "tasks": ["purchase", "cart"], ` + sizes + `}`},
		{"ESMM", "both", "fusion", `{"encoder": "lstm", "fuse": "concat", "tasks": ["purchase", "cart"], "esmm": true, ` + sizes + `}`},
	}
	// page:end variants
	p.Code("variants")

	p.Section("Training")
	epochs := p.Choose(20, 3)
	p.Textf(`
		Each variant trains with Adam at 0.003 in batches of 64 for at most %d epochs, early stopping
		on the validation ROC-AUC of the purchase task (patience 3), and ends with its best epoch's
		weights. The same seed gives each the same shuffled batches.`, epochs)
	// page:begin train
	runs := []trained{}
	for _, v := range variants {
		exp := train.DefaultExperiment(v.model)
		exp.Model.Config = json.RawMessage(v.config)
		exp.Train = train.Config{Epochs: epochs, BatchSize: 64, LR: 0.003, Seed: 1,
			EarlyStop: train.EarlyStopConfig{Patience: 3}}
		prep, err := train.PrepareSplit(exp, split)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		res, err := train.Run(context.Background(), prep.Model, prep.Data, exp.Train)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		runs = append(runs, trained{v, prep, res})
		fmt.Printf("%-20s %d epochs, test ROC-AUC %.3f\n", v.name, res.Epochs, res.Tasks[0].Test.ROCAUC)
	}
	// page:end train
	p.Code("train")

	p.Section("Which wins, and by how much")
	// page:begin compare
	testY, err := train.Labels(split.Test, datasets.TaskPurchase)
	if err != nil {
		return err
	}
	oracle := train.OracleScores(split.Test, datasets.TaskPurchase)
	aucs := make([]float64, len(runs))
	for i, r := range runs {
		if aucs[i], err = metrics.ROCAUC(r.res.Test[0], testY); err != nil { // r.res.Test[0]: P(purchase), split.Test order
			return err
		}
	}
	best := runs[slices.Index(aucs, slices.Max(aucs))]
	// page:end compare
	p.Code("compare")
	oracleAUC, err := metrics.ROCAUC(oracle, testY)
	if err != nil {
		return err
	}
	rows := [][]string{}
	curves := []plots.ROCCurve{}
	vs := make([]metrics.DeLongResult, len(runs)) // best − each variant; zero for the best itself
	for i, r := range runs {
		if got := r.res.Tasks[0].Test.ROCAUC; math.Abs(got-aucs[i]) > 1e-12 {
			return fmt.Errorf("%s: the run's test ROC-AUC %v differs from metrics.ROCAUC %v", r.name, got, aucs[i])
		}
		vsBest, vsBestP := "—", "—"
		if r.name != best.name {
			// page:begin delong
			d, err := metrics.DeLong(best.res.Test[0], r.res.Test[0], testY) // best − this variant
			if err != nil {
				return err
			}
			// page:end delong
			vsBest, vsBestP, vs[i] = fmt.Sprintf("%.3f", d.Diff), fmt.Sprintf("%.2g", d.P), d
		}
		gap, err := metrics.DeLong(oracle, r.res.Test[0], testY)
		if err != nil {
			return err
		}
		rows = append(rows, []string{r.name, r.sees, fmt.Sprint(r.res.Params), fmt.Sprintf("%d of %d", r.res.BestEpoch, r.res.Epochs),
			f3(aucs[i]), vsBest, vsBestP, f3(gap.Diff), fmt.Sprintf("%.2g", gap.P)})
		fpr, tpr, _, err := metrics.ROCCurve(r.res.Test[0], testY)
		if err != nil {
			return err
		}
		curves = append(curves, plots.ROCCurve{Label: r.name, FPR: fpr, TPR: tpr, AUC: aucs[i]})
	}
	rows = append(rows, []string{"oracle", "everything a model sees", "", "", f3(oracleAUC), "", "", "", ""})
	p.Code("delong")
	p.Table([]string{"variant", "reads", "parameters", "best epoch", "test ROC-AUC", "best − variant", "DeLong p", "oracle − variant", "DeLong p"}, rows)
	fpr, tpr, _, err := metrics.ROCCurve(oracle, testY)
	if err != nil {
		return err
	}
	roc, err := plots.ROC(append(curves, plots.ROCCurve{Label: "oracle", FPR: fpr, TPR: tpr, AUC: oracleAUC, Reference: true}))
	if err != nil {
		return err
	}
	roc.Title = "Test ROC curves: six variants and the oracle"
	p.Figure("roc", "Test ROC curves of the six variants; the oracle (dashed) is the ceiling.", roc)
	bestAt := slices.Index(runs, best)
	second := -1 // the runner-up
	for i := range runs {
		if i != bestAt && (second < 0 || aucs[i] > aucs[second]) {
			second = i
		}
	}
	clear := 0 // variants the best beats with p < 0.05
	for i := range runs {
		if i != bestAt && vs[i].P < 0.05 {
			clear++
		}
	}
	p.Textf(`
		The best variant on the %d test sessions is **%s** (%.3f), %.3f below the oracle's %.3f.
		The runner-up, %s, is %.3f behind (DeLong p = %.2g); the best beats %d of the other %d
		variants with p < 0.05. DeLong's test compares two ROC-AUCs measured on the *same* sessions, which is far more
		sensitive than comparing two confidence intervals: the sessions that are hard for one model
		are mostly hard for the other, and the test takes that correlation into account. A small
		p-value says the difference is not the luck of this test split. It does not cover the luck of
		training (another seed gives other weights); a difference with p around 0.05 deserves a
		second seed before anyone believes it.`,
		len(testY), best.name, aucs[bestAt], oracleAUC-aucs[bestAt], oracleAUC,
		runs[second].name, aucs[bestAt]-aucs[second], vs[second].P, clear, len(runs)-1)
	single, fused := 0, 2 // the better single side (0 sequence, 1 static) and the better fusion (2 concat, 3 gate)
	if aucs[1] > aucs[0] {
		single = 1
	}
	if aucs[3] > aucs[2] {
		fused = 3
	}
	side, err := metrics.DeLong(runs[fused].res.Test[0], runs[single].res.Test[0], testY)
	if err != nil {
		return err
	}
	verdict := fmt.Sprintf("fusion pays: %s beats %s by %.3f (DeLong p = %.2g)", runs[fused].name, runs[single].name, side.Diff, side.P)
	if side.P >= 0.05 {
		verdict = fmt.Sprintf("fusing the two is not clearly better here: %s against %s is %+.3f (DeLong p = %.2g), within the noise", runs[fused].name, runs[single].name, side.Diff, side.P)
	}
	p.Textf(`
		Read the first rows. The events alone reach %.3f and the static features with the event
		counts %.3f. The counts say *what* the visitor did, the sequence also in *which order*; the
		visitor's propensity, which drives her transitions between shopping states, is in the
		static features, but it also shows in what she does, so a sequence model can infer much of
		it from the events. With both sides, %s.`,
		aucs[0], aucs[1], verdict)

	p.Section("What the gate does")
	p.Text(`
		The gate is inspectable: train.Inspect runs the trained model on a few sessions and returns
		its internals, among them g (one value per fused feature and session: 1 takes the feature
		from the static side, 0 from the sequence).`)
	gated := runs[3]
	// page:begin gate
	few := &datasets.Dataset{Schema: gated.prep.Data.Test.Schema, Sessions: gated.prep.Data.Test.Sessions[:p.Choose(1000, 200)]}
	ins, err := train.Inspect(gated.prep.Model, &gated.prep.Schema, few, train.DefaultMaxLen(gated.prep.Data.Train))
	if err != nil {
		return err
	}
	g := ins.Internals["gate"] // shape (sessions, F)
	// page:end gate
	p.Code("gate")
	if len(g.Shape) != 2 {
		return fmt.Errorf("gate: shape %v, want (sessions, features)", g.Shape)
	}
	n, width := g.Shape[0], g.Shape[1]
	perFeature := make([]float64, width)
	byClass, count := [2]float64{}, [2]float64{}
	for i := range n {
		mean := 0.0
		for j := range width {
			perFeature[j] += g.Values[i*width+j] / float64(n)
			mean += g.Values[i*width+j] / float64(width)
		}
		y := int(few.Sessions[i].Labels[0])
		byClass[y] += mean
		count[y]++
	}
	slices.Sort(perFeature)
	bars := []plots.Bar{}
	for j := width - 1; j >= 0; j-- {
		bars = append(bars, plots.Bar{Label: fmt.Sprintf("rank %d", width-j), Value: perFeature[j]})
	}
	fig, err := plots.Bars(plots.BarsConfig{Title: "Mean gate value of each fused feature, highest first", X: "mean g (1: static side, 0: sequence side)"}, bars)
	if err != nil {
		return err
	}
	p.Figure("gate", fmt.Sprintf("The gate's mean value per fused feature over %d test sessions, sorted.", n), fig)
	gateVsConcat, err := metrics.DeLong(runs[3].res.Test[0], runs[2].res.Test[0], testY)
	if err != nil {
		return err
	}
	gatePays := fmt.Sprintf("Here the gate's freedom buys nothing measurable: with %d more parameters it scores %+.3f against concat (DeLong p = %.2g).",
		runs[3].res.Params-runs[2].res.Params, gateVsConcat.Diff, gateVsConcat.P)
	if gateVsConcat.P < 0.05 && gateVsConcat.Diff < 0 {
		gatePays = fmt.Sprintf("Here the freedom costs: with %d more parameters the gate scores %+.3f against concat (DeLong p = %.2g). "+
			"A learned choice must itself be learned, from the same %d training sessions.",
			runs[3].res.Params-runs[2].res.Params, gateVsConcat.Diff, gateVsConcat.P, len(split.Train.Sessions))
	} else if gateVsConcat.P < 0.05 {
		gatePays = fmt.Sprintf("Here it pays: the gate scores %+.3f against concat (DeLong p = %.2g).", gateVsConcat.Diff, gateVsConcat.P)
	}
	static := 0 // features whose mean gate leans to the static side
	for _, v := range perFeature {
		if v > 0.5 {
			static++
		}
	}
	p.Textf(`
		Averaged over all %d features and %d test sessions, g is %.2f for buyers and %.2f for
		non-buyers. Across features the mean gate runs from %.2f to %.2f, and %d of the %d features
		lean to the static side (mean g above 0.5): the gate does not choose one side for the whole
		vector but mixes them feature by feature, a choice that concatenation leaves to the head.
		%s`,
		width, n, byClass[1]/max(count[1], 1), byClass[0]/max(count[0], 1), perFeature[0], perFeature[width-1], static, width, gatePays)

	p.Section("Multi-task and ESMM")
	cartY, err := train.Labels(split.Test, datasets.TaskCart)
	if err != nil {
		return err
	}
	cartOracle, err := metrics.ROCAUC(train.OracleScores(split.Test, datasets.TaskCart), cartY)
	if err != nil {
		return err
	}
	rows = [][]string{}
	for i, r := range runs[4:] {
		cart := r.res.Tasks[1]
		if cart.Task != datasets.TaskCart {
			return fmt.Errorf("%s: second task %q, want cart", r.name, cart.Task)
		}
		violations := 0 // sessions where the model says P(purchase) > P(cart)
		for s := range r.res.Test[0] {
			if r.res.Test[0][s] > r.res.Test[1][s]+1e-9 {
				violations++
			}
		}
		rows = append(rows, []string{r.name, f3(aucs[4+i]), f3(cart.Test.ROCAUC), f3(cartOracle - cart.Test.ROCAUC),
			fmt.Sprintf("%.0f%%", 100*float64(violations)/float64(len(testY)))})
	}
	p.Table([]string{"variant", "purchase test ROC-AUC", "cart test ROC-AUC", "cart: oracle − model", "test sessions with P(purchase) > P(cart)"}, rows)
	d, err := metrics.DeLong(runs[4].res.Test[0], runs[2].res.Test[0], testY)
	if err != nil {
		return err
	}
	e, err := metrics.DeLong(runs[5].res.Test[0], runs[4].res.Test[0], testY)
	if err != nil {
		return err
	}
	effect := "within the noise of one test split"
	if d.P < 0.05 && d.Diff > 0 {
		effect = "a real gain on this split"
	} else if d.P < 0.05 {
		effect = "a real loss on this split: the cart loss pulls the shared layers away from the purchase"
	}
	cartChange := runs[5].res.Tasks[1].Test.ROCAUC - runs[4].res.Tasks[1].Test.ROCAUC
	p.Textf(`
		The cart oracle's test ROC-AUC is %.3f. Adding the cart task changes the purchase ROC-AUC by
		%+.3f against the same model without it (DeLong p = %.2g), %s. An auxiliary task helps when
		it teaches the shared layers something the main task's labels teach slowly; here the cart
		label is a near relative of the purchase label (both depend on how the session goes on), so
		what it can teach that the purchase labels do not is little.

		ESMM changes the purchase ROC-AUC by %+.3f against plain multi-task (p = %.2g), and its cart
		ROC-AUC by %+.3f. Its structure says P(purchase) ≤ P(cart), so it can never score a session
		as a likelier purchase than cart, while %.0f%% of the buyers here buy without a later cart.
		ESMM was designed for click-through and conversion, where a conversion really does require a
		click; on this data its assumption is false, and the cart head has to carry part of the
		purchase probability too. A structural prior helps only when it is true of the data.`,
		cartOracle, d.Diff, d.P, effect, e.Diff, e.P, cartChange, 100*float64(buyersNoCart)/float64(buyers))
	return nil
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
