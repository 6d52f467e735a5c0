package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// Model is one architecture with its parameters declared in a store.
type Model interface {
	// Name is the registry name ("lstm", "fusion", …).
	Name() string
	// Needs says which inputs Forward reads.
	Needs() Needs
	// Store holds every learnable tensor of the model.
	Store() *graph.Store
	// Forward adds the model to b's graph, reading in, and returns one prediction per task.
	Forward(b *graph.Builder, in *Inputs) (*Outputs, error)
}

// StepModel is a sequence model whose forward pass splits at its per-step input vectors, Forward =
// ForwardSteps(StepInputs): the lstm and gru models. Reading the model between the two (the gradient
// of the loss with respect to each step's input, train.StepGradients) needs no other hook.
type StepModel interface {
	Model
	// StepInputs adds the vectors x (B, T, D) that the model's recurrence reads: the event vectors, 0 at
	// padding, followed with StaticEachStep by the static vector, which padded steps get too.
	StepInputs(b *graph.Builder, in *Inputs) (*gorgonia.Node, error)
	// ForwardSteps adds the rest of the model on x (B, T, D) and returns its predictions.
	ForwardSteps(b *graph.Builder, in *Inputs, x *gorgonia.Node) (*Outputs, error)
}

// Needs says which parts of a session a model reads.
type Needs struct {
	Sequence bool // the events: ids, dwell, price and mask, (B, T)
	Static   bool // the static numeric and categorical features
}

// Check returns an *UnsupportedError when the schema lacks something the model needs.
func (n Needs) Check(model string, s *datasets.Schema) error {
	if n.Sequence && !s.HasSequence {
		return &UnsupportedError{Model: model, Dataset: s.Name, Reason: "reads event sequences, but the dataset has none (tabular only): use logreg or mlp"}
	}
	if n.Static && !n.Sequence && len(s.Numeric)+len(s.Categorical) == 0 {
		return &UnsupportedError{Model: model, Dataset: s.Name, Reason: "reads static features, but the dataset has none"}
	}
	return nil
}

// UnsupportedError says that a model cannot use a dataset: the data lacks an input the model reads.
// A benchmark skips such a pair instead of failing.
type UnsupportedError struct {
	Model, Dataset, Reason string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("model %q %s (dataset %q)", e.Model, e.Reason, e.Dataset)
}

// Outputs are a model's predictions, one per task it predicts, in the order of Tasks.
type Outputs struct {
	// Tasks names the predicted tasks (schema task names); Tasks[0] is datasets.TaskPurchase.
	Tasks []string
	// Logits holds log-odds (B) per task. An entry is nil when the head produces a probability
	// directly (the ESMM purchase head); then train uses Probs for the loss.
	Logits []*gorgonia.Node
	// Probs holds P(label = 1) (B) per task: sigmoid(Logits[k]), or the head's own probability.
	Probs []*gorgonia.Node
	// Internals exposes intermediate values for inspection (attention weights, pooled vectors…), by a
	// descriptive name; models may leave it nil.
	Internals map[string]*gorgonia.Node
}

// singleTask wraps one purchase logit (B) as Outputs.
func singleTask(logit *gorgonia.Node) (*Outputs, error) {
	p, err := gorgonia.Sigmoid(logit)
	if err != nil {
		return nil, err
	}
	return &Outputs{Tasks: []string{datasets.TaskPurchase}, Logits: []*gorgonia.Node{logit}, Probs: []*gorgonia.Node{p}}, nil
}

// headLogit turns a (B, 1) head output into a (B) logit.
func headLogit(z *gorgonia.Node) (*gorgonia.Node, error) {
	return graph.Reshape(z, z.Shape()[0])
}
