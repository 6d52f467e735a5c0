package train

import (
	"fmt"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// Predictor scores datasets with a model through a forward-only evaluation graph (no dropout), built
// once on the model's store: it sees the store's current weights at every call.
type Predictor struct {
	Tasks  []string // the tasks predicted, in the order of Predict's result
	model  models.Model
	prog   *graph.Program
	in     *models.Inputs
	maxLen int
}

// NewPredictor compiles the evaluation graph of m for batches of batch sessions of maxLen events.
func NewPredictor(m models.Model, schema *datasets.Schema, batch, maxLen int) (*Predictor, error) {
	b := graph.NewBuilder(m.Store(), graph.BuilderConfig{})
	in, err := models.NewInputs(b, schema, m.Needs(), batch, maxLen)
	if err != nil {
		return nil, err
	}
	out, err := m.Forward(b, in)
	if err != nil {
		return nil, err
	}
	prog, err := graph.Compile(b, nil, out.Probs...)
	if err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	return &Predictor{Tasks: out.Tasks, model: m, prog: prog, in: in, maxLen: maxLen}, nil
}

// Predict returns P(label = 1) for every session of d and every task: probs[k][i] for task Tasks[k].
func (p *Predictor) Predict(d *datasets.Dataset) ([][]float64, error) {
	probs := make([][]float64, len(p.Tasks))
	for k := range probs {
		probs[k] = make([]float64, len(d.Sessions))
	}
	if len(d.Sessions) == 0 {
		return probs, nil
	}
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: p.in.Batch, MaxLen: p.maxLen})
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	i := 0
	for batch, ok := bt.Next(); ok; batch, ok = bt.Next() {
		if err := p.in.Feed(p.prog, batch); err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		if err := p.prog.Run(); err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		for k := range probs {
			copy(probs[k][i:i+batch.Rows], p.prog.Output(k)[:batch.Rows])
		}
		i += batch.Rows
	}
	return probs, nil
}

// Close releases the evaluation graph.
func (p *Predictor) Close() error { return p.prog.Close() }

// Labels returns the labels of task in d, or an error when the dataset has no such task.
func Labels(d *datasets.Dataset, task string) ([]float64, error) {
	k := d.Schema.TaskIndex(task)
	if k < 0 {
		return nil, fmt.Errorf("dataset %q has no task %q (tasks %v)", d.Schema.Name, task, d.Schema.Tasks)
	}
	y := make([]float64, len(d.Sessions))
	for i := range d.Sessions {
		y[i] = d.Sessions[i].Labels[k]
	}
	return y, nil
}

// OracleScores returns the oracle's probabilities for task in d, or nil when the data has no oracle.
func OracleScores(d *datasets.Dataset, task string) []float64 {
	k := d.Schema.TaskIndex(task)
	if k < 0 || len(d.Sessions) == 0 {
		return nil
	}
	o := make([]float64, len(d.Sessions))
	for i := range d.Sessions {
		if d.Sessions[i].Oracle == nil {
			return nil
		}
		o[i] = d.Sessions[i].Oracle[k]
	}
	return o
}
