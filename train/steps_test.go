package train

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// trainTiny prepares a tiny float64 experiment and trains it for its epochs.
func trainTiny(t *testing.T, exp Experiment) *Prepared {
	t.Helper()
	exp.Dtype = "float64"
	prep, err := Prepare(exp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), prep.Model, prep.Data, exp.Train); err != nil {
		t.Fatal(err)
	}
	return prep
}

// TestTraceAndPrefixScoresAgree reads a trained sequence-only LSTM with a linear head two ways: the
// plain-Go trace (TraceLSTM) through the head's weights by hand, σ(w·h_t + b), and the graph's
// predictions for each prefix of the session (PrefixScores). They must agree at every event, and the
// last prefix must be the full session's prediction (Predictor).
func TestTraceAndPrefixScoresAgree(t *testing.T) {
	prep := trainTiny(t, tinyExperiment("lstm", `{"hiddens":[6,5],"sequence_only":true,"head":{"hidden":-1}}`, 1))
	m := prep.Model.(*models.LSTM)
	test := prep.Data.Test.Subset([]int{0, 1, 2, 3, 4, 5})
	maxLen := DefaultMaxLen(prep.Data.Train)
	traces, err := TraceLSTM(m, &prep.Schema, test, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := PrefixScores(m, &prep.Schema, test, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := NewPredictor(m, &prep.Schema, 3, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	full, err := pr.Predict(test)
	if err != nil {
		t.Fatal(err)
	}
	wp, _ := m.Store().Get("lstm.head.out.w")
	bp, _ := m.Store().Get("lstm.head.out.b")
	w, b := graph.Float64s(wp.Value), graph.Float64s(bp.Value)[0]
	for i, s := range test.Sessions {
		top := traces[i].Layers[1]
		if len(top.H) != len(s.Events) || len(scores[i]) != len(s.Events) || len(top.H[0]) != 5 {
			t.Fatalf("session %d: %d trace steps, %d scores, %d events", i, len(top.H), len(scores[i]), len(s.Events))
		}
		for step, h := range top.H {
			z := b
			for j, v := range h {
				z += w[j] * v
			}
			if want := 1 / (1 + math.Exp(-z)); math.Abs(scores[i][step]-want) > 1e-9 {
				t.Errorf("session %d event %d: prefix score %v, trace through the head %v", i, step, scores[i][step], want)
			}
		}
		if last := scores[i][len(s.Events)-1]; math.Abs(last-full[0][i]) > 1e-12 {
			t.Errorf("session %d: last prefix score %v, full prediction %v", i, last, full[0][i])
		}
	}
}

// TestStepGradientsMatchFiniteDifferences checks ∂ℓ_i/∂x_t of a trained LSTM (static features at the
// head) against a central difference of the session's own log loss when its standardised dwell at
// event t moves by ±ε: dwell enters x_t as its 4th-last feature unchanged (models.Events), so the two
// must agree.
func TestStepGradientsMatchFiniteDifferences(t *testing.T) {
	prep := trainTiny(t, tinyExperiment("lstm", `{"hiddens":[6,5]}`, 1))
	m := prep.Model.(models.StepModel)
	test := prep.Data.Test.Subset([]int{0, 1, 2, 3})
	maxLen := DefaultMaxLen(prep.Data.Train)
	grads, err := StepGradients(m, &prep.Schema, test, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := NewPredictor(m, &prep.Schema, 1, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	const eps = 1e-5
	lossAt := func(s datasets.Session, step int, dwell float64) float64 {
		s.Events = slices.Clone(s.Events)
		s.Events[step].Dwell = dwell
		p, err := pr.Predict(&datasets.Dataset{Schema: test.Schema, Sessions: []datasets.Session{s}})
		if err != nil {
			t.Fatal(err)
		}
		y := s.Labels[0]
		return -(y*math.Log(p[0][0]) + (1-y)*math.Log(1-p[0][0]))
	}
	checked, largest := 0, 0.0
	for i, s := range test.Sessions {
		if len(grads[i]) != len(s.Events) {
			t.Fatalf("session %d: gradients for %d steps, %d events", i, len(grads[i]), len(s.Events))
		}
		for step, g := range grads[i] {
			d := s.Events[step].Dwell
			numeric := (lossAt(s, step, d+eps) - lossAt(s, step, d-eps)) / (2 * eps)
			auto := g[len(g)-4]
			if rel := math.Abs(auto-numeric) / max(math.Abs(auto), math.Abs(numeric), 1e-6); rel > 1e-5 {
				t.Errorf("session %d event %d: ∂ℓ/∂dwell %v, central difference %v", i, step, auto, numeric)
			}
			checked, largest = checked+1, max(largest, math.Abs(auto))
		}
	}
	if checked == 0 || largest < 1e-4 {
		t.Fatalf("%d events checked, largest gradient %v: nothing to compare", checked, largest)
	}
}

// TestInspectBatchWithoutMask: InspectBatch on Inspect's own batch gives the same numbers; with a mask
// of all ones (the model not told where the padding is) a short session's padded keys get weight,
// every query's weights still sum to 1, and its prediction moves.
func TestInspectBatchWithoutMask(t *testing.T) {
	prep := trainTiny(t, tinyExperiment("transformer", `{"dim":8,"heads":2,"blocks":1}`, 1))
	maxLen := DefaultMaxLen(prep.Data.Train)
	short := -1
	for i, s := range prep.Data.Test.Sessions {
		if len(s.Events) <= maxLen-2 {
			short = i
			break
		}
	}
	if short < 0 {
		t.Fatal("no test session shorter than the window")
	}
	test := prep.Data.Test.Subset([]int{short})
	ins, err := Inspect(prep.Model, &prep.Schema, test, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	again, err := InspectBatch(prep.Model, &prep.Schema, ins.Batch)
	if err != nil {
		t.Fatal(err)
	}
	if again.Probs[0][0] != ins.Probs[0][0] || !slices.Equal(again.Internals["attention.block0"].Values, ins.Internals["attention.block0"].Values) {
		t.Errorf("InspectBatch of Inspect's batch differs: %v vs %v", again.Probs[0][0], ins.Probs[0][0])
	}
	unmasked := *ins.Batch
	unmasked.Mask = slices.Clone(ins.Batch.Mask)
	for k := range unmasked.Mask {
		unmasked.Mask[k] = 1
	}
	open, err := InspectBatch(prep.Model, &prep.Schema, &unmasked)
	if err != nil {
		t.Fatal(err)
	}
	n, T := ins.Batch.Lengths[0], maxLen
	w := open.Internals["attention.block0"].Values // (Heads, T, T)
	padWeight := 0.0
	for hq := range 2 * T {
		row := w[hq*T : (hq+1)*T]
		sum := 0.0
		for k, v := range row {
			sum += v
			if k >= n {
				padWeight += v
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("unmasked row %d sums to %v", hq, sum)
		}
	}
	if padWeight <= 0 {
		t.Errorf("without the mask the %d padded keys get no weight", T-n)
	}
	if open.Probs[0][0] == ins.Probs[0][0] {
		t.Errorf("without the mask the prediction %v is unchanged", ins.Probs[0][0])
	}
}

// TestStepsBadInput: no sessions, no dataset or no batch is an error, not a panic.
func TestStepsBadInput(t *testing.T) {
	d, err := BenchData(8, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewBenchModel("lstm", &d.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	lstm := m.(*models.LSTM)
	empty := &datasets.Dataset{Schema: d.Schema}
	if _, err := TraceLSTM(lstm, &d.Schema, empty, 5); err == nil || !strings.Contains(err.Error(), "no sessions") {
		t.Errorf("TraceLSTM of no sessions: error %v", err)
	}
	if _, err := StepGradients(lstm, &d.Schema, nil, 5); err == nil || !strings.Contains(err.Error(), "no sessions") {
		t.Errorf("StepGradients of no dataset: error %v", err)
	}
	if _, err := PrefixScores(m, &d.Schema, nil, 5); err == nil {
		t.Error("PrefixScores of no dataset: no error")
	}
	if _, err := InspectBatch(m, &d.Schema, nil); err == nil {
		t.Error("InspectBatch of no batch: no error")
	}
	if _, err := Inspect(m, &d.Schema, empty, 5); err == nil || !strings.Contains(err.Error(), "no sessions") {
		t.Errorf("Inspect of no sessions: error %v", err)
	}
}
