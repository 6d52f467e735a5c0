package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Scores are a run's purchase predictions on one split, read back from its predictions.csv, in the
// order of the file.
type Scores struct {
	Labels []float64
	Scores []float64
	Oracle []float64 // the Bayes oracle's probabilities (synthetic data); nil when the file has none
}

// ReadScores reads the purchase scores of split ("val" or "test") from dir/predictions.csv. Errors
// name the file, line and column of a bad cell.
func ReadScores(dir, split string) (*Scores, error) {
	if split != "val" && split != "test" {
		return nil, fmt.Errorf("read scores of %s: split %q, want val or test", dir, split)
	}
	rp, err := readRunPredictions(dir)
	if err != nil {
		return nil, err
	}
	idx := rp.split(split)
	s := &Scores{Labels: rp.labels(idx), Scores: rp.scores(idx)}
	if rp.oracle {
		s.Oracle = oracleOf([]*runPredictions{rp}, idx)
	}
	return s, nil
}

// ReadSummary reads a finished run's summary.json.
func ReadSummary(dir string) (*Result, error) {
	path := filepath.Join(dir, "summary.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", dir, err)
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &res, nil
}

// ReadHistory returns the per-epoch metrics of the epochs a run's last checkpoint holds: what a
// resumed run continues from. A run with no checkpoint yet has none (and no error).
func ReadHistory(dir string) ([]EpochMetrics, error) {
	c, err := Load(filepath.Join(dir, "checkpoint", "last.ckpt"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st runState
	if err := json.Unmarshal(c.Meta, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "checkpoint", "last.ckpt"), err)
	}
	return st.History, nil
}
