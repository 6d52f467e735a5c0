//go:generate go run .

// Notebook 2, inside an LSTM: a trained LSTM read step by step on a buyer's and a non-buyer's session
// (its gates, its cell state, its probability after each event) and the gradient of its loss with
// respect to each event's input, where vanishing gradients show.
//
//	go run ./notebooks/lstm          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/lstm -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"context"
	"embed"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/notebooks/internal/sessions"
	"github.com/intentlab/intentlab/notebooks/page"
	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

//go:embed *.go
var source embed.FS

func main() {
	page.Main(page.Notebook{Name: "lstm", Title: "2. Inside an LSTM", Source: source}, run)
}

func run(p *page.Page) error {
	p.Text(`
		A long short-term memory network (LSTM; Hochreiter & Schmidhuber, 1997) reads a session one
		event at a time and carries two vectors from each event to the next: a *cell state* c, its
		memory, and a *hidden state* h, what it shows the next layer. Three *gates*, each a number in
		(0, 1) per unit, decide what happens at every step:

		    i = σ(x_t·W_i + h_{t−1}·U_i + b_i)    input gate: how much of the new candidate to write
		    f = σ(x_t·W_f + h_{t−1}·U_f + b_f)    forget gate: how much of the old memory to keep
		    o = σ(x_t·W_o + h_{t−1}·U_o + b_o)    output gate: how much of the memory to show
		    g = tanh(x_t·W_g + h_{t−1}·U_g + b_g) the candidate value
		    c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

		This notebook trains a small LSTM on the synthetic clickstream of notebook 1 and opens it: we
		watch its gates and memory on two sessions, its probability of a purchase after each event next
		to the exact oracle's, and finally the gradient that training sends back to each event, which
		is where the famous *vanishing gradient* lives.`)

	p.Section("A small LSTM, trained")
	p.Text(`
		Two stacked layers and a linear head, P(purchase) = σ(w·h_T + b), on the events alone
		(sequence_only: no static features). Both choices make the model readable: everything it
		knows about a session is in h_T, and each unit of h_T pushes the log-odds up or down by w_j
		h_j.`)
	// page:begin train
	cfg := datasets.SyntheticConfig{Sessions: p.Choose(12000, 2000), Seed: 2}
	data, err := datasets.Synthetic(cfg)
	if err != nil {
		return err
	}
	split, err := datasets.SplitStratified(data, [3]float64{0.6, 0.2, 0.2}, 0)
	if err != nil {
		return err
	}
	exp := train.DefaultExperiment("lstm")
	hiddens := page.Choose(p, "[32, 16]", "[8, 8]")
	exp.Model.Config = []byte(`{"hiddens": ` + hiddens + `, "sequence_only": true, "head": {"hidden": -1}}`)
	exp.Train = train.Config{Epochs: p.Choose(15, 3), BatchSize: 64, LR: 0.005, Seed: 1,
		EarlyStop: train.EarlyStopConfig{Patience: 3}}
	prep, err := train.PrepareSplit(exp, split) // preprocessing fitted on the training split only
	if err != nil {
		return err
	}
	res, err := train.Run(context.Background(), prep.Model, prep.Data, exp.Train)
	if err != nil {
		return err
	}
	lstm := prep.Model.(*models.LSTM)
	// page:end train
	p.Code("train")
	testY, err := train.Labels(split.Test, datasets.TaskPurchase)
	if err != nil {
		return err
	}
	oracleAUC, err := metrics.ROCAUC(train.OracleScores(split.Test, datasets.TaskPurchase), testY)
	if err != nil {
		return err
	}
	p.Textf("On %d sessions (%d train, %d validate, %d test), hidden sizes %s, it trained %d epochs "+
		"(best: %d). Its test ROC-AUC is **%.3f**; the oracle's is %.3f. It is not the best model of "+
		"this data (it ignores the visitor), but it is one we can read.",
		cfg.Sessions, len(split.Train.Sessions), len(split.Val.Sessions), len(split.Test.Sessions), hiddens,
		res.Epochs, res.BestEpoch, res.Tasks[0].Test.ROCAUC, oracleAUC)

	p.Section("Two sessions, read step by step")
	p.Text(`
		We take two test sessions of 6 to 12 events that contain an add-to-cart: the buyer the model
		is surest of and the non-buyer it is surest of ([sessions.ConfidentPair](../internal/sessions/sessions.go) says exactly how). train.TraceLSTM runs them through the model's own graph up to
		the LSTM's input, then recomputes every gate and state of both layers in plain Go from the
		trained weights (a test checks that this agrees with the graph). train.PrefixScores asks the
		model for P(purchase) after each event, as if the session had ended there.`)
	stream, err := datasets.NewSyntheticStream(cfg)
	if err != nil {
		return err
	}
	sc := &split.Test.Schema // names the event types
	buyer, nonBuyer, err := sessions.ConfidentPair(split.Test, res.Test[0], sessions.Readable{MinEvents: 6, MaxEvents: 12, Must: sc.EventTypeID("add_to_cart")})

	if err != nil {
		return err
	}
	picked := []int{buyer, nonBuyer}
	// page:begin read
	two := prep.Data.Test.Subset(picked) // preprocessed, as the model sees them
	maxLen := train.DefaultMaxLen(prep.Data.Train)
	traces, err := train.TraceLSTM(lstm, &prep.Schema, two, maxLen)
	if err != nil {
		return err
	}
	prefix, err := train.PrefixScores(lstm, &prep.Schema, two, maxLen)
	if err != nil {
		return err
	}
	// page:end read
	p.Code("read")
	raw := split.Test.Subset(picked)
	w := headWeights(lstm)
	top := len(traces[0].Layers) - 1
	unit := argmaxAbs(w) // the unit of h_T the head weighs most
	p.Textf("The head weighs unit %d of the top layer most (w = %+.2f): we follow its memory below.", unit, w[unit])
	names := []string{"buyer", "non-buyer"}
	oracles := make([][]float64, 2)
	for k := range raw.Sessions {
		s := &raw.Sessions[k]
		if oracles[k], err = prefixOracle(stream, s); err != nil {
			return err
		}
		tr := traces[k].Layers[top]
		rows := [][]string{}
		for t, e := range s.Events {
			rows = append(rows, []string{fmt.Sprint(t + 1), sc.EventTypeName(e.Type), fmt.Sprintf("%.0f", e.Dwell),
				f2(floats.Sum(tr.I[t]) / float64(len(tr.I[t]))), f2(floats.Sum(tr.F[t]) / float64(len(tr.F[t]))),
				f2(tr.C[t][unit]), f3(prefix[k][t]), f3(oracles[k][t])})
		}
		p.Textf("**The %s** (session %s, %d events, label %.0f):", names[k], s.ID, len(s.Events), s.Labels[0])
		p.Table([]string{"event", "type", "dwell (s)", "mean i (top)", "mean f (top)", fmt.Sprintf("c[%d]", unit),
			"LSTM P(purchase)", "oracle P(purchase)"}, rows)
	}
	p.Text(`
		The oracle column is the exact probability for the same prefix, computed as if the session
		had ended after that event (datasets' Oracle on the cut session): the question
		PrefixScores puts to the model. The oracle also knows the visitor's static features, which
		this LSTM does not read.`)

	series := []plots.Series{}
	for k, name := range names {
		series = append(series, steps("LSTM, "+name, prefix[k]), steps("oracle, "+name, oracles[k]))
	}
	fig, err := plots.Lines(plots.LinesConfig{Title: "P(purchase) after each event", X: "events seen", Y: "P(purchase)", YMax: 1}, series)
	if err != nil {
		return err
	}
	p.Figure("probability-by-event", "The LSTM's probability of a purchase after each event, next to the exact oracle's for the same prefix.", fig)
	p.Text(`
		Read the buyer's line: the probability stays low while she browses and jumps when the cart
		and checkout events arrive, as the oracle's does. The non-buyer also carts, and the model's
		probability rises with it, then falls back as quick page views follow: the LSTM has learned
		the order effect of notebook 1, that what comes *after* the cart matters. Where the two
		curves part, the model misjudges this prefix; such misjudgements, over many sessions, are
		what its regret (the oracle's ROC-AUC minus its own) measures.`)

	for k, name := range names {
		fig, err := gateMap(traces[k], &raw.Sessions[k], sc, name)
		if err != nil {
			return err
		}
		p.Figure("gates-"+name, "The "+name+"'s gates: each row is one gate of one layer, averaged over its units, after each event.", fig)
	}
	for k, name := range names {
		tr, evs := traces[k].Layers[top], raw.Sessions[k].Events
		at := slices.IndexFunc(evs, func(e datasets.Event) bool {
			return sc.EventTypeName(e.Type) == "add_to_cart" || sc.EventTypeName(e.Type) == "checkout"
		})
		p.Textf("The %s's first buying event is event %d (%s). There the top layer's mean forget gate is %.2f, "+
			"against %.2f on the events before it; its mean input gate is %.2f before it, %.2f at it and %.2f on the events after it.",
			name, at+1, sc.EventTypeName(evs[at].Type), meanGate(tr.F, at, at+1), meanGate(tr.F, 0, at),
			meanGate(tr.I, 0, at), meanGate(tr.I, at, at+1), meanGate(tr.I, at+1, len(evs)))
	}
	p.Text(`
		The gate maps show *when* the network writes and keeps. A forget gate near 1 means "keep
		the memory"; they start near σ(1) ≈ 0.73, the bias they are initialised with so that an
		untrained LSTM remembers by default, and training moves them from there. At the buyer's
		first buying event the forget gates drop: the network clears what it remembered of the
		browsing and writes the new event in (i ⊙ g), as the cell state below shows. At the
		non-buyer's they barely move. The averages hide that units specialise, so here is the top
		layer unit by unit:`)
	for _, g := range []struct{ name, title string }{{"input", "Input gate i"}, {"forget", "Forget gate f"}} {
		fig, err := unitMap(traces, raw, top, g.name, g.title)
		if err != nil {
			return err
		}
		p.Figure(g.name+"-gate-units", g.title+" of the top layer, unit by unit, on both sessions.", fig)
	}
	p.Text(`
		Read a row across. At the buyer's first buying event many units' forget gates turn pale:
		those units reset (the non-buyer's reset earlier, at her first remove-from-cart). In the
		buyer's session several input gates then stay pale on the events that
		follow: those units stop writing, and their memory of the buying event is *latched*, safe
		from what comes after. In the non-buyer's session the browsing events after her cart open
		the input gates again (dark columns), and the memory of the cart is overwritten: the
		mechanism behind her falling probability.`)

	cell := []plots.Series{}
	for k, name := range names {
		tr := traces[k].Layers[top]
		c, h := make([]float64, len(tr.C)), make([]float64, len(tr.C))
		for t := range tr.C {
			c[t], h[t] = tr.C[t][unit], tr.H[t][unit]
		}
		cell = append(cell, steps(fmt.Sprintf("c[%d], %s", unit, name), c), steps(fmt.Sprintf("h[%d], %s", unit, name), h))
	}
	fig, err = plots.Lines(plots.LinesConfig{Title: fmt.Sprintf("Top layer, unit %d: memory c and output h", unit), X: "events seen", Y: "value"}, cell)
	if err != nil {
		return err
	}
	p.Figure("cell-state", "The memory c and the output h = o ⊙ tanh(c) of the unit the head weighs most, after each event.", fig)
	p.Textf(`
		The cell state is the LSTM's memory, and this unit carries the signal the head reads most
		(w = %+.2f: a larger h raises the log-odds when w > 0, lowers it when w < 0). c moves in
		steps when an event is written in (i ⊙ g) and is multiplied by f at every step; h is
		the same memory squashed by tanh and gated by o. c is unbounded in principle, which is what
		lets an LSTM hold on to "she carted" over many later events, where a plain recurrent
		network's state is overwritten at every step.`, w[unit])

	p.Section("Vanishing gradients, shown")
	p.Text(`
		Training moves the weights along the gradient of the loss, and for a recurrent network that
		gradient reaches an early event only through every step after it: ∂ℓ/∂x_t is a product of
		T − t Jacobians. If they shrink the signal, early events barely teach the model anything.
		That is the vanishing gradient; the LSTM's additive memory (c_t = f ⊙ c_{t−1} + …, with f
		near 1) was invented to keep it alive.

		train.StepGradients computes ∂ℓ/∂x_t, the gradient of each session's own loss with respect
		to the LSTM's input at each event, in one backward pass through the model's graph (a zero
		*probe* added to the inputs, graph.Builder.Probe, whose gradient is the one we want; a test
		checks it against finite differences). We take the test sessions that fill the whole
		20-event window and average the log of the norm at each position, for the trained model and
		for the same model at its initial weights.`)
	// page:begin grads
	full := []int{}
	for i, s := range prep.Data.Test.Sessions {
		if len(s.Events) == maxLen {
			full = append(full, i)
		}
	}
	full = full[:min(len(full), p.Choose(200, 40))]
	long := prep.Data.Test.Subset(full)
	untrained, err := train.PrepareSplit(exp, split) // the same model, at its initial weights
	if err != nil {
		return err
	}
	curves, forget := []plots.Series{}, []float64{}
	for _, m := range []struct {
		name  string
		model *models.LSTM
	}{{"trained", lstm}, {"untrained", untrained.Model.(*models.LSTM)}} {
		grads, err := train.StepGradients(m.model, &prep.Schema, long, maxLen) // [session][t][feature]
		if err != nil {
			return err
		}
		curves = append(curves, meanLogNorm(m.name, grads))
		tr, err := train.TraceLSTM(m.model, &prep.Schema, long, maxLen)
		if err != nil {
			return err
		}
		forget = append(forget, meanForget(tr))
	}
	// page:end grads
	p.Code("grads")
	fig, err = plots.Lines(plots.LinesConfig{Title: "How much each event can move the loss", X: "event position t (the loss is read after event 20)",
		Y: "mean log10 ‖∂ℓ/∂x_t‖"}, curves)
	if err != nil {
		return err
	}
	p.Figure("gradient-by-step", fmt.Sprintf("Mean log10 of the gradient norm at each event, over %d test sessions of 20 events.", len(full)), fig)
	rows := [][]string{}
	for k, c := range curves {
		first, last := c.Y[0], c.Y[len(c.Y)-1]
		rows = append(rows, []string{c.Label, f2(forget[k]), fmt.Sprintf("%.2g", math.Pow(forget[k], float64(maxLen-1))),
			f2(first), f2(last), fmt.Sprintf("%.2g", math.Pow(10, last-first))})
	}
	p.Table([]string{"model", "mean forget gate f̄ (all layers)", "f̄^19", "log10 ‖∂ℓ/∂x_1‖", "log10 ‖∂ℓ/∂x_20‖",
		"‖∂ℓ/∂x_20‖ / ‖∂ℓ/∂x_1‖"}, rows)
	p.Textf(`
		Each unit of log10 is a factor of ten. At its initial weights the network passes the
		gradient back almost unchanged: the last event's gradient is %.2g times the first's, so the
		early events get at least as much as the late ones. That is the initialisation at work: the
		forget-gate bias of 1 and the orthogonal recurrent weights, one (H, H) block per gate. The
		cell path alone would decay as f̄^19 = %.2g, but the gradient also flows through the
		recurrent weights U and the second layer, and at initialisation those paths keep it alive.

		After training, the gradient at the last event is %.0f times the first event's. The trained
		forget gates are lower (f̄ = %.2f against %.2f): the model has learned to *forget*, because
		in this shopping process the last events decide (a session ending while the visitor drifts
		never buys). That is the vanishing gradient as it shows up in practice: an event 19 steps
		back now moves the loss that many times less than the latest one, so if something early in
		a session did matter, training would hardly hear it. The LSTM's additive memory makes
		long-range dependence *possible*; attention (notebook 3) makes it *direct*, connecting
		every event to the output in one step.`,
		math.Pow(10, curves[1].Y[len(curves[1].Y)-1]-curves[1].Y[0]), math.Pow(forget[1], float64(maxLen-1)),
		math.Pow(10, curves[0].Y[len(curves[0].Y)-1]-curves[0].Y[0]), forget[0], forget[1])
	return nil
}

