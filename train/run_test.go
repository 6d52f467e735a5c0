package train

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
)

// tinyExperiment is a small synthetic experiment that trains in a second: 900 sessions of at most
// 6 events, a 60/20/20 split, the named model with cfg (JSON over its defaults).
func tinyExperiment(model, cfg string, epochs int) Experiment {
	exp := DefaultExperiment(model)
	exp.Data.Spec = "synth:900"
	exp.Data.Options.Synthetic = datasets.SyntheticConfig{Window: 6, NumItems: 20, NumCategories: 4, Seed: 3}
	exp.Model.Config = []byte(cfg)
	exp.Train = Config{Epochs: epochs, BatchSize: 64, LR: 0.01, Seed: 9}
	return exp
}

// dropoutMLP is a model whose training draws dropout masks, so that resuming must restore the
// dropout source as well as the weights and the optimizer.
const dropoutMLP = `{"hidden": [16, 8], "dropout": 0.3}`

func storeValues(t *testing.T, s *graph.Store) map[string][]float64 {
	t.Helper()
	out := map[string][]float64{}
	for _, p := range s.Params() {
		out[p.Name] = graph.Float64s(p.Value)
	}
	return out
}

func requireSameValues(t *testing.T, what string, a, b map[string][]float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d parameters vs %d", what, len(a), len(b))
	}
	for name, va := range a {
		vb := b[name]
		for i := range va {
			if math.Float64bits(va[i]) != math.Float64bits(vb[i]) {
				t.Fatalf("%s: parameter %s[%d] = %v vs %v: not bit-for-bit equal", what, name, i, va[i], vb[i])
			}
		}
	}
}

// withoutSeconds drops the wall-clock column of metrics.csv, the one value that differs between two
// runs of the same experiment.
func withoutSeconds(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		if r[len(r)-1] != "seconds" && len(rows) > 0 && rows[0][len(r)-1] != "seconds" {
			t.Fatalf("metrics.csv: last column is %q, want seconds", rows[0][len(r)-1])
		}
		b.WriteString(strings.Join(r[:len(r)-1], ",") + "\n")
	}
	return b.String()
}

// TestResumeIsBitExact trains 4 epochs in one go, and again with the context cancelled after epoch 2
// and then resumed; the final parameters, metrics.csv (but for the seconds) and summary must agree
// exactly. A second pair interrupts in the middle of epoch 3 instead.
func TestResumeIsBitExact(t *testing.T) {
	for _, tc := range []struct {
		name, model, cfg string
		stopEpoch        int // cancel after this epoch's checkpoint…
		stopBatch        int // …or after this batch of epoch stopEpoch+1 (when > 0)
	}{
		{"mlp dropout, between epochs", "mlp", dropoutMLP, 2, 0},
		{"mlp dropout, mid-epoch", "mlp", dropoutMLP, 2, 5},
		{"lstm, between epochs", "lstm", `{"hiddens": [6, 4], "dropout": 0.2, "head": {"hidden": 4, "dropout": 0.1}, "events": {"type_dim": 3, "item_dim": 3, "category_dim": 2}}`, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			whole, pw, err := Start(context.Background(), tinyExperiment(tc.model, tc.cfg, 4), filepath.Join(dir, "whole"), false)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			exp := tinyExperiment(tc.model, tc.cfg, 4)
			out := filepath.Join(dir, "resumed")
			if tc.stopBatch == 0 {
				exp.Train.OnEpoch = func(m EpochMetrics) error {
					if m.Epoch == tc.stopEpoch {
						cancel()
					}
					return nil
				}
			} else {
				exp.Train.afterBatch = func(epoch, batch int) {
					if epoch == tc.stopEpoch+1 && batch == tc.stopBatch {
						cancel()
					}
				}
			}
			_, _, err = Start(ctx, exp, out, false)
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("interrupted run: error %v, want ErrInterrupted", err)
			}
			c, err := Load(filepath.Join(out, "checkpoint", "last.ckpt"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Epoch != tc.stopEpoch {
				t.Fatalf("checkpoint after the interruption is at epoch %d, want %d", c.Epoch, tc.stopEpoch)
			}
			resumed, pr, err := Start(context.Background(), tinyExperiment(tc.model, tc.cfg, 4), out, true)
			if err != nil {
				t.Fatal(err)
			}
			requireSameValues(t, "final weights", storeValues(t, pw.Model.Store()), storeValues(t, pr.Model.Store()))
			if a, b := withoutSeconds(t, filepath.Join(dir, "whole", "metrics.csv")), withoutSeconds(t, filepath.Join(out, "metrics.csv")); a != b {
				t.Errorf("metrics.csv differs:\nuninterrupted:\n%s\nresumed:\n%s", a, b)
			}
			if *whole.Tasks[0].Test != *resumed.Tasks[0].Test {
				t.Errorf("test metrics differ: %+v vs %+v", *whole.Tasks[0].Test, *resumed.Tasks[0].Test)
			}
			a, _ := os.ReadFile(filepath.Join(dir, "whole", "predictions.csv"))
			b, _ := os.ReadFile(filepath.Join(out, "predictions.csv"))
			if !bytes.Equal(a, b) {
				t.Errorf("predictions.csv differs between the uninterrupted and the resumed run")
			}
		})
	}
}

