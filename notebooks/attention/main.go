//go:generate go run .

// Notebook 3, inside attention: a trained Transformer's attention maps, head by head, on a buyer's and
// a non-buyer's session; what each head attends to over the test split; and what the padding mask does.
//
//	go run ./notebooks/attention          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/attention -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"context"
	"embed"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/notebooks/internal/sessions"
	"github.com/intentlab/intentlab/notebooks/page"
	"github.com/intentlab/intentlab/plots"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

//go:embed *.go
var source embed.FS

func main() {
	page.Main(page.Notebook{Name: "attention", Title: "3. Inside attention", Source: source}, run)
}

func run(p *page.Page) error {
	p.Text(`
		An LSTM (notebook 2) reads a session in order and must carry everything it wants to keep
		through every later step. *Self-attention* (Vaswani et al., 2017) lets every event look at
		every other event directly. Each event t asks a *query* q_t and offers a *key* k_t and a
		*value* v_t (three learned projections of its vector); event t's new vector is an average of
		the values, weighted by how well its query matches each key:

		    a_tk = softmax_k(q_t · k_k / √d − P·(1 − m_k))      attention weights, each row sums to 1
		    y_t  = Σ_k a_tk v_k

		A model has several *heads*, each with its own projections, so each can learn to look for
		something different. m_k is the *padding mask*: 1 at a real event, 0 at the padding that
		fills a short session up to the batch length; the penalty P (10⁹) gives padded keys a
		weight of exactly 0.

		This notebook trains a small Transformer in the manner of the Behavior Sequence Transformer
		(models/transformer.go) and reads its attention weights: on two sessions, head by head; over
		the whole test split, by the type and position of the event attended to; and with the
		padding mask taken away.`)

	p.Section("A small Transformer, trained")
	p.Text(`
		One encoder block with four heads, then *attention pooling*: a learned score per event,
		softmaxed over the real events, weighs the block's output vectors into one session vector,
		which the head reads with the static features. One block keeps the maps readable: each
		weight is between two input events.`)
	// page:begin train
	cfg := datasets.SyntheticConfig{Sessions: p.Choose(12000, 2000), Seed: 3}
	data, err := datasets.Synthetic(cfg)
	if err != nil {
		return err
	}
	split, err := datasets.SplitStratified(data, [3]float64{0.6, 0.2, 0.2}, 0)
	if err != nil {
		return err
	}
	exp := train.DefaultExperiment("transformer")
	exp.Model.Config = []byte(fmt.Sprintf(`{"dim": %d, "heads": 4, "blocks": 1, "pool": "attention"}`, p.Choose(32, 16)))
	exp.Train = train.Config{Epochs: p.Choose(25, 3), BatchSize: 64, LR: 0.003, Seed: 1,
		EarlyStop: train.EarlyStopConfig{Patience: 3}}
	prep, err := train.PrepareSplit(exp, split) // preprocessing fitted on the training split only
	if err != nil {
		return err
	}
	res, err := train.Run(context.Background(), prep.Model, prep.Data, exp.Train)
	if err != nil {
		return err
	}
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
	p.Textf("On %d sessions (%d train, %d validate, %d test), model width %d, it trained %d epochs (best: %d). "+
		"Its test ROC-AUC is **%.3f**; the oracle's is %.3f.",
		cfg.Sessions, len(split.Train.Sessions), len(split.Val.Sessions), len(split.Test.Sessions), p.Choose(32, 16),
		res.Epochs, res.BestEpoch, res.Tasks[0].Test.ROCAUC, oracleAUC)

	p.Section("Two sessions, head by head")
	sc := &split.Test.Schema // names the event types
	buyer, nonBuyer, err := sessions.ConfidentPair(split.Test, res.Test[0], sessions.Readable{MinEvents: 6, MaxEvents: 12, Must: sc.EventTypeID("add_to_cart")})
	if err != nil {
		return err
	}
	picked := []int{buyer, nonBuyer}
	p.Text(`
		train.Inspect runs the evaluation graph on a few sessions and copies out every value the
		model exposes: here the attention weights of the block, (sessions · heads, T, T), and the
		pooling weights, (sessions, T). We take the buyer and the non-buyer of 6 to 12 events, with
		an add-to-cart, that the model is surest of ([sessions.ConfidentPair](../internal/sessions/sessions.go) says how).`)
	// page:begin inspect
	maxLen := train.DefaultMaxLen(prep.Data.Train)
	two := prep.Data.Test.Subset(picked) // preprocessed, as the model sees them
	ins, err := train.Inspect(prep.Model, &prep.Schema, two, maxLen)
	if err != nil {
		return err
	}
	att := ins.Internals["attention.block0"] // (2·heads, T, T)
	pool := ins.Internals["attention.pool"]  // (2, T)
	// page:end inspect
	p.Code("inspect")
	heads := att.Shape[0] / len(picked)
	raw := split.Test.Subset(picked)
	names := []string{"buyer", "non-buyer"}
	for k, name := range names {
		s := &raw.Sessions[k]
		n := len(s.Events)
		z, rows := [][]float64{}, []string{}
		for h := range heads {
			z, rows = append(z, received(headMap(att, heads, k, h, n, n))), append(rows, fmt.Sprintf("head %d", h+1))
		}
		z, rows = append(z, pool.Values[k*maxLen:k*maxLen+n]), append(rows, "pooling")
		fig, err := plots.Heatmap(plots.HeatmapConfig{Title: fmt.Sprintf("Attention each event receives, the %s (session %s)", name, s.ID),
			X: "event attended to (key)", Y: "", Scale: "mean weight over queries"}, z, rows, sc.EventLabels(s.Events))
		if err != nil {
			return err
		}
		p.Figure("received-"+name, fmt.Sprintf("The %s (P(purchase) = %.3f, label %.0f): for each head, the weight each event receives, averaged over the %d queries; the last row is the pooling weight.",
			name, ins.Probs[0][k], s.Labels[0], n), fig)
	}
	p.Text(`
		Each row of these maps is one head, and each cell says how much, on average, the events of
		the session looked at that event. A row spread evenly is a head that averages; a row with a
		few dark cells is a head that has found something to look for. The last row is the pooling:
		the events whose vectors make up most of the session vector the head reads. Here is the
		buyer's attention in full, one map per head: row t is event t's query, so row t's weights say
		where event t looked. The attention is not causal: the model reads the whole window at once,
		so the first event can look at the last.`)
	for h := range heads {
		n := len(raw.Sessions[0].Events)
		labels := sc.EventLabels(raw.Sessions[0].Events)
		fig, err := plots.Attention(fmt.Sprintf("Head %d, the buyer (session %s)", h+1, raw.Sessions[0].ID), headMap(att, heads, 0, h, n, n), labels, labels)
		if err != nil {
			return err
		}
		p.Figure(fmt.Sprintf("buyer-head%d", h+1), fmt.Sprintf("Head %d on the buyer's session: row = the event asking (query), column = the event looked at (key).", h+1), fig)
	}

	top := [][]string{}
	for h := range heads {
		n := len(raw.Sessions[0].Events)
		r := received(headMap(att, heads, 0, h, n, n))
		k := argmax(r)
		top = append(top, []string{fmt.Sprintf("head %d", h+1), sc.EventLabels(raw.Sessions[0].Events)[k], f3(r[k]), f3(1 / float64(n))})
	}
	p.Table([]string{"the buyer", "the event it looks at most", "mean weight over queries", "uniform (1/n)"}, top)
	p.Text(`
		Within one head most rows look alike: the queries agree on where to look, so a head acts
		like a searchlight on one or two events, and each event's new vector is, for that head,
		mostly the vector of the event in the light. A row that differs is an event whose query is
		unlike the others'; its new vector is built from other events. Different heads light up
		different events, which is why a model has several.`)

	p.Section("What the heads attend to")
	p.Text(`
		Two sessions are anecdotes. Over the test split we ask of each head: what share of its
		attention goes to events of each type, against the share that uniform attention (every key
		of the session alike) would give? And how much goes to the event itself, to the one before
		it, and to the session's last event?`)
	// page:begin heads
	some := prep.Data.Test.Subset(firstN(len(prep.Data.Test.Sessions), p.Choose(500, 100)))
	all, err := train.Inspect(prep.Model, &prep.Schema, some, maxLen)
	if err != nil {
		return err
	}
	st := headStats(all.Internals["attention.block0"], some, heads, len(sc.EventTypes))
	// page:end heads
	p.Code("heads")
	rows := append(slices.Clone(st.typeShare), st.uniformType)
	labels := []string{}
	for h := range heads {
		labels = append(labels, fmt.Sprintf("head %d", h+1))
	}
	fig, err := plots.Heatmap(plots.HeatmapConfig{Title: fmt.Sprintf("Attention by event type (%d test sessions)", len(some.Sessions)),
		X: "event type of the key", Y: "", Scale: "share of attention"}, rows, append(slices.Clone(labels), "uniform"), sc.EventTypes)
	if err != nil {
		return err
	}
	p.Figure("heads-by-type", "Each head's attention split by the type of event it looks at; the last row is what uniform attention over each session's events would give.", fig)
	table := [][]string{}
	for h := range heads {
		table = append(table, []string{labels[h], f3(st.self[h]), f3(st.prev[h]), f3(st.last[h])})
	}
	table = append(table, []string{"uniform", f3(st.uniformPos), f3(st.uniformPrev), f3(st.uniformPos)})
	p.Table([]string{"mean weight on", "itself (k = t)", "the previous event (k = t − 1)", "the session's last event"}, table)
	fig, err = plots.Heatmap(plots.HeatmapConfig{Title: fmt.Sprintf("Attention by position from the end (%d test sessions)", len(some.Sessions)),
		X: "key: events before the session's last", Y: "", Scale: "share of attention"},
		append(slices.Clone(st.fromEnd), st.uniformEnd), append(slices.Clone(labels), "uniform"), endLabels(len(st.uniformEnd)))
	if err != nil {
		return err
	}
	p.Figure("heads-by-position", "Each head's attention split by how far the key is from the session's last event (0: the last event itself); the last row is uniform attention.", fig)
	p.Text(`
		Compare each head's row with the uniform row. By event *type* the heads are close to
		uniform: no head has become a cart detector, they look at carts about as often as carts
		occur. By *position* they are not: some heads put a large share of every query's attention
		on the last event or two of the session, several times what uniform attention would give,
		while another looks at the event itself more than uniform. That is what notebook 1 said
		matters in this process: the state a visitor is in when the session ends decides the
		purchase (a session that ends while she drifts never buys), and the last events are the best
		evidence of it. The pooling row of the maps above says the same: the session vector is
		built mostly from the last events. A cart still matters, but through the vectors it changes:
		every event's vector is a mix of the others, so "there was a cart, then a checkout" reaches
		the last event's vector, which the heads then read.`)

	p.Section("The padding mask")
	p.Text(`
		Sessions have different lengths, but a batch is one tensor, (B, T): short sessions are
		padded with zeros up to T. The padding mask tells attention and pooling which positions are
		real. What if we forgot it? train.InspectBatch runs the model on a batch as we give it, so
		we can hand it the same batch with a mask of all ones: padding is now treated as events,
		each a vector of zeros plus its position embedding.`)
	// page:begin mask
	unmasked := *ins.Batch
	unmasked.Mask = slices.Repeat([]float64{1}, len(unmasked.Mask)) // every position "real": no padding mask
	open, err := train.InspectBatch(prep.Model, &prep.Schema, &unmasked)
	if err != nil {
		return err
	}
	// page:end mask
	p.Code("mask")
	n := len(raw.Sessions[0].Events)
	keys := sc.EventLabels(raw.Sessions[0].Events)
	for t := n; t < maxLen; t++ {
		keys = append(keys, "pad")
	}
	openAtt := open.Internals["attention.block0"]
	fig, err = plots.Attention("Head 1, the buyer, without the padding mask", headMap(openAtt, heads, 0, 0, n, maxLen), keys[:n], keys)
	if err != nil {
		return err
	}
	p.Figure("buyer-head1-unmasked", "Head 1 on the buyer's session when the model is not told where the padding is: the real events' queries spend weight on the padded positions.", fig)
	table = [][]string{}
	for k, name := range names {
		n := len(raw.Sessions[k].Events)
		padShare := 0.0
		for h := range heads {
			for _, row := range headMap(openAtt, heads, k, h, n, maxLen) {
				padShare += floats.Sum(row[n:]) / float64(heads*n)
			}
		}
		poolPad := floats.Sum(open.Internals["attention.pool"].Values[k*maxLen+n : (k+1)*maxLen])
		table = append(table, []string{name, fmt.Sprint(n), fmt.Sprint(maxLen - n), f3(padShare), f3(poolPad), f3(ins.Probs[0][k]), f3(open.Probs[0][k])})
	}
	p.Table([]string{"session", "events", "padded positions", "attention on padding", "pooling weight on padding", "P(purchase), masked", "P(purchase), no mask"}, table)
	p.Text(`
		Without the mask the padded positions take a share of every query's attention and of the
		pooling. Their vectors describe nothing (a zero event plus a position), and the model never
		saw them in training, so nothing keeps their scores small: the pooling can give them most
		of its weight, and then the session vector is mostly padding and the prediction is
		nonsense. It also depends on *how much padding there is*, which has nothing to do with the
		visitor: the same session scores differently in a batch of length 20 than in one of length
		40. With the mask, padding changes nothing:`)
	// page:begin padding
	byPad := [][]string{}
	alone := two.Subset([]int{0}) // the buyer alone
	for _, T := range []int{n, maxLen, 2 * maxLen, 3 * maxLen} {
		masked, err := train.Inspect(prep.Model, &prep.Schema, alone, T)
		if err != nil {
			return err
		}
		b := *masked.Batch
		b.Mask = slices.Repeat([]float64{1}, len(b.Mask))
		noMask, err := train.InspectBatch(prep.Model, &prep.Schema, &b)
		if err != nil {
			return err
		}
		byPad = append(byPad, []string{fmt.Sprint(T), fmt.Sprint(T - n), f4(masked.Probs[0][0]), f4(noMask.Probs[0][0])})
	}
	// page:end padding
	p.Code("padding")
	p.Table([]string{"batch length T", "padded positions", "P(purchase), masked", "P(purchase), no mask"}, byPad)
	p.Text(`
		With no padding at all (the first row) the mask has nothing to hide and the two columns
		agree. With padding, the masked prediction stays the same however long the batch, and the
		unmasked one is another number, which changes with the amount of padding. Over the whole
		test split:`)
	// page:begin auc
	whole, err := train.Inspect(prep.Model, &prep.Schema, prep.Data.Test, maxLen)
	if err != nil {
		return err
	}
	b := *whole.Batch
	b.Mask = slices.Repeat([]float64{1}, len(b.Mask))
	wholeOpen, err := train.InspectBatch(prep.Model, &prep.Schema, &b)
	if err != nil {
		return err
	}
	maskedAUC, err := metrics.ROCAUC(whole.Probs[0], testY)
	if err != nil {
		return err
	}
	openAUC, err := metrics.ROCAUC(wholeOpen.Probs[0], testY)
	if err != nil {
		return err
	}
	// page:end auc
	p.Code("auc")
	var shift [2]struct{ sum, n float64 } // mean |ΔP| for sessions of at most 10 events, and longer ones
	for i, s := range prep.Data.Test.Sessions {
		k := min(len(s.Events)/11, 1)
		shift[k].sum += math.Abs(wholeOpen.Probs[0][i] - whole.Probs[0][i])
		shift[k].n++
	}
	p.Textf("The test ROC-AUC is **%.3f** with the mask (the run's own evaluation gave %.3f) and **%.3f** without it. "+
		"The model was trained with the mask, so without it it reads inputs it never saw. The damage is largest where "+
		"the padding is: the prediction moves by %.3f on average for the sessions of at most 10 events, by %.3f for "+
		"the longer ones. Every sequence layer in intentlab takes the mask for this reason: "+
		"the LSTM carries its state unchanged through padded steps, attention gives padded keys no weight, pooling "+
		"ignores them, and a test checks that a session scores the same however much it is padded.",
		maskedAUC, res.Tasks[0].Test.ROCAUC, openAUC, shift[0].sum/shift[0].n, shift[1].sum/shift[1].n)
	return nil
}

