package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
	"github.com/intentlab/intentlab/train/metrics"
)

// tinyConfig benches logreg and a small GRU over two seeds on 600 short synthetic sessions: a few
// seconds in all.
func tinyConfig() Config {
	return Config{
		Data: train.DataConfig{
			Spec:    "synth:600",
			Options: datasets.LoadOptions{Synthetic: datasets.SyntheticConfig{Window: 6, NumItems: 20, NumCategories: 4, Seed: 3}},
		},
		Models:    []string{"logreg", "gru"},
		Seeds:     []uint64{1, 2},
		Train:     train.Config{Epochs: 2, BatchSize: 64, LR: 0.01},
		Overrides: map[string]Override{"gru": {Config: []byte(`{"hiddens":[8]}`)}, "logreg": {Epochs: 3}},
	}
}

// readCSV reads results.csv as maps from column to cell.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestReportAgreesWithRuns runs a bench and reads its numbers back three ways: results.csv must hold
// exactly what each run's summary.json says (and a test ROC-AUC recomputed from the run's
// predictions.csv), and report.md's table must show the mean ± sample std of results.csv's column,
// computed here independently, for every model.
func TestReportAgreesWithRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench")
	res, err := Run(context.Background(), tinyConfig(), out)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, filepath.Join(out, "results.csv"))
	if len(rows) != 4 {
		t.Fatalf("results.csv has %d rows, want 2 models × 2 seeds", len(rows))
	}
	byModel := map[string][]float64{}
	for _, row := range rows {
		dir := filepath.Join(out, row["run"])
		sum, err := train.ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		test := sum.Tasks[0].Test
		for col, want := range map[string]float64{
			"test_roc_auc": test.ROCAUC, "test_pr_auc": test.PRAUC, "test_log_loss": test.LogLoss,
			"test_brier": test.Brier, "test_f1": test.F1, "val_roc_auc": sum.Tasks[0].Val.ROCAUC,
			"train_seconds": sum.TrainSeconds, "seq_per_sec": sum.SeqPerSec, "params": float64(sum.Params),
			"oracle_test_roc_auc": sum.Tasks[0].OracleTest.ROCAUC, "regret": sum.Tasks[0].OracleTest.ROCAUC - test.ROCAUC,
		} {
			if got := atof(t, row[col]); got != want {
				t.Errorf("%s %s: results.csv %v, summary.json %v", row["run"], col, got, want)
			}
		}
		sc, err := train.ReadScores(dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		auc, err := metrics.ROCAUC(sc.Scores, sc.Labels)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(auc-test.ROCAUC) > 1e-12 {
			t.Errorf("%s: ROC-AUC from predictions.csv %v, summary.json %v", row["run"], auc, test.ROCAUC)
		}
		byModel[row["model"]] = append(byModel[row["model"]], test.ROCAUC)
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for model, xs := range byModel {
		m := (xs[0] + xs[1]) / 2
		sd := math.Abs(xs[0]-xs[1]) / math.Sqrt2 // the sample std of two values
		cell := fmt.Sprintf("%.4f ± %.4f", m, sd)
		line := tableLine(t, string(md), model)
		if !strings.Contains(line, cell) {
			t.Errorf("report.md row of %s %q lacks the mean ± std %q of results.csv", model, line, cell)
		}
	}
	if res.Best != res.Models[0].Model || res.Models[0].ROCAUC.Mean < res.Models[1].ROCAUC.Mean {
		t.Errorf("best %s, models in order %s %s", res.Best, res.Models[0].Model, res.Models[1].Model)
	}
	// The DeLong p-value of the other model against the best, per seed, from the two runs' files.
	other := res.Models[1]
	for _, row := range rows {
		if row["model"] != other.Model {
			if row["delong_p_vs_best"] != "" {
				t.Errorf("the best model's row has a DeLong p-value %q", row["delong_p_vs_best"])
			}
			continue
		}
		a, _ := train.ReadScores(filepath.Join(out, row["run"]), "test")
		b, _ := train.ReadScores(runDir(out, res.Best, uint64(atof(t, row["seed"]))), "test")
		d, err := metrics.DeLong(a.Scores, b.Scores, a.Labels)
		if err != nil {
			t.Fatal(err)
		}
		if got := atof(t, row["delong_p_vs_best"]); got != d.P {
			t.Errorf("%s: DeLong p %v in results.csv, %v from the runs", row["run"], got, d.P)
		}
	}
	for _, f := range []string{"roc.png", "pr.png", "loss.png", "val_auc.png", "calibration.png", "confusion.png"} {
		if st, err := os.Stat(filepath.Join(out, "figures", f)); err != nil || st.Size() == 0 {
			t.Errorf("figure %s missing or empty", f)
		}
		if !strings.Contains(string(md), "(figures/"+f+")") {
			t.Errorf("report.md does not embed %s", f)
		}
	}
}

// tableLine is the line of report.md's results table whose first cell is model (bold or not).
func tableLine(t *testing.T, md, model string) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "| "+model+" |") || strings.HasPrefix(l, "| **"+model+"** |") {
			return l
		}
	}
	t.Fatalf("report.md has no table row for %s:\n%s", model, md)
	return ""
}

