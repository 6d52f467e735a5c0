package train

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// Internal is an intermediate value of a model (one of Outputs.Internals) for a batch of sessions,
// copied out of the graph: row-major Values of the given Shape, whose first axis is the batch (for
// attention weights, batch × heads).
type Internal struct {
	Shape  []int
	Values []float64
}

// Inspection is what Inspect reads from a model for a few sessions.
type Inspection struct {
	Tasks     []string
	Probs     [][]float64         // Probs[k][i]: task k, session i
	Internals map[string]Internal // by the model's names, e.g. "attention.block0"
	Batch     *datasets.Batch     // the inputs as fed: event ids, mask (1 at a real event), lengths
}

// Inspect runs the evaluation graph of m (no dropout) on the sessions of d, already preprocessed,
// keeping maxLen events of each, and returns its probabilities and every value the model exposes in
// Outputs.Internals. It compiles a graph for exactly len(d.Sessions) sessions: use it on a few.
func Inspect(m models.Model, schema *datasets.Schema, d *datasets.Dataset, maxLen int) (*Inspection, error) {
	batch, err := oneBatch(d, maxLen)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return InspectBatch(m, schema, batch)
}

// InspectBatch is Inspect on a batch as fed to the graph, which the caller may have altered: a mask
// of all ones, for instance, shows what a model computes when it is not told where the padding is.
func InspectBatch(m models.Model, schema *datasets.Schema, batch *datasets.Batch) (*Inspection, error) {
	if batch == nil || batch.Rows == 0 {
		return nil, fmt.Errorf("inspect: no sessions in the batch")
	}
	n := batch.Size
	b := graph.NewBuilder(m.Store(), graph.BuilderConfig{})
	in, err := models.NewInputs(b, schema, m.Needs(), n, batch.MaxLen)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	out, err := m.Forward(b, in)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	names := make([]string, 0, len(out.Internals))
	for name := range out.Internals {
		names = append(names, name)
	}
	slices.Sort(names)
	nodes := slices.Clone(out.Probs)
	for _, name := range names {
		nodes = append(nodes, out.Internals[name])
	}
	prog, err := graph.Compile(b, nil, nodes...)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer prog.Close()
	if err := runBatch(prog, in, batch); err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	ins := &Inspection{Tasks: out.Tasks, Internals: map[string]Internal{}, Batch: batch}
	for k := range out.Probs {
		ins.Probs = append(ins.Probs, slices.Clone(prog.Output(k)[:batch.Rows]))
	}
	for j, name := range names {
		ins.Internals[name] = Internal{Shape: shapeOf(out.Internals[name]), Values: slices.Clone(prog.Output(len(out.Probs) + j))}
	}
	return ins, nil
}

func shapeOf(n *gorgonia.Node) []int { return slices.Clone([]int(n.Shape())) }

// Inspect reads the run's model on sessions as loaded (raw), like Predict; see the function Inspect.
func (sr *SavedRun) Inspect(raw *datasets.Dataset) (*Inspection, error) {
	d, err := sr.Preprocessor.Apply(raw)
	if err != nil {
		return nil, err
	}
	return Inspect(sr.Model, &sr.Schema, d, sr.Experiment.Train.MaxLen)
}
