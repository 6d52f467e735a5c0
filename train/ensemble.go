package train

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train/metrics"
)

// EnsembleResult is what an ensemble of runs reports; it is the summary.json of its directory.
type EnsembleResult struct {
	Runs      []string         `json:"runs"`
	Mode      string           `json:"mode"`
	Ensemble  *models.Ensemble `json:"ensemble"`  // the combiner, with its fitted weights
	Threshold float64          `json:"threshold"` // F1-best on validation (metrics.BestF1Threshold)
	Val       metrics.Report   `json:"val"`
	Test      metrics.Report   `json:"test"`
	Members   []MemberResult   `json:"members"` // each run on its own, at Threshold, for comparison
	// DeLong[m] tests the ensemble (A) against member m (B) on the test purchase scores.
	DeLong     []metrics.DeLongResult `json:"delong"`
	OracleTest *metrics.Report        `json:"oracle_test,omitempty"` // the oracle at Threshold (synthetic data)
}

// MemberResult is one member run's test metrics at the ensemble's threshold.
type MemberResult struct {
	Run   string         `json:"run"`
	Model string         `json:"model,omitempty"` // from the run's config.json; "" without one
	Test  metrics.Report `json:"test"`
}

// Ensemble combines finished runs into one predictor of purchase. It reads each run's predictions.csv
// (the label_purchase and p_purchase columns, and oracle_purchase when present), checks that every run
// scored the same sessions (the same split, index, id and label, row by row), fits a models.Ensemble
// with cfg on the validation rows, scores validation and test, chooses the F1-best threshold on
// validation and measures both splits, each member's test scores at that threshold, and DeLong's test
// of the ensemble against each member. Because the combiner is fitted on validation, its validation
// metrics are optimistic (for "stack"); the test metrics are not.
//
// When out is not empty it writes out/predictions.csv (split,index,id,label_purchase,p_purchase and
// oracle_purchase when the runs have it, validation rows then test rows, in the members' order) and
// out/summary.json (the EnsembleResult), each atomically. out must not be one of the runs. It needs at
// least two runs, and validation rows of both classes.
func Ensemble(runs []string, cfg models.EnsembleConfig, out string) (*EnsembleResult, error) {
	if len(runs) < 2 {
		return nil, fmt.Errorf("ensemble: %d runs, want at least two", len(runs))
	}
	ens, err := models.NewEnsemble(len(runs), cfg)
	if err != nil {
		return nil, err
	}
	if out != "" {
		for _, r := range runs {
			if sameDir(out, r) {
				return nil, fmt.Errorf("ensemble: the output directory %s is the run %s: its predictions.csv would be replaced", out, r)
			}
		}
	}
	preds := make([]*runPredictions, len(runs))
	for m, r := range runs {
		if preds[m], err = readRunPredictions(r); err != nil {
			return nil, fmt.Errorf("ensemble: %w", err)
		}
		if m > 0 {
			if err := sameSessions(preds[0], preds[m]); err != nil {
				return nil, fmt.Errorf("ensemble: %w", err)
			}
		}
	}
	base := preds[0]
	val, test := base.split("val"), base.split("test")
	if len(val) == 0 || len(test) == 0 {
		return nil, fmt.Errorf("ensemble: %s has %d validation and %d test rows, want both splits", base.path, len(val), len(test))
	}
	yVal, yTest := base.labels(val), base.labels(test)
	valProbs, testProbs := make([][]float64, len(runs)), make([][]float64, len(runs))
	for m, p := range preds {
		valProbs[m], testProbs[m] = p.scores(val), p.scores(test)
	}
	if err := ens.Fit(valProbs, yVal); err != nil {
		return nil, fmt.Errorf("fit on validation: %w", err)
	}
	pVal, err := ens.Predict(valProbs)
	if err != nil {
		return nil, err
	}
	pTest, err := ens.Predict(testProbs)
	if err != nil {
		return nil, err
	}
	res := &EnsembleResult{Runs: slices.Clone(runs), Mode: ens.Mode, Ensemble: ens}
	if res.Threshold, _, err = metrics.BestF1Threshold(pVal, yVal); err != nil {
		return nil, fmt.Errorf("ensemble: validation threshold: %w", err)
	}
	if res.Val, err = metrics.Evaluate(pVal, yVal, res.Threshold); err != nil {
		return nil, fmt.Errorf("ensemble: validation: %w", err)
	}
	if res.Test, err = metrics.Evaluate(pTest, yTest, res.Threshold); err != nil {
		return nil, fmt.Errorf("ensemble: test: %w", err)
	}
	for m, p := range preds {
		mr := MemberResult{Run: runs[m], Model: p.model}
		if mr.Test, err = metrics.Evaluate(testProbs[m], yTest, res.Threshold); err != nil {
			return nil, fmt.Errorf("ensemble: run %s: test: %w", runs[m], err)
		}
		d, err := metrics.DeLong(pTest, testProbs[m], yTest)
		if err != nil {
			return nil, fmt.Errorf("ensemble: DeLong test against %s: %w", runs[m], err)
		}
		res.Members, res.DeLong = append(res.Members, mr), append(res.DeLong, d)
	}
	if o := oracleOf(preds, test); o != nil {
		rep, err := metrics.Evaluate(o, yTest, res.Threshold)
		if err != nil {
			return nil, fmt.Errorf("ensemble: oracle on test: %w", err)
		}
		res.OracleTest = &rep
	}
	if out == "" {
		return res, nil
	}
	scores := make([]float64, len(base.rows))
	for k, i := range val {
		scores[i] = pVal[k]
	}
	for k, i := range test {
		scores[i] = pTest[k]
	}
	if err := writeEnsemblePredictions(filepath.Join(out, "predictions.csv"), preds, scores); err != nil {
		return nil, fmt.Errorf("ensemble: %w", err)
	}
	if err := writeJSON(filepath.Join(out, "summary.json"), res); err != nil {
		return nil, fmt.Errorf("ensemble: %w", err)
	}
	return res, nil
}

