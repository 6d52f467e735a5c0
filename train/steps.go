package train

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
	"github.com/intentlab/intentlab/models"
)

// ProbeSteps names the probe that StepGradients adds to a model's step inputs.
const ProbeSteps = "probe.steps"

// TraceLSTM reads every session of d (preprocessed) through the LSTM stack of m step by step: the step
// inputs come from the model's graph (StepInputs, maxLen events of each session), and every gate and
// state is recomputed from them in plain Go (models.LSTM.Trace). traces[i] covers session i's real
// events. It is an error when a session has no events.
func TraceLSTM(m *models.LSTM, schema *datasets.Schema, d *datasets.Dataset, maxLen int) ([]*layers.LSTMTrace, error) {
	batch, err := oneBatch(d, maxLen)
	if err != nil {
		return nil, fmt.Errorf("trace lstm: %w", err)
	}
	b := graph.NewBuilder(m.Store(), graph.BuilderConfig{})
	in, err := models.NewInputs(b, schema, m.Needs(), batch.Size, maxLen)
	if err != nil {
		return nil, fmt.Errorf("trace lstm: %w", err)
	}
	x, err := m.StepInputs(b, in) // (B, T, D)
	if err != nil {
		return nil, fmt.Errorf("trace lstm: %w", err)
	}
	prog, err := graph.Compile(b, nil, x)
	if err != nil {
		return nil, fmt.Errorf("trace lstm: %w", err)
	}
	defer prog.Close()
	if err := runBatch(prog, in, batch); err != nil {
		return nil, fmt.Errorf("trace lstm: %w", err)
	}
	steps := splitSteps(prog.Output(0), batch, x.Shape()[2])
	traces := make([]*layers.LSTMTrace, batch.Rows)
	for i, xs := range steps {
		if traces[i], err = m.Trace(xs); err != nil {
			return nil, fmt.Errorf("trace lstm: session %d: %w", i, err)
		}
	}
	return traces, nil
}

// StepGradients returns, for every session of d (preprocessed), the gradient of its own training loss
// (the binary cross-entropy of its labels, summed over the model's tasks) with respect to the model's
// input at each of its real events: grads[i][t] is ∂ℓ_i/∂x_t (D values), x the step inputs of m
// (StepInputs). Its norm per t shows how much each event can still move the loss, the vanishing
// gradient of a recurrent network made visible. One backward pass serves every session: they share no
// computation, so the gradient of the batch's mean loss, rescaled, separates into theirs.
func StepGradients(m models.StepModel, schema *datasets.Schema, d *datasets.Dataset, maxLen int) ([][][]float64, error) {
	batch, err := oneBatch(d, maxLen)
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	b := graph.NewBuilder(m.Store(), graph.BuilderConfig{})
	in, err := models.NewInputs(b, schema, m.Needs(), batch.Size, maxLen)
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	x, err := m.StepInputs(b, in) // (B, T, D)
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	shape := x.Shape()
	probe, err := b.Probe(ProbeSteps, shape...) // (B, T, D), 0
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	xp, err := gorgonia.Add(x, probe) // (B, T, D): x, with a gradient of its own
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	out, err := m.ForwardSteps(b, in, xp)
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	loss, err := models.Loss(in, out, nil) // Σ_b w_b ℓ_b / Σ_b w_b
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	prog, err := graph.Compile(b, loss)
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	defer prog.Close()
	if err := runBatch(prog, in, batch); err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	g, err := prog.ProbeGrad(ProbeSteps)
	if err != nil {
		return nil, fmt.Errorf("step gradients: %w", err)
	}
	total := 0.0
	for _, w := range batch.Weights {
		total += w
	}
	grads := splitSteps(g, batch, shape[2])
	for r, rows := range grads {
		scale := total / batch.Weights[r] // ∂ℓ_r/∂x = (Σ w / w_r) ∂L/∂x
		for _, row := range rows {
			for k := range row {
				row[k] *= scale
			}
		}
	}
	return grads, nil
}

// PrefixScores returns, for every session of d (preprocessed), the model's P(purchase) after each of
// its events: scores[i][t] is the prediction for the session cut after event t + 1, as if it had ended
// there. It shows how the output moves as the events arrive. The static features stay the session's
// own (on synthetic data they include aggregates of all the seen events), so use a sequence-only model
// to read the events alone.
func PrefixScores(m models.Model, schema *datasets.Schema, d *datasets.Dataset, maxLen int) ([][]float64, error) {
	if d == nil {
		return nil, fmt.Errorf("prefix scores: no dataset")
	}
	prefixes := &datasets.Dataset{Schema: d.Schema}
	for _, s := range d.Sessions {
		for t := range s.Events {
			cut := s
			cut.Events = s.Events[:t+1]
			prefixes.Sessions = append(prefixes.Sessions, cut)
		}
	}
	if len(prefixes.Sessions) == 0 {
		return make([][]float64, len(d.Sessions)), nil
	}
	pr, err := NewPredictor(m, schema, min(len(prefixes.Sessions), 64), maxLen)
	if err != nil {
		return nil, fmt.Errorf("prefix scores: %w", err)
	}
	defer pr.Close()
	k := slices.Index(pr.Tasks, datasets.TaskPurchase)
	if k < 0 {
		return nil, fmt.Errorf("prefix scores: the model predicts %v, not %q", pr.Tasks, datasets.TaskPurchase)
	}
	probs, err := pr.Predict(prefixes)
	if err != nil {
		return nil, fmt.Errorf("prefix scores: %w", err)
	}
	scores := make([][]float64, len(d.Sessions))
	at := 0
	for i, s := range d.Sessions {
		scores[i] = probs[k][at : at+len(s.Events)]
		at += len(s.Events)
	}
	return scores, nil
}

// oneBatch is the single batch of all the sessions of d, maxLen events each.
func oneBatch(d *datasets.Dataset, maxLen int) (*datasets.Batch, error) {
	if d == nil || len(d.Sessions) == 0 {
		return nil, fmt.Errorf("no sessions")
	}
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: len(d.Sessions), MaxLen: maxLen})
	if err != nil {
		return nil, err
	}
	batch, _ := bt.Next()
	return batch, nil
}

// runBatch feeds batch to prog's inputs and runs it.
func runBatch(prog *graph.Program, in *models.Inputs, batch *datasets.Batch) error {
	if err := in.Feed(prog, batch); err != nil {
		return err
	}
	return prog.Run()
}

// splitSteps cuts values (B, T, D), row-major, into each real row's first Lengths[r] steps.
func splitSteps(values []float64, batch *datasets.Batch, dim int) [][][]float64 {
	T := batch.MaxLen
	out := make([][][]float64, batch.Rows)
	for r := range out {
		for t := range batch.Lengths[r] {
			at := (r*T + t) * dim
			out[r] = append(out[r], append([]float64(nil), values[at:at+dim]...))
		}
	}
	return out
}