// prefixOracle is the oracle's P(purchase) for each prefix of a raw session, as if it had ended there.
func prefixOracle(stream *datasets.SyntheticStream, s *datasets.Session) ([]float64, error) {
	out := make([]float64, len(s.Events))
	for t := range s.Events {
		cut := *s
		cut.Events = s.Events[:t+1]
		cut.Numeric = slices.Clone(s.Numeric)
		cut.Numeric[1] = 0 // did not go on
		o, err := stream.Oracle(&cut)
		if err != nil {
			return nil, err
		}
		out[t] = o[0]
	}
	return out, nil
}

// gateMap draws the mean of each gate of each layer after each event of a session.
func gateMap(tr *layers.LSTMTrace, s *datasets.Session, sc *datasets.Schema, name string) (*plots.Figure, error) {
	var z [][]float64
	var rows []string
	for l, lt := range tr.Layers {
		for _, g := range []struct {
			name string
			v    [][]float64
		}{{"input i", lt.I}, {"forget f", lt.F}, {"output o", lt.O}} {
			row := make([]float64, len(g.v))
			for t, v := range g.v {
				row[t] = floats.Sum(v) / float64(len(v))
			}
			z, rows = append(z, row), append(rows, fmt.Sprintf("%s, layer %d", g.name, l+1))
		}
	}
	return plots.Heatmap(plots.HeatmapConfig{Title: "Mean gate activation, the " + name + " (session " + s.ID + ")",
		X: "event", Y: "gate", Scale: "mean over units"}, z, rows, sc.EventLabels(s.Events))
}