// predictionRow is one row of a run's predictions.csv, purchase task only.
type predictionRow struct {
	line             int // in the file, 1-based; the header is line 1
	split, index, id string
	label, score     float64
	oracle           float64
	hasOracle        bool // the oracle cell is not empty
}

// runPredictions is a run's predictions.csv read back.
type runPredictions struct {
	run, path string
	model     string // from config.json, when the run has one
	oracle    bool   // the file has an oracle_purchase column
	rows      []predictionRow
}

// readRunPredictions reads dir/predictions.csv and the model name from dir/config.json (optional).
func readRunPredictions(dir string) (*runPredictions, error) {
	rp := &runPredictions{run: dir, path: filepath.Join(dir, "predictions.csv")}
	f, err := os.Open(rp.path)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", dir, err)
	}
	defer f.Close()
	if err := rp.read(f); err != nil {
		return nil, err
	}
	exp, err := readExperiment(dir)
	switch {
	case err == nil:
		rp.model = exp.Model.Name
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("run %s: %w", dir, err)
	}
	return rp, nil
}

// read parses predictions.csv from r. Errors name the file, line and column.
func (rp *runPredictions) read(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: empty file, want a header split,index,id,label_purchase,p_purchase", rp.path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rp.path, err)
	}
	header = slices.Clone(header) // the reader reuses the record
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	need := []string{"split", "index", "id", "label_purchase", "p_purchase"}
	for _, name := range need {
		if _, ok := col[name]; !ok {
			return fmt.Errorf("%s:1: no column %q in the header", rp.path, name)
		}
	}
	oracleCol, hasOracle := col["oracle_purchase"]
	rp.oracle = hasOracle
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", rp.path, err)
		}
		line, _ := cr.FieldPos(0)
		row := predictionRow{line: line, split: rec[col["split"]], index: rec[col["index"]], id: rec[col["id"]]}
		bad := func(c int, want string) error {
			return fmt.Errorf("%s:%d: column %d (%s): want %s, got %q", rp.path, line, c+1, header[c], want, rec[c])
		}
		if row.split != "val" && row.split != "test" {
			return bad(col["split"], "val or test")
		}
		if _, err := strconv.Atoi(row.index); err != nil {
			return bad(col["index"], "an integer")
		}
		c := col["label_purchase"]
		if row.label, err = strconv.ParseFloat(rec[c], 64); err != nil || (row.label != 0 && row.label != 1) {
			return bad(c, "a label 0 or 1")
		}
		c = col["p_purchase"]
		if row.score, err = strconv.ParseFloat(rec[c], 64); err != nil || !(row.score >= 0 && row.score <= 1) {
			return bad(c, "a probability in [0, 1]")
		}
		if hasOracle && rec[oracleCol] != "" {
			row.hasOracle = true
			if row.oracle, err = strconv.ParseFloat(rec[oracleCol], 64); err != nil || !(row.oracle >= 0 && row.oracle <= 1) {
				return bad(oracleCol, "a probability in [0, 1] or nothing")
			}
		}
		rp.rows = append(rp.rows, row)
	}
}