// TestResumeAfterInterrupt cancels a bench during its third run, resumes it, and gets the same
// results.csv (but for the timing columns) as a bench that was never interrupted; the runs that had
// finished are not trained again.
func TestResumeAfterInterrupt(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole")
	if _, err := Run(context.Background(), tinyConfig(), whole); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut")
	ctx, cancel := context.WithCancel(context.Background())
	cfg := tinyConfig()
	cfg.Progress = cancelOn{"[3/4] logreg seed 2 epoch 1/", cancel}
	_, err := Run(ctx, cfg, cut)
	if !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("interrupted bench: %v, want ErrInterrupted", err)
	}
	first, err := os.Stat(filepath.Join(runDir(cut, "logreg", 1), "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = tinyConfig()
	if _, err := Run(context.Background(), cfg, cut); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second bench into %s without Resume: %v, want a refusal", cut, err)
	}
	cfg.Resume = true
	if _, err := Run(context.Background(), cfg, cut); err != nil {
		t.Fatal(err)
	}
	again, _ := os.Stat(filepath.Join(runDir(cut, "logreg", 1), "summary.json"))
	if !again.ModTime().Equal(first.ModTime()) {
		t.Errorf("the finished run logreg seed 1 was trained again")
	}
	a, b := readCSV(t, filepath.Join(whole, "results.csv")), readCSV(t, filepath.Join(cut, "results.csv"))
	for i := range a {
		for col, v := range a[i] {
			if col != "train_seconds" && col != "seq_per_sec" && b[i][col] != v {
				t.Errorf("row %d %s: uninterrupted %s, resumed %s", i, col, v, b[i][col])
			}
		}
	}
	// A resume with other settings is refused.
	cfg.Seeds = []uint64{1, 2, 3}
	if _, err := Run(context.Background(), cfg, cut); err == nil || !strings.Contains(err.Error(), "another bench") {
		t.Errorf("resume with other seeds: %v", err)
	}
}

// cancelOn cancels a context when a progress line contains a marker.
type cancelOn struct {
	marker string
	cancel context.CancelFunc
}

func (c cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

// writeTabular writes n rows of a UCI-format CSV with random values, buyers where PageValues is high.
func writeTabular(t *testing.T, path string, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("Administrative,Administrative_Duration,Informational,Informational_Duration,ProductRelated,ProductRelated_Duration,BounceRates,ExitRates,PageValues,SpecialDay,Month,OperatingSystems,Browser,Region,TrafficType,VisitorType,Weekend,Revenue\n")
	for range n {
		pv := rng.Float64() * 50
		buy := "FALSE"
		if pv+rng.NormFloat64()*10 > 40 {
			buy = "TRUE"
		}
		fmt.Fprintf(&b, "%d,%.1f,%d,%.1f,%d,%.1f,%.3f,%.3f,%.2f,0,Mar,%d,%d,%d,%d,Returning_Visitor,FALSE,%s\n",
			rng.IntN(5), rng.Float64()*100, rng.IntN(3), rng.Float64()*50, rng.IntN(40), rng.Float64()*1000,
			rng.Float64()*0.2, rng.Float64()*0.2, pv, 1+rng.IntN(3), 1+rng.IntN(3), 1+rng.IntN(5), 1+rng.IntN(5), buy)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSkipsModelsTheDataDoesNotSuit: on tabular data, a sequence model is skipped with its reason in
// the report; the tabular models are benched.
func TestSkipsModelsTheDataDoesNotSuit(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "shoppers.csv")
	writeTabular(t, csvPath, 400)
	cfg := Config{
		Data:   train.DataConfig{Spec: "uci:" + csvPath},
		Models: []string{"logreg", "lstm"},
		Seeds:  []uint64{1},
		Train:  train.Config{Epochs: 2, BatchSize: 64, LR: 0.02},
	}
	out := filepath.Join(dir, "bench")
	res, err := Run(context.Background(), cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Models) != 1 || res.Models[0].Model != "logreg" {
		t.Fatalf("benched %v, want logreg only", res.Models)
	}
	reason, ok := res.Skipped["lstm"]
	if !ok || !strings.Contains(reason, "reads event sequences") {
		t.Fatalf("skipped %v, want lstm with its reason", res.Skipped)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(md), "- lstm skipped: "+reason) {
		t.Errorf("report.md does not say lstm was skipped:\n%s", md)
	}
	if res.Oracle != nil || strings.Contains(string(md), "regret") {
		t.Errorf("tabular data has no oracle, but the report has one")
	}
}

// TestConfigErrors: what can be checked before training fails at once with a clear error.
func TestConfigErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench")
	for _, tc := range []struct {
		change func(c *Config)
		want   string
	}{
		{func(c *Config) { c.Models = []string{"logreg", "nosuch"} }, `unknown model "nosuch"`},
		{func(c *Config) { c.Models = []string{"gru", "gru"} }, `model "gru" is listed twice`},
		{func(c *Config) { c.Seeds = []uint64{1, 1} }, "seed 1 is listed twice"},
		{func(c *Config) { c.Overrides = map[string]Override{"gru": {Config: []byte(`{"nope":1}`)}} }, `unknown field "nope"`},
		{func(c *Config) { c.Train.Optimizer.Name = "rmsprop" }, "rmsprop"},
	} {
		cfg := tinyConfig()
		tc.change(&cfg)
		_, err := Run(context.Background(), cfg, out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("a refused bench created %s", out)
		}
	}
}

// TestDefaultConfigPreprocessesLikeTrain: the README's bench and `intentlab train` prepare data the
// same way (on the UCI table, dropping log1p of the skewed counts cost logistic regression 0.024
// test ROC-AUC).
func TestDefaultConfigPreprocessesLikeTrain(t *testing.T) {
	if got, want := DefaultConfig().Data.Preprocess, train.DefaultExperiment("mlp").Data.Preprocess; !reflect.DeepEqual(got, want) {
		t.Errorf("bench preprocessing %+v, train's %+v", got, want)
	}
}
