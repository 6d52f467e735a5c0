package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train/metrics"
)

// rngDropout names the dropout source's state in a checkpoint.
const rngDropout = "dropout"

func (r *runner) checkpointPath(kind string) string {
	return filepath.Join(r.cfg.Out, "checkpoint", kind+".ckpt")
}

// save writes the current state as checkpoint/<kind>.ckpt.
func (r *runner) save(kind string) error {
	meta, err := json.Marshal(r.st)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	noise, err := r.trainB.NoiseState()
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	c := &Checkpoint{
		Epoch: r.epoch, Step: r.step, Params: ParamsOf(r.store), Optimizer: r.opt.State(),
		RNG: map[string][]byte{rngDropout: noise}, Meta: meta,
	}
	if err := os.MkdirAll(filepath.Dir(r.checkpointPath(kind)), 0o755); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := Save(r.checkpointPath(kind), c); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// restore continues from checkpoint/last.ckpt when Resume is set, and refuses to overwrite a run's
// checkpoint otherwise.
func (r *runner) restore() error {
	if r.cfg.Out == "" {
		return nil
	}
	path := r.checkpointPath("last")
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if !r.cfg.Resume {
		if exists {
			return fmt.Errorf("train: %s already holds a run's checkpoint: resume it or choose another directory", r.cfg.Out)
		}
		return nil
	}
	if !exists {
		if errors.Is(statErr, fs.ErrNotExist) {
			return nil // nothing to resume: a fresh start
		}
		return fmt.Errorf("train: resume: %w", statErr)
	}
	c, err := Load(path)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if err := c.Restore(r.store); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if err := r.opt.SetState(c.Optimizer); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	noise, ok := c.RNG[rngDropout]
	if !ok {
		return fmt.Errorf("train: resume %s: no %q random state", path, rngDropout)
	}
	if err := r.trainB.SetNoiseState(noise); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	var st runState
	if err := json.Unmarshal(c.Meta, &st); err != nil {
		return fmt.Errorf("train: resume %s: run state: %w", path, err)
	}
	r.st, r.epoch, r.step = st, c.Epoch, c.Step
	r.batcher.SetEpoch(r.epoch)
	for i := 0; i < r.st.Batch; i++ {
		if _, ok := r.batcher.Next(); !ok {
			return fmt.Errorf("train: resume %s: the checkpoint is %d batches into epoch %d, which has only %d", path, r.st.Batch, r.epoch+1, i)
		}
	}
	if r.epoch >= r.cfg.Epochs || r.st.Stopped {
		r.prog.note(fmt.Sprintf("%s has finished training (%d epochs): evaluating its weights again", r.cfg.Out, r.epoch))
	} else {
		r.prog.note(fmt.Sprintf("resumed %s at epoch %d, batch %d", r.cfg.Out, r.epoch+1, r.st.Batch))
	}
	return nil
}

// interrupt saves where training stands and returns ErrInterrupted.
func (r *runner) interrupt() error {
	r.prog.done()
	if r.cfg.Out == "" {
		return fmt.Errorf("%w in epoch %d after %d batches (no run directory: nothing saved)", ErrInterrupted, r.epoch+1, r.st.Batch)
	}
	if err := r.save("last"); err != nil {
		return fmt.Errorf("%w, and saving failed: %v", ErrInterrupted, err)
	}
	return fmt.Errorf("%w in epoch %d after %d batches: state saved in %s; resume to continue", ErrInterrupted, r.epoch+1, r.st.Batch, r.checkpointPath("last"))
}

// finish restores the best weights, scores validation and test, and writes predictions and summary.
func (r *runner) finish() (*Result, error) {
	r.prog.done()
	res := &Result{
		Model: r.model.Name(), Params: r.store.Size(), Epochs: r.epoch, BestEpoch: r.epoch,
		Stopped: "completed", Threshold: 0.5, History: r.st.History, TrainSeconds: r.st.TrainSeconds,
	}
	if r.st.Stopped {
		res.Stopped = "early stop"
	}
	if r.st.TrainSeconds > 0 {
		res.SeqPerSec = float64(r.epoch*len(r.data.Train.Sessions)) / r.st.TrainSeconds
	}
	if !r.cfg.EarlyStop.NoRestore && r.st.BestEpoch > 0 && r.st.BestEpoch != r.epoch {
		if err := r.restoreBest(); err != nil {
			return nil, err
		}
		res.BestEpoch = r.st.BestEpoch
	}
	var err error
	if size(r.data.Val) > 0 {
		if res.Val, err = r.eval.Predict(r.data.Val); err != nil {
			return nil, err
		}
		y, err := Labels(r.data.Val, r.tasks[0])
		if err != nil {
			return nil, err
		}
		if res.Threshold, _, err = metrics.BestF1Threshold(res.Val[0], y); err != nil {
			return nil, fmt.Errorf("train: validation threshold: %w", err)
		}
	}
	if size(r.data.Test) > 0 {
		if res.Test, err = r.eval.Predict(r.data.Test); err != nil {
			return nil, err
		}
	}
	for k, task := range r.tasks {
		tr := TaskResult{Task: task}
		if tr.Val, err = report(r.data.Val, task, res.Val, k, res.Threshold); err != nil {
			return nil, fmt.Errorf("train: validation %s: %w", task, err)
		}
		if tr.Test, err = report(r.data.Test, task, res.Test, k, res.Threshold); err != nil {
			return nil, fmt.Errorf("train: test %s: %w", task, err)
		}
		if o := OracleScores(r.data.Test, task); o != nil {
			y, _ := Labels(r.data.Test, task)
			rep, err := metrics.Evaluate(o, y, res.Threshold)
			if err != nil {
				return nil, fmt.Errorf("train: oracle on test %s: %w", task, err)
			}
			tr.OracleTest = &rep
		}
		res.Tasks = append(res.Tasks, tr)
	}
	if r.cfg.Out != "" {
		if err := writePredictions(filepath.Join(r.cfg.Out, "predictions.csv"), r.data, r.tasks, res); err != nil {
			return nil, err
		}
		if err := writeJSON(filepath.Join(r.cfg.Out, "summary.json"), res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// report evaluates the scores of task k on d at threshold; nil when d is empty.
func report(d *datasets.Dataset, task string, scores [][]float64, k int, threshold float64) (*metrics.Report, error) {
	if size(d) == 0 {
		return nil, nil
	}
	y, err := Labels(d, task)
	if err != nil {
		return nil, err
	}
	rep, err := metrics.Evaluate(scores[k], y, threshold)
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

func (r *runner) restoreBest() error {
	var c *Checkpoint
	if r.cfg.Out == "" {
		c = &Checkpoint{Params: r.best}
	} else {
		var err error
		if c, err = Load(r.checkpointPath("best")); err != nil {
			return fmt.Errorf("train: restore best epoch: %w", err)
		}
	}
	if err := c.Restore(r.store); err != nil {
		return fmt.Errorf("train: restore best epoch: %w", err)
	}
	return nil
}