// split returns the positions of the rows of split s, in file order.
func (rp *runPredictions) split(s string) []int {
	var idx []int
	for i, r := range rp.rows {
		if r.split == s {
			idx = append(idx, i)
		}
	}
	return idx
}

func (rp *runPredictions) labels(idx []int) []float64 {
	y := make([]float64, len(idx))
	for k, i := range idx {
		y[k] = rp.rows[i].label
	}
	return y
}

func (rp *runPredictions) scores(idx []int) []float64 {
	p := make([]float64, len(idx))
	for k, i := range idx {
		p[k] = rp.rows[i].score
	}
	return p
}

// sameSessions checks that b scored the same sessions as a, in the same order, with the same labels.
func sameSessions(a, b *runPredictions) error {
	for i := range min(len(a.rows), len(b.rows)) {
		ra, rb := a.rows[i], b.rows[i]
		if ra.split != rb.split || ra.index != rb.index || ra.id != rb.id || ra.label != rb.label {
			return fmt.Errorf("runs %s and %s scored different sessions: %s:%d is %s, %s:%d is %s",
				a.run, b.run, a.path, ra.line, ra.describe(), b.path, rb.line, rb.describe())
		}
	}
	if len(a.rows) != len(b.rows) {
		return fmt.Errorf("runs %s and %s scored different sessions: %s has %d rows, %s has %d rows",
			a.run, b.run, a.path, len(a.rows), b.path, len(b.rows))
	}
	return nil
}

func (r predictionRow) describe() string {
	return fmt.Sprintf("split %s, index %s, id %q, label %s", r.split, r.index, r.id, fmtFloat(r.label))
}

// oracleOf returns the oracle's test probabilities from the first run whose every test row has one,
// or nil when none has.
func oracleOf(preds []*runPredictions, test []int) []float64 {
	for _, p := range preds {
		if !p.oracle {
			continue
		}
		o := make([]float64, len(test))
		complete := true
		for k, i := range test {
			complete = complete && p.rows[i].hasOracle
			o[k] = p.rows[i].oracle
		}
		if complete {
			return o
		}
	}
	return nil
}

// writeEnsemblePredictions writes the ensemble's predictions.csv in the layout of a run's: the rows of
// the members (validation then test, as they read them) with the ensemble's score per row, and the
// oracle column when a member has one.
func writeEnsemblePredictions(path string, preds []*runPredictions, scores []float64) error {
	oracle := -1
	for m, p := range preds {
		if p.oracle {
			oracle = m
			break
		}
	}
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		fmt.Fprint(w, "split,index,id,label_purchase,p_purchase")
		if oracle >= 0 {
			fmt.Fprint(w, ",oracle_purchase")
		}
		fmt.Fprintln(w)
		for _, split := range []string{"val", "test"} {
			for _, i := range preds[0].split(split) {
				r := preds[0].rows[i]
				fmt.Fprintf(w, "%s,%s,%s,%s,%s", r.split, r.index, csvField(r.id), fmtFloat(r.label), fmtFloat(scores[i]))
				if oracle >= 0 {
					o := ""
					if or := preds[oracle].rows[i]; or.hasOracle {
						o = fmtFloat(or.oracle)
					}
					fmt.Fprintf(w, ",%s", o)
				}
				fmt.Fprintln(w)
			}
		}
		return nil
	})
}

// sameDir reports whether a and b name the same directory (after cleaning, as absolute paths).
func sameDir(a, b string) bool {
	aa, errA := filepath.Abs(a)
	bb, errB := filepath.Abs(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return aa == bb
}