// headMap is head h's weights for session k of an attention internal (sessions·heads, T, T) of a
// model with heads heads: its first queries rows and keys columns.
func headMap(att train.Internal, heads, k, h, queries, keys int) [][]float64 {
	T := att.Shape[1]
	out := make([][]float64, queries)
	for q := range out {
		at := ((k*heads+h)*T + q) * T
		out[q] = att.Values[at : at+keys]
	}
	return out
}

// received is the mean over a map's rows of each column's weight.
func received(m [][]float64) []float64 {
	out := make([]float64, len(m[0]))
	for _, row := range m {
		for k, v := range row {
			out[k] += v / float64(len(m))
		}
	}
	return out
}

// stats summarises attention over many sessions, per head.
type stats struct {
	typeShare        [][]float64 // [head][type]: share of the attention on keys of each type
	uniformType      []float64   // the same for uniform attention over each session's events
	self, prev, last []float64   // [head]: mean weight on k = t, on k = t − 1 (t > 0), on the last event
	uniformPos       float64     // the mean of 1/n over the queries: uniform attention's weight on any one key
	uniformPrev      float64     // the same over the queries t > 0
	fromEnd          [][]float64 // [head][d]: share of the attention on the key d events before the last (d ≥ endBins−1 pooled)
	uniformEnd       []float64   // the same for uniform attention
}