// TestSameSeedSameNumbers: the same experiment twice gives the same metrics.csv (but for the
// seconds) and the same predictions, byte for byte; another seed gives other numbers.
func TestSameSeedSameNumbers(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		if _, _, err := Start(context.Background(), tinyExperiment("mlp", dropoutMLP, 3), filepath.Join(dir, name), false); err != nil {
			t.Fatal(err)
		}
	}
	other := tinyExperiment("mlp", dropoutMLP, 3)
	other.Train.Seed++
	if _, _, err := Start(context.Background(), other, filepath.Join(dir, "c"), false); err != nil {
		t.Fatal(err)
	}
	a := withoutSeconds(t, filepath.Join(dir, "a", "metrics.csv"))
	if b := withoutSeconds(t, filepath.Join(dir, "b", "metrics.csv")); a != b {
		t.Errorf("same seed, different metrics.csv:\n%s\n%s", a, b)
	}
	if c := withoutSeconds(t, filepath.Join(dir, "c", "metrics.csv")); a == c {
		t.Errorf("another seed gave the same metrics.csv:\n%s", a)
	}
	pa, _ := os.ReadFile(filepath.Join(dir, "a", "predictions.csv"))
	pb, _ := os.ReadFile(filepath.Join(dir, "b", "predictions.csv"))
	if !bytes.Equal(pa, pb) {
		t.Errorf("same seed, different predictions.csv")
	}
}

// TestNaNLossStops poisons a weight with NaN after epoch 1: the next batch's loss is NaN, Run stops
// with an error that says so, and the checkpoint of epoch 1 stays loadable and finite.
func TestNaNLossStops(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	exp := tinyExperiment("logreg", "", 3)
	var store *graph.Store
	exp.Train.OnEpoch = func(m EpochMetrics) error {
		if m.Epoch == 1 {
			p := store.Params()[0]
			vals := graph.Float64s(p.Value)
			vals[0] = math.NaN()
			return graph.CopyFrom(p.Value, vals)
		}
		return nil
	}
	p, err := Prepare(exp)
	if err != nil {
		t.Fatal(err)
	}
	store = p.Model.Store()
	cfg := exp.Train
	cfg.Out = dir
	_, err = Run(context.Background(), p.Model, p.Data, cfg)
	if err == nil || !strings.Contains(err.Error(), "NaN") || !strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "epoch 1 is kept") {
		t.Fatalf("error %v, want a divergence error naming NaN and the kept checkpoint of epoch 1", err)
	}
	c, err := Load(filepath.Join(dir, "checkpoint", "last.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Epoch != 1 {
		t.Errorf("last checkpoint is at epoch %d, want 1", c.Epoch)
	}
	for _, tn := range c.Params {
		for _, v := range tn.Values {
			if math.IsNaN(v) {
				t.Fatalf("the kept checkpoint holds NaN in %s", tn.Name)
			}
		}
	}
}

