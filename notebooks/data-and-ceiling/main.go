//go:generate go run .

// Notebook 1, the data and the ceiling: the synthetic shopping process, what a session looks like, the
// exact oracle and why its ROC-AUC is the best possible, and a bag-of-events model falling short.
//
//	go run ./notebooks/data-and-ceiling          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/data-and-ceiling -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"context"
	"embed"
	"fmt"
	"math"
	"math/rand/v2"
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
	page.Main(page.Notebook{Name: "data-and-ceiling", Title: "1. The data and the ceiling", Source: source}, run)
}

func run(p *page.Page) error {
	p.Text(`
		Every model in intentlab is trained, by default, on a *synthetic* clickstream. Synthetic
		does not mean toy: the data come from a stated random process, so we know the best possible
		prediction for every session exactly. That turns "model A scores 0.88" into "model A leaves
		0.02 on the table", which is the question a researcher actually has.

		This notebook opens the generator: the hidden process, two sessions read event by event, the
		oracle that computes the exact probability of a purchase, and a logistic regression on a bag
		of event counts that, by design, cannot reach it.`)

	p.Section("A hidden shopping process")
	p.Text(`
		A visitor moves through four hidden *shopping states*. In each state she emits one event
		(a page view, a search, a product view, an add-to-cart, …) with a dwell time and a price, and
		after each event the session may end. A session that ends while she is *deciding* is a
		purchase three times in four; one that ends while she is *drifting* never is. Her static
		features (returning visitor, device, traffic source, month) add up to a propensity u that
		pulls her transitions towards deciding (u > 0) or drifting (u < 0).

		The library exposes the process itself, so nothing below is copied by hand:`)
	// page:begin process
	cfg := datasets.SyntheticConfig{Sessions: p.Choose(20000, 3000), Seed: 1}
	stream, err := datasets.NewSyntheticStream(cfg)
	if err != nil {
		return err
	}
	proc := stream.Process()
	// page:end process
	p.Code("process")
	rows := [][]string{}
	for z, state := range proc.States {
		rows = append(rows, []string{state, f2(proc.DwellMedian[z]), f2(proc.PriceMedian[z]),
			f2(proc.Focus[z]), f2(proc.End[z]), f2(proc.Purchase[z])})
	}
	p.Table([]string{"state z", "median dwell (s)", "median price", "focus ρ(z)", "end q(z)", "purchase p(z)"}, rows)
	p.Text(`
		*Focus* is the extra probability that the event's category is the visitor's favourite one:
		a visitor who is comparing or deciding stays in one category. What a state emits is the key
		to reading a session; each row of this map sums to one:`)
	fig, err := plots.Heatmap(plots.HeatmapConfig{Title: "P(event type | state)", X: "event type", Y: "hidden state", Scale: "probability"},
		proc.TypeProb, proc.States, proc.EventTypes)
	if err != nil {
		return err
	}
	p.Figure("emissions", "P(event type | hidden state): drifting looks much like exploring, except that it ends sessions and never buys.", fig)
	p.Text(`
		Note the trap in the last row. *Drifting* emits page views much like *exploring*, and
		*deciding* can fall back to drifting. So the same counts of events can mean a visitor on her
		way to the checkout or one on her way out, depending on which came last: **order matters**.`)

	p.Section("What a session looks like")
	p.Text(`
		A model sees the first 20 events of a session (all of them if it is shorter), whether the
		session went on past them, and the static features. It never sees the hidden states.
		SyntheticStream.Visit opens one session up: the states the generator drew, the visitor's
		own transition matrix, and the oracle's belief after each event. Here are two typical
		sessions, the first buyer and the first drifting non-buyer of 6 to 12 events that the oracle
		gets clearly right (pickSessions in the notebook's source says exactly how they were chosen).`)
	buyer, nonBuyer, err := pickSessions(stream, cfg.Sessions)
	if err != nil {
		return err
	}
	for _, v := range []datasets.SyntheticVisit{buyer, nonBuyer} {
		s := &v.Session
		who := "A non-buyer"
		if s.Labels[0] == 1 {
			who = "A buyer"
		}
		p.Textf("**%s** (session %s): a %s visitor on %s from %s in %s, past visits %d, propensity u = %.2f. "+
			"%d events, and the session ended after the last one.",
			who, s.ID, proc.Static[0][s.Categorical[0]-1], proc.Static[1][s.Categorical[1]-1],
			proc.Static[2][s.Categorical[2]-1], proc.Static[3][s.Categorical[3]-1], int(s.Numeric[0]), v.Propensity, len(s.Events))
		rows := [][]string{}
		for t, e := range s.Events {
			rows = append(rows, []string{fmt.Sprint(t + 1), proc.EventTypes[e.Type-2], fmt.Sprint(e.Category - 2),
				fmt.Sprintf("%.0f", e.Dwell), fmt.Sprintf("%.0f", e.Price), proc.States[v.States[t]],
				f2(v.Posterior[t][v.States[t]]), f3(v.Oracle[t])})
		}
		p.Table([]string{"event", "type", "category", "dwell (s)", "price", "hidden state", "P(that state)", "oracle P(purchase)"}, rows)
	}
	p.Text(`
		The last two columns are the oracle's view. *P(that state)* is the forward algorithm's
		posterior probability of the state the generator really used, given the events so far. It is
		high where a state has a clear signature (a checkout, long dwell on product pages) and it
		hedges where two states emit alike (exploring and drifting; comparing and deciding).

		The oracle's P(purchase) after event t is what it would answer if the window ended there,
		knowing the session went on. The last row is different: now the oracle knows the session
		*ended* after that event, and a session that ends while drifting never buys. Read the
		non-buyer again: carts and a checkout early on, then quick page views. Her bag of events
		looks like a buyer's; only the order says she left.`)
	series := []plots.Series{}
	for _, v := range []datasets.SyntheticVisit{buyer, nonBuyer} {
		sr := plots.Series{Label: "non-buyer, session " + v.Session.ID}
		if v.Session.Labels[0] == 1 {
			sr.Label = "buyer, session " + v.Session.ID
		}
		for t, o := range v.Oracle {
			sr.X, sr.Y = append(sr.X, float64(t+1)), append(sr.Y, o)
		}
		series = append(series, sr)
	}
	lines, err := plots.Lines(plots.LinesConfig{Title: "The oracle's P(purchase) after each event", X: "events seen", Y: "P(purchase)", YMax: 1}, series)
	if err != nil {
		return err
	}
	p.Figure("oracle-by-event", "The oracle's probability of a purchase after each event of the two sessions.", lines)
	for _, v := range []struct {
		name string
		v    datasets.SyntheticVisit
	}{{"buyer", buyer}, {"non-buyer", nonBuyer}} {
		post, err := posteriorMap(v.v, proc)
		if err != nil {
			return err
		}
		p.Figure(v.name+"-posterior", "The "+v.name+"'s posterior over hidden states after each event; each column is labelled with the event and the state really drawn.", post)
	}

	p.Section("The data set")
	// page:begin data
	data, err := datasets.Synthetic(cfg)
	if err != nil {
		return err
	}
	split, err := datasets.SplitStratified(data, [3]float64{0.6, 0.2, 0.2}, 0)
	if err != nil {
		return err
	}
	// page:end data
	p.Code("data")
	p.Output(datasets.Describe(data).String())
	p.Textf("The split is stratified by the purchase label: %d sessions train, %d validate and %d test.",
		len(split.Train.Sessions), len(split.Val.Sessions), len(split.Test.Sessions))

	p.Section("The oracle, and why nothing beats it")
	p.Text(`
		Every session carries Session.Oracle, the exact probability of a purchase given what a model
		sees, P(y = 1 | x). It is computed, not estimated: the forward algorithm gives the posterior of
		the last hidden state, and the absorbing-chain equations give the probability of ending in a
		purchase from each state on (datasets/oracle.go; a test checks it against Monte-Carlo runs).

		Why is its ROC-AUC the ceiling? ROC-AUC is the probability that a random buyer is ranked
		above a random non-buyer. Whatever a model computes from x, its best ranking is by the
		likelihood ratio P(x | buyer) / P(x | non-buyer) (the Neyman–Pearson lemma), and ranking by
		P(y = 1 | x) is the same ranking, because the posterior is an increasing function of that
		ratio. So no score of x has a higher *expected* AUC. On a finite test split a model can still
		beat the oracle by luck, by sampling noise only; the bootstrap interval below shows its scale.`)
	// page:begin oracle
	testY, err := train.Labels(split.Test, datasets.TaskPurchase)
	if err != nil {
		return err
	}
	oracle := train.OracleScores(split.Test, datasets.TaskPurchase)
	oracleAUC, err := metrics.ROCAUC(oracle, testY)
	if err != nil {
		return err
	}
	lo, hi, err := metrics.BootstrapCI(len(testY), func(idx []int) (float64, error) {
		return metrics.ROCAUC(pick(oracle, idx), pick(testY, idx))
	}, p.Choose(1000, 100), 0.95, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return err
	}
	// page:end oracle
	p.Code("oracle")
	p.Textf("On the %d test sessions the oracle's ROC-AUC is **%.3f** (95%% bootstrap interval %.3f–%.3f).",
		len(testY), oracleAUC, lo, hi)
	p.Text(`
		An exact posterior is also *calibrated*: among the sessions it gives 30%, about 30% buy. We
		check that below, next to the model.`)

	p.Section("A bag of events falls short")
	p.Text(`
		The simplest sensible model is a logistic regression on the static features and the *counts*
		of each event type, plus aggregates such as total dwell time (models/logreg.go). Shuffle a
		session's events and its input is the same, so it cannot tell "carted, then drifted off" from
		"drifted, then carted". We train it with the library's loop, early stopping on validation
		ROC-AUC:`)
	// page:begin logreg
	exp := train.DefaultExperiment("logreg")
	exp.Train = train.Config{Epochs: p.Choose(30, 3), BatchSize: 64, LR: 0.01, Seed: 1,
		EarlyStop: train.EarlyStopConfig{Patience: 4}}
	prep, err := train.PrepareSplit(exp, split) // preprocessing fitted on the training split only
	if err != nil {
		return err
	}
	res, err := train.Run(context.Background(), prep.Model, prep.Data, exp.Train)
	if err != nil {
		return err
	}
	logreg := res.Test[0] // P(purchase) for each test session, in split.Test order
	logregAUC, err := metrics.ROCAUC(logreg, testY)
	if err != nil {
		return err
	}
	delong, err := metrics.DeLong(oracle, logreg, testY)
	if err != nil {
		return err
	}
	// page:end logreg
	p.Code("logreg")
	if got := res.Tasks[0].Test.ROCAUC; math.Abs(got-logregAUC) > 1e-12 {
		return fmt.Errorf("the run's test ROC-AUC %v differs from metrics.ROCAUC %v", got, logregAUC)
	}
	p.Textf("It trained %d epochs (best: %d, %s) and reaches a test ROC-AUC of **%.3f**, %.3f below the oracle. "+
		"DeLong's test, which accounts for both AUCs being measured on the same sessions, gives z = %.1f, p = %.2g: "+
		"the gap is not sampling noise.",
		res.Epochs, res.BestEpoch, res.Stopped, logregAUC, oracleAUC-logregAUC, delong.Z, delong.P)

	reports := map[string]metrics.Report{}
	rows = [][]string{}
	for _, m := range []struct {
		name   string
		scores []float64
	}{{"oracle", oracle}, {"logreg", logreg}} {
		r, err := metrics.Evaluate(m.scores, testY, 0.5)
		if err != nil {
			return err
		}
		reports[m.name] = r
		rows = append(rows, []string{m.name, f3(r.ROCAUC), f3(r.PRAUC), f3(r.LogLoss), f3(r.Brier), f3(r.ECE)})
	}
	p.Table([]string{"test split", "ROC-AUC", "PR-AUC", "log loss", "Brier", "ECE"}, rows)
	curves := []plots.ROCCurve{}
	cal := []plots.CalibrationCurve{}
	for _, m := range []struct {
		name   string
		scores []float64
	}{{"logreg", logreg}, {"oracle", oracle}} {
		fpr, tpr, _, err := metrics.ROCCurve(m.scores, testY)
		if err != nil {
			return err
		}
		curves = append(curves, plots.ROCCurve{Label: m.name, FPR: fpr, TPR: tpr, AUC: reports[m.name].ROCAUC, Reference: m.name == "oracle"})
		bins, ece, err := metrics.Calibration(m.scores, testY, 10)
		if err != nil {
			return err
		}
		cal = append(cal, plots.CalibrationCurve{Label: m.name, Bins: bins, ECE: ece})
	}
	roc, err := plots.ROC(curves)
	if err != nil {
		return err
	}
	p.Figure("roc", "Test ROC curves: the oracle (dashed) is the ceiling; the bag of counts stays under it.", roc)
	calib, err := plots.Calibration(cal)
	if err != nil {
		return err
	}
	p.Figure("calibration", "Reliability diagram on the test split: the oracle sits on the diagonal.", calib)
	p.Textf("Both lie close to the diagonal (ECE %.3f for the oracle, %.3f for the logistic regression): training on "+
		"log loss calibrates a model too. What the bag of counts lacks is not calibration but *resolution*, how "+
		"well its probabilities separate buyers from non-buyers: with calibration nearly as good, its Brier score "+
		"is still %.3f against %.3f, and its PR-AUC %.3f against %.3f.", reports["oracle"].ECE, reports["logreg"].ECE,
		reports["logreg"].Brier, reports["oracle"].Brier, reports["logreg"].PRAUC, reports["oracle"].PRAUC)

	p.Section("Order is what the counts lose")
	p.Text(`
		Take the buyer's session above and play its events backwards: the same bag of events, so
		the logistic regression's input is unchanged. The oracle reads the order:`)
	// page:begin order
	backwards := buyer.Session
	backwards.Events = slices.Clone(buyer.Session.Events)
	slices.Reverse(backwards.Events)
	pair := &datasets.Dataset{Schema: data.Schema, Sessions: []datasets.Session{buyer.Session, backwards}}
	pairIn, err := prep.Preprocessor.Apply(pair) // the training split's preprocessing
	if err != nil {
		return err
	}
	predictor, err := train.NewPredictor(prep.Model, &prep.Schema, 2, train.DefaultMaxLen(prep.Data.Train))
	if err != nil {
		return err
	}
	defer predictor.Close()
	counts, err := predictor.Predict(pairIn) // counts[0][i]: the logistic regression's P(purchase)
	if err != nil {
		return err
	}
	oracleBack, err := stream.Oracle(&backwards)
	if err != nil {
		return err
	}
	// page:end order
	p.Code("order")
	p.Table([]string{"session " + buyer.Session.ID, "oracle P(purchase)", "logreg P(purchase)"}, [][]string{
		{"in order", f3(buyer.Session.Oracle[0]), f3(counts[0][0])},
		{"backwards", f3(oracleBack[0]), f3(counts[0][1])},
	})
	p.Text(`
		The logistic regression gives both orders the same score, to the last digit, because its input
		is the same. The oracle knows that a checkout at the end means a visitor deciding when she
		left, and a checkout at the start followed by browsing means one who moved on.`)
	p.Text(`
		How often does order matter this much? Shuffle every test session's events and ask the
		oracle again:`)
	// page:begin shuffle
	rng := rand.New(rand.NewPCG(7, 7))
	moved, total := 0, 0.0
	for _, s := range split.Test.Sessions {
		s.Events = slices.Clone(s.Events)
		rng.Shuffle(len(s.Events), func(a, b int) { s.Events[a], s.Events[b] = s.Events[b], s.Events[a] })
		o, err := stream.Oracle(&s)
		if err != nil {
			return err
		}
		change := math.Abs(o[0] - s.Oracle[0])
		total += change
		if change > 0.1 {
			moved++
		}
	}
	// page:end shuffle
	p.Code("shuffle")
	n := len(split.Test.Sessions)
	p.Textf("For %d of the %d test sessions (%.0f%%) the exact probability of a purchase moves by more than 0.1 "+
		"when only the order of the events changes; the mean change is %.3f. A model of counts gives all those "+
		"orderings one score. That, and the nonlinearity a linear model cannot express, is the %.3f of ROC-AUC "+
		"that the sequence models of the later notebooks go after.",
		moved, n, 100*float64(moved)/float64(n), total/float64(n), oracleAUC-logregAUC)
	return nil
}