// endBins is the number of columns of the by-position summary: 0 … endBins−2 events before the last, then earlier.
const endBins = 7

// headStats computes stats from an attention internal of the sessions of d, whose event types are
// encoded ids (datasets.PadID 0, datasets.UnknownID 1, then Schema.EventTypes from 2: type index id − 2).
func headStats(att train.Internal, d *datasets.Dataset, heads, types int) stats {
	st := stats{uniformType: make([]float64, types), self: make([]float64, heads), prev: make([]float64, heads), last: make([]float64, heads),
		uniformEnd: make([]float64, endBins)}
	for range heads {
		st.typeShare = append(st.typeShare, make([]float64, types))
		st.fromEnd = append(st.fromEnd, make([]float64, endBins))
	}
	queries, prevQueries := 0.0, 0.0
	for i, s := range d.Sessions {
		n := min(len(s.Events), att.Shape[1])
		evs := s.Events[len(s.Events)-n:]
		for h := range heads {
			for q, row := range headMap(att, heads, i, h, n, n) {
				for k, w := range row {
					st.typeShare[h][evs[k].Type-2] += w
					st.fromEnd[h][min(n-1-k, endBins-1)] += w
				}
				st.self[h] += row[q]
				st.last[h] += row[n-1]
				if q > 0 {
					st.prev[h] += row[q-1]
				}
			}
		}
		for range n {
			for k, e := range evs {
				st.uniformType[e.Type-2] += 1 / float64(n)
				st.uniformEnd[min(n-1-k, endBins-1)] += 1 / float64(n)
			}
			st.uniformPos += 1 / float64(n)
		}
		st.uniformPrev += float64(n-1) / float64(n)
		queries, prevQueries = queries+float64(n), prevQueries+float64(n-1)
	}
	for h := range heads {
		for t := range st.typeShare[h] {
			st.typeShare[h][t] /= queries
		}
		for d := range st.fromEnd[h] {
			st.fromEnd[h][d] /= queries
		}
		st.self[h] /= queries
		st.last[h] /= queries
		st.prev[h] /= prevQueries
	}
	for t := range st.uniformType {
		st.uniformType[t] /= queries
	}
	for d := range st.uniformEnd {
		st.uniformEnd[d] /= queries
	}
	st.uniformPos /= queries
	st.uniformPrev /= prevQueries
	return st
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// endLabels labels the by-position columns: "last", "1", …, then "6+".
func endLabels(bins int) []string {
	out := []string{"last"}
	for d := 1; d < bins-1; d++ {
		out = append(out, fmt.Sprint(d))
	}
	return append(out, fmt.Sprintf("%d+", bins-1))
}

func firstN(n, k int) []int {
	idx := make([]int, min(n, k))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
func f4(x float64) string { return fmt.Sprintf("%.4f", x) }
