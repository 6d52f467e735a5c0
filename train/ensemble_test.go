package train

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train/metrics"
)

// predictionsFile is a predictions.csv read back: its header and rows.
type predictionsFile struct {
	header []string
	rows   [][]string
}

func readPredictionsFile(t *testing.T, dir string) predictionsFile {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return predictionsFile{header: all[0], rows: all[1:]}
}

// column returns column name of the rows of split ("" for every row) as numbers.
func (p predictionsFile) column(t *testing.T, name, split string) []float64 {
	t.Helper()
	c := slices.Index(p.header, name)
	if c < 0 {
		t.Fatalf("predictions.csv has no column %q: %v", name, p.header)
	}
	var out []float64
	for _, r := range p.rows {
		if split != "" && r[0] != split {
			continue
		}
		v, err := strconv.ParseFloat(r[c], 64)
		if err != nil {
			t.Fatalf("column %s: %v", name, err)
		}
		out = append(out, v)
	}
	return out
}

func writePredictionsFile(t *testing.T, dir string, p predictionsFile) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(append([][]string{p.header}, p.rows...)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readEnsembleSummary(t *testing.T, dir string) EnsembleResult {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res EnsembleResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// trainMembers trains three tiny runs that score the same synthetic sessions (the data and split
// do not depend on the training seed): logistic regression, and two MLPs with different seeds.
func trainMembers(t *testing.T, dir string) []string {
	t.Helper()
	var runs []string
	for _, m := range []struct {
		name, model, cfg string
		seed             uint64
	}{{"logreg", "logreg", "", 9}, {"mlp1", "mlp", `{"hidden":[8]}`, 1}, {"mlp2", "mlp", `{"hidden":[8]}`, 2}} {
		exp := tinyExperiment(m.model, m.cfg, 2)
		exp.Train.Seed = m.seed
		out := filepath.Join(dir, m.name)
		if _, _, err := Start(context.Background(), exp, out, false); err != nil {
			t.Fatalf("train %s: %v", m.name, err)
		}
		runs = append(runs, out)
	}
	return runs
}

// TestEnsembleOfRuns ensembles three trained runs both ways and checks the files against values
// recomputed here from the members' own predictions.csv.
func TestEnsembleOfRuns(t *testing.T) {
	dir := t.TempDir()
	runs := trainMembers(t, dir)
	members := make([]predictionsFile, len(runs))
	for m, r := range runs {
		members[m] = readPredictionsFile(t, r)
	}

	t.Run("average", func(t *testing.T) {
		out := filepath.Join(dir, "average")
		res, err := Ensemble(runs, models.EnsembleConfig{Mode: "average"}, out)
		if err != nil {
			t.Fatal(err)
		}
		got := readPredictionsFile(t, out)
		if want := "split,index,id,label_purchase,p_purchase,oracle_purchase"; strings.Join(got.header, ",") != want {
			t.Errorf("header %v, want %s", got.header, want)
		}
		if len(got.rows) != len(members[0].rows) {
			t.Fatalf("%d rows, the members have %d", len(got.rows), len(members[0].rows))
		}
		// The mean of the members' scores, summed in run order as (p₁ + p₂) + p₃ and divided by 3:
		// the file keeps every float exactly, so the mean must match to the bit.
		scores := got.column(t, "p_purchase", "")
		var memberScores [][]float64
		for _, mf := range members {
			memberScores = append(memberScores, mf.column(t, "p_purchase", ""))
		}
		for i, r := range got.rows {
			if !slices.Equal(r[:4], members[0].rows[i][:4]) || r[5] != members[0].rows[i][5] {
				t.Fatalf("row %d: %v; the members have %v", i, r, members[0].rows[i])
			}
			sum := 0.0
			for _, ms := range memberScores {
				sum += ms[i]
			}
			if want := sum / float64(len(runs)); scores[i] != want {
				t.Fatalf("row %d: ensemble score %v, mean of the members %v", i, scores[i], want)
			}
		}
		sum := readEnsembleSummary(t, out)
		y := got.column(t, "label_purchase", "test")
		auc, err := metrics.ROCAUC(got.column(t, "p_purchase", "test"), y)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Test.ROCAUC != auc || res.Test.ROCAUC != auc {
			t.Errorf("test ROC-AUC: summary.json %v, returned %v, recomputed from predictions.csv %v", sum.Test.ROCAUC, res.Test.ROCAUC, auc)
		}
		if sum.Mode != "average" || len(sum.Members) != 3 || sum.Members[0].Model != "logreg" || sum.Members[1].Model != "mlp" {
			t.Errorf("summary: mode %q, members %+v", sum.Mode, sum.Members)
		}
	})

	t.Run("stack", func(t *testing.T) {
		out := filepath.Join(dir, "stack")
		if _, err := Ensemble(runs, models.EnsembleConfig{Mode: "stack"}, out); err != nil {
			t.Fatal(err)
		}
		got := readPredictionsFile(t, out)
		sum := readEnsembleSummary(t, out)
		yVal, yTest := got.column(t, "label_purchase", "val"), got.column(t, "label_purchase", "test")
		pVal, pTest := got.column(t, "p_purchase", "val"), got.column(t, "p_purchase", "test")
		auc, err := metrics.ROCAUC(pTest, yTest)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Test.ROCAUC != auc {
			t.Errorf("test ROC-AUC: summary.json %v, recomputed from predictions.csv %v", sum.Test.ROCAUC, auc)
		}
		// The scores follow from the fitted weights, P = σ(b + Σ_m w_m logit(clip(p_m))), recomputed
		// here; 1e-12 allows for the rounding of exp and log, not for a different formula.
		e := sum.Ensemble
		if e == nil || e.Mode != "stack" || len(e.Weights) != len(runs) {
			t.Fatalf("summary.json ensemble %+v, want a stack of %d weights", e, len(runs))
		}
		memberScores := make([][]float64, len(runs))
		for m, mf := range members {
			memberScores[m] = mf.column(t, "p_purchase", "")
		}
		all := got.column(t, "p_purchase", "")
		for i := range all {
			z := e.Bias
			for m := range runs {
				p := math.Min(math.Max(memberScores[m][i], 1e-7), 1-1e-7)
				z += e.Weights[m] * math.Log(p/(1-p))
			}
			if want := 1 / (1 + math.Exp(-z)); math.Abs(all[i]-want) > 1e-12 {
				t.Fatalf("row %d: stacked score %v, σ(b + w·logits) = %v", i, all[i], want)
			}
		}
		// The threshold is F1-best on the validation rows; members are measured at it, and DeLong's
		// test compares the ensemble (A) with each member (B).
		th, _, err := metrics.BestF1Threshold(pVal, yVal)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Threshold != th || sum.Test.Threshold != th {
			t.Errorf("threshold %v (test report %v), F1-best on validation %v", sum.Threshold, sum.Test.Threshold, th)
		}
		if len(sum.Members) != len(runs) || len(sum.DeLong) != len(runs) {
			t.Fatalf("%d members and %d DeLong tests, want %d", len(sum.Members), len(sum.DeLong), len(runs))
		}
		for m, mf := range members {
			want, err := metrics.Evaluate(mf.column(t, "p_purchase", "test"), yTest, th)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Members[m].Test != want || sum.Members[m].Run != runs[m] {
				t.Errorf("member %d: %+v\nwant %+v", m, sum.Members[m], want)
			}
			if d := sum.DeLong[m]; d.AUCA != auc || d.AUCB != want.ROCAUC || !(d.P >= 0 && d.P <= 1) {
				t.Errorf("DeLong against member %d: %+v; AUCs %v and %v", m, d, auc, want.ROCAUC)
			}
		}
		oracle, err := metrics.Evaluate(got.column(t, "oracle_purchase", "test"), yTest, th)
		if err != nil {
			t.Fatal(err)
		}
		if sum.OracleTest == nil || *sum.OracleTest != oracle {
			t.Errorf("oracle %+v, want %+v", sum.OracleTest, oracle)
		}
	})
}

// TestEnsembleRefusesBadRuns: runs that scored different sessions, a missing or malformed
// predictions.csv, a single run and an output directory that is a run are errors that say which.
func TestEnsembleRefusesBadRuns(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if _, _, err := Start(context.Background(), tinyExperiment("logreg", "", 1), good, false); err != nil {
		t.Fatal(err)
	}
	orig := readPredictionsFile(t, good)
	// variant writes a copy of good's predictions.csv, changed by edit, as the run dir/name.
	variant := func(name string, edit func(p *predictionsFile)) string {
		p := predictionsFile{header: orig.header}
		for _, r := range orig.rows {
			p.rows = append(p.rows, slices.Clone(r))
		}
		edit(&p)
		out := filepath.Join(dir, name)
		writePredictionsFile(t, out, p)
		return out
	}
	// A faithful copy ensembles with the original: the check is on the rows, not on the directory.
	same := variant("same", func(*predictionsFile) {})
	if _, err := Ensemble([]string{good, same}, models.EnsembleConfig{}, ""); err != nil {
		t.Fatalf("an exact copy: %v", err)
	}
	label := slices.Index(orig.header, "label_purchase")
	for _, tc := range []struct {
		name string
		run  string
		want []string
	}{
		{"reordered", variant("reordered", func(p *predictionsFile) { p.rows[3], p.rows[4] = p.rows[4], p.rows[3] }),
			[]string{"runs " + good + " and " + filepath.Join(dir, "reordered") + " scored different sessions", "predictions.csv:5"}},
		{"relabelled", variant("relabelled", func(p *predictionsFile) {
			r := p.rows[len(p.rows)-1]
			r[label] = map[string]string{"0": "1", "1": "0"}[r[label]]
		}), []string{"runs " + good + " and " + filepath.Join(dir, "relabelled") + " scored different sessions", "predictions.csv:" + strconv.Itoa(len(orig.rows)+1)}},
		{"shorter", variant("shorter", func(p *predictionsFile) { p.rows = p.rows[:len(p.rows)-1] }),
			[]string{"scored different sessions", "has " + strconv.Itoa(len(orig.rows)-1) + " rows"}},
		{"non-numeric score", variant("nonnumeric", func(p *predictionsFile) { p.rows[1][4] = "high" }),
			[]string{filepath.Join(dir, "nonnumeric", "predictions.csv") + ":3: column 5 (p_purchase): want a probability in [0, 1], got \"high\""}},
		{"no label column", variant("nolabel", func(p *predictionsFile) { p.header[label] = "label_cart" }),
			[]string{filepath.Join(dir, "nolabel", "predictions.csv") + `:1: no column "label_purchase"`}},
		{"no predictions.csv", filepath.Join(dir, "empty"), []string{filepath.Join(dir, "empty", "predictions.csv"), "no such file"}},
	} {
		_, err := Ensemble([]string{good, tc.run}, models.EnsembleConfig{Mode: "stack"}, filepath.Join(dir, "out"))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Errorf("a refused ensemble wrote its output directory")
	}
	if _, err := Ensemble([]string{good}, models.EnsembleConfig{}, ""); err == nil || !strings.Contains(err.Error(), "want at least two") {
		t.Errorf("one run: %v", err)
	}
	if _, err := Ensemble([]string{good, same}, models.EnsembleConfig{Mode: "vote"}, ""); err == nil || !strings.Contains(err.Error(), `mode "vote"`) {
		t.Errorf("unknown mode: %v", err)
	}
	if _, err := Ensemble([]string{good, same}, models.EnsembleConfig{}, same+"/"); err == nil || !strings.Contains(err.Error(), "is the run") {
		t.Errorf("output into a member: %v", err)
	}
}