// unitMap draws one gate ("input" or "forget") of layer l unit by unit, the two sessions side by side
// with a blank column between.
func unitMap(traces []*layers.LSTMTrace, raw *datasets.Dataset, l int, gate, title string) (*plots.Figure, error) {
	var z [][]float64
	var cols []string
	for k, tr := range traces {
		v := tr.Layers[l].I
		if gate == "forget" {
			v = tr.Layers[l].F
		}
		if z == nil {
			z = make([][]float64, len(v[0]))
		}
		if k > 0 {
			for j := range z {
				z[j] = append(z[j], 0)
			}
			cols = append(cols, "|")
		}
		for t, u := range v {
			for j := range z {
				z[j] = append(z[j], u[j])
			}
			cols = append(cols, raw.Schema.EventLabels(raw.Sessions[k].Events)[t])
		}
	}
	rows := make([]string, len(z))
	for j := range rows {
		rows[j] = fmt.Sprintf("unit %d", j)
	}
	return plots.Heatmap(plots.HeatmapConfig{Title: fmt.Sprintf("%s, layer %d: the buyer | the non-buyer", title, l+1),
		X: "event", Y: "unit", Scale: gate + " gate"}, z, rows, cols)
}

// meanLogNorm is the mean over sessions of log10 ‖grads[i][t]‖ at each position t.
func meanLogNorm(label string, grads [][][]float64) plots.Series {
	s := plots.Series{Label: label}
	for t := range grads[0] {
		sum := 0.0
		for _, g := range grads {
			sum += math.Log10(floats.Norm(g[t], 2))
		}
		s.X, s.Y = append(s.X, float64(t+1)), append(s.Y, sum/float64(len(grads)))
	}
	return s
}

