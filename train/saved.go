package train

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/models"
)

// SavedRun is a finished run read back from its directory: the experiment, the fitted preprocessing
// and the model with its final weights.
type SavedRun struct {
	Dir          string
	Experiment   Experiment
	Preprocessor *datasets.Preprocessor
	Schema       datasets.Schema
	Model        models.Model
	Summary      *Result // nil when the run has no summary.json
}

// OpenRun reads the run in dir: config.json, preprocess.json and checkpoint/final.ckpt (summary.json
// when present).
func OpenRun(dir string) (*SavedRun, error) {
	exp, err := readExperiment(dir)
	if err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	sr := &SavedRun{Dir: dir, Experiment: exp}
	b, err := os.ReadFile(filepath.Join(dir, "preprocess.json"))
	if err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	sr.Preprocessor = &datasets.Preprocessor{}
	if err := json.Unmarshal(b, sr.Preprocessor); err != nil {
		return nil, fmt.Errorf("open run: %s: %w", filepath.Join(dir, "preprocess.json"), err)
	}
	sr.Schema = sr.Preprocessor.OutputSchema()
	cfg, err := models.DecodeConfig(exp.Model.Name, exp.Model.Config)
	if err != nil {
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	if sr.Model, err = buildModel(exp, &sr.Schema, cfg); err != nil {
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	path := filepath.Join(dir, "checkpoint", "final.ckpt")
	c, err := Load(path)
	if err != nil {
		return nil, fmt.Errorf("open run: %w (was the run finished?)", err)
	}
	if err := c.Restore(sr.Model.Store()); err != nil {
		return nil, fmt.Errorf("open run: %s: %w", path, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err == nil {
		sr.Summary = &Result{}
		if err := json.Unmarshal(b, sr.Summary); err != nil {
			return nil, fmt.Errorf("open run: %s: %w", filepath.Join(dir, "summary.json"), err)
		}
	}
	return sr, nil
}

// Predict preprocesses raw sessions (as loaded, like the data the run was trained on) and returns the
// probability of every task the model predicts, probs[k][i], with the task names.
func (sr *SavedRun) Predict(raw *datasets.Dataset) (probs [][]float64, tasks []string, err error) {
	d, err := sr.Preprocessor.Apply(raw)
	if err != nil {
		return nil, nil, err
	}
	return sr.PredictPrepared(d)
}

// PredictPrepared scores sessions that are already preprocessed.
func (sr *SavedRun) PredictPrepared(d *datasets.Dataset) ([][]float64, []string, error) {
	p, err := sr.newPredictor(len(d.Sessions))
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	probs, err := p.Predict(d)
	return probs, p.Tasks, err
}

// newPredictor compiles the run's evaluation graph for scoring n sessions: batches of the run's
// evaluation batch size, or of n when n is smaller.
func (sr *SavedRun) newPredictor(n int) (*Predictor, error) {
	batch := min(max(n, 1), max(sr.Experiment.Train.EvalBatchSize, 1))
	return NewPredictor(sr.Model, &sr.Schema, batch, sr.Experiment.Train.MaxLen)
}