// TestEarlyStoppingRestoresBest: with patience 1 the run stops one epoch after its best, and the
// weights it ends with are the best epoch's: their validation ROC-AUC equals the history's at that
// epoch exactly (the same evaluation graph scores both).
func TestEarlyStoppingRestoresBest(t *testing.T) {
	exp := tinyExperiment("mlp", dropoutMLP, 30)
	exp.Train.LR = 0.05
	exp.Train.EarlyStop = EarlyStopConfig{Patience: 1}
	res, _, err := Start(context.Background(), exp, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stopped != "early stop" {
		t.Fatalf("run of 30 epochs with patience 1 did not stop early: %+v", res.History)
	}
	best := res.History[0]
	for _, h := range res.History {
		if h.ValROCAUC[0] > best.ValROCAUC[0] {
			best = h
		}
	}
	if res.BestEpoch != best.Epoch || res.Epochs != best.Epoch+1 {
		t.Errorf("best epoch %d, ran %d epochs; history's best is %d (patience 1: want %d epochs)", res.BestEpoch, res.Epochs, best.Epoch, best.Epoch+1)
	}
	if got := res.Tasks[0].Val.ROCAUC; got != best.ValROCAUC[0] {
		t.Errorf("final validation ROC-AUC %v, want the best epoch's %v exactly", got, best.ValROCAUC[0])
	}
}

// TestRefusesToOverwriteACheckpoint: a second run into the same directory without Resume is an error.
func TestRefusesToOverwriteACheckpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := Start(context.Background(), tinyExperiment("logreg", "", 1), dir, false); err != nil {
		t.Fatal(err)
	}
	_, _, err := Start(context.Background(), tinyExperiment("logreg", "", 1), dir, false)
	if err == nil || !strings.Contains(err.Error(), "already holds a run's checkpoint") {
		t.Fatalf("error %v, want a refusal to overwrite", err)
	}
}

// TestResumeFromCorruptCheckpoint flips one byte of last.ckpt: resuming fails with the checksum error.
func TestResumeFromCorruptCheckpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := Start(context.Background(), tinyExperiment("logreg", "", 2), dir, false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "checkpoint", "last.ckpt")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x10
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = Start(context.Background(), tinyExperiment("logreg", "", 3), dir, true)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("error %v, want ErrChecksum", err)
	}
}

// TestOpenRunPredictsLikeTheRun: a saved run read back scores the test split exactly as the run's
// predictions.csv recorded.
func TestOpenRunPredictsLikeTheRun(t *testing.T) {
	res, sr, sp := trainAndOpen(t, tinyExperiment("mlp", dropoutMLP, 2))
	probs, tasks, err := sr.Predict(sp.Test)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0] != datasets.TaskPurchase {
		t.Fatalf("tasks %v", tasks)
	}
	for i, p := range probs[0] {
		if p != res.Test[0][i] {
			t.Fatalf("session %d: saved run scores %v, the run scored %v", i, p, res.Test[0][i])
		}
	}
}

// trainAndOpen trains exp in a temporary directory and opens the saved run, with its data split.
func trainAndOpen(t *testing.T, exp Experiment) (*Result, *SavedRun, datasets.Split) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	res, _, err := Start(context.Background(), exp, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := OpenRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := LoadSplit(sr.Experiment.Data)
	if err != nil {
		t.Fatal(err)
	}
	return res, sr, sp
}

// TestRunWithoutValidation: with no validation split (a tiny event log, or --split 1,0,0) a run still
// checkpoints, stops after its epochs and writes its summary, with no validation metrics.
func TestRunWithoutValidation(t *testing.T) {
	exp := tinyExperiment("logreg", "", 2)
	exp.Data.Split = [3]float64{0.8, 0, 0.2}
	dir := filepath.Join(t.TempDir(), "run")
	res, _, err := Start(context.Background(), exp, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 2 || res.Tasks[0].Val != nil || res.Tasks[0].Test == nil || res.Threshold != 0.5 {
		t.Errorf("epochs %d, val %v, test %v, threshold %v; want 2 epochs, no validation report, a test report, threshold 0.5",
			res.Epochs, res.Tasks[0].Val, res.Tasks[0].Test, res.Threshold)
	}
	if _, err := Load(filepath.Join(dir, "checkpoint", "last.ckpt")); err != nil {
		t.Errorf("checkpoint: %v", err)
	}
}

// TestHashCollisionGraph trains the graph that first showed Gorgonia's hash-collision bug (found by a
// search trial): two of its nodes share a 32-bit hash, and Gorgonia's compiler merged them, failing
// in the first batch with "Mul failed: Shape mismatch. Expected (32, 64). Got (32, 32)". graph.Compile
// now separates them (graph/collide.go, TestSeparateCollisions).
func TestHashCollisionGraph(t *testing.T) {
	exp := DefaultExperiment("lstm")
	exp.Data.Spec = "synth:600"
	exp.Model.Config = []byte(`{"hiddens":[64,32],"head":{"hidden":128,"dropout":0.4}}`)
	exp.Train = Config{Epochs: 1, BatchSize: 32}
	res, _, err := Start(context.Background(), exp, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 1 || math.IsNaN(res.History[0].TrainLoss) {
		t.Errorf("trained %d epochs, loss %v", res.Epochs, res.History[0].TrainLoss)
	}
}