// pickSessions returns the first buyer whose final oracle probability is above 0.6 and the first
// non-buyer who drifted and whose final probability is below 0.05, each with 6 to 12 events and
// ending inside the window: short enough to read, typical of what the oracle gets right.
func pickSessions(stream *datasets.SyntheticStream, n int) (buyer, nonBuyer datasets.SyntheticVisit, err error) {
	found := [2]bool{}
	for i := 0; i < n && !(found[0] && found[1]); i++ {
		v, err := stream.Visit(i)
		if err != nil {
			return buyer, nonBuyer, err
		}
		s := v.Session
		if len(s.Events) < 6 || len(s.Events) > 12 || s.Numeric[1] == 1 {
			continue
		}
		drifted := slices.Contains(v.States, slices.Index(datasets.SyntheticStates, "drifting"))
		switch {
		case !found[0] && s.Labels[0] == 1 && s.Oracle[0] > 0.6:
			buyer, found[0] = v, true
		case !found[1] && s.Labels[0] == 0 && s.Oracle[0] < 0.05 && drifted:
			nonBuyer, found[1] = v, true
		}
	}
	if !found[0] || !found[1] {
		return buyer, nonBuyer, fmt.Errorf("no typical buyer and non-buyer with 6 to 12 events among %d sessions", n)
	}
	return buyer, nonBuyer, nil
}

// posteriorMap draws a visit's posterior as states × events.
func posteriorMap(v datasets.SyntheticVisit, proc datasets.SyntheticProcess) (*plots.Figure, error) {
	z := make([][]float64, len(proc.States))
	keys := []string{}
	for t, post := range v.Posterior {
		for s := range z {
			z[s] = append(z[s], post[s])
		}
		keys = append(keys, fmt.Sprintf("%d:%s", t+1, proc.States[v.States[t]][:4]))
	}
	return plots.Heatmap(plots.HeatmapConfig{Title: "P(hidden state | events so far), session " + v.Session.ID,
		X: "event : the state really drawn", Y: "hidden state", Scale: "posterior probability"}, z, proc.States, keys)
}

func pick(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = x[j]
	}
	return out
}

func f2(x float64) string { return fmt.Sprintf("%.2f", x) }
func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