// meanGate is the mean of a gate over its units and the steps from, …, to−1 (NaN when there are none).
func meanGate(v [][]float64, from, to int) float64 {
	sum, n := 0.0, 0
	for _, u := range v[from:to] {
		sum, n = sum+floats.Sum(u), n+len(u)
	}
	return sum / float64(n)
}

// meanForget is the mean forget gate over every unit, step, layer and session of traces.
func meanForget(traces []*layers.LSTMTrace) float64 {
	sum, n := 0.0, 0
	for _, tr := range traces {
		for _, lt := range tr.Layers {
			for _, f := range lt.F {
				sum, n = sum+floats.Sum(f), n+len(f)
			}
		}
	}
	return sum / float64(n)
}

// headWeights reads the linear head's weights w, one per unit of the top layer.
func headWeights(m *models.LSTM) []float64 {
	prm, _ := m.Store().Get("lstm.head.out.w")
	return graph.Float64s(prm.Value)
}

func argmaxAbs(w []float64) int {
	best := 0
	for j, v := range w {
		if math.Abs(v) > math.Abs(w[best]) {
			best = j
		}
	}
	return best
}

// steps is a series over event positions 1, 2, ….
func steps(label string, y []float64) plots.Series {
	s := plots.Series{Label: label, Y: y}
	for t := range y {
		s.X = append(s.X, float64(t+1))
	}
	return s
}

func f2(x float64) string { return fmt.Sprintf("%.2f", x) }
func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
