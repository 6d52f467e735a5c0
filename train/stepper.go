package train

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// BenchData is the data of the speed benchmarks: sessions synthetic sessions (datasets.Synthetic with
// the given window and seed), preprocessed with a PreprocessConfig{} fitted on themselves.
func BenchData(sessions, window int, seed uint64) (*datasets.Dataset, error) {
	d, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: sessions, Window: window, Seed: seed})
	if err != nil {
		return nil, err
	}
	pre, err := datasets.Fit(d, datasets.PreprocessConfig{})
	if err != nil {
		return nil, err
	}
	return pre.Apply(d)
}

// NewBenchModel builds the named model (cfg as models.New takes it: nil for the defaults) on a fresh
// float32 store with the benchmarks' fixed weight seed.
func NewBenchModel(name string, schema *datasets.Schema, cfg any) (models.Model, error) {
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	return models.New(name, store, schema, cfg)
}

// Stepper runs training steps of a model on one fixed batch, as Run's loop does each batch: the
// training graph (dropout on) forward and backward, the real loss (models.Loss, every task weighing 1),
// then an Adam update at the default settings. Feeding a batch is left out, so a step is the same work
// every time. It is the unit the training-step benchmarks time; graph compilation happens once, in
// NewStepper.
type Stepper struct {
	Batch  *datasets.Batch // the batch every step trains on
	prog   *graph.Program
	opt    Optimizer
	params []*graph.Param
	grads  []tensor.Tensor
}

// NewStepper compiles the training graph of m for batches of batch sessions of maxLen events, feeds it
// the first batch of d, and makes an Adam optimizer. Close releases the graph.
func NewStepper(m models.Model, d *datasets.Dataset, batch, maxLen int) (_ *Stepper, err error) {
	if d == nil || len(d.Sessions) == 0 {
		return nil, fmt.Errorf("stepper: no sessions")
	}
	bld := graph.NewBuilder(m.Store(), graph.BuilderConfig{Train: true, Seed: 3})
	in, err := models.NewInputs(bld, &d.Schema, m.Needs(), batch, maxLen)
	if err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	out, err := m.Forward(bld, in)
	if err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	loss, err := models.Loss(in, out, nil)
	if err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	prog, err := graph.Compile(bld, loss)
	if err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	defer func() {
		if err != nil {
			prog.Close()
		}
	}()
	bt, err := datasets.NewBatcher(d, datasets.BatcherConfig{BatchSize: batch, MaxLen: maxLen})
	if err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	first, _ := bt.Next()
	if err := in.Feed(prog, first); err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	opt, err := NewOptimizer(OptimizerConfig{})
	if err != nil {
		return nil, fmt.Errorf("stepper: %w", err)
	}
	params := m.Store().Params()
	return &Stepper{Batch: first, prog: prog, opt: opt, params: params, grads: make([]tensor.Tensor, len(params))}, nil
}

// Step runs one training step at learning rate lr.
func (s *Stepper) Step(lr float64) error {
	if err := s.prog.Run(); err != nil {
		return fmt.Errorf("stepper: %w", err)
	}
	paramGrads(s.prog, s.params, s.grads)
	if err := s.opt.Step(s.params, s.grads, lr); err != nil {
		return fmt.Errorf("stepper: %w", err)
	}
	return nil
}

// Loss is the loss of the last step.
func (s *Stepper) Loss() float64 { return s.prog.Loss() }

// Close releases the training graph.
func (s *Stepper) Close() error { return s.prog.Close() }
