package search

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"syscall"
	"time"
)

// StudyInfo is what identifies a study. It is stored once, when the study file is created, and
// a study can only be resumed with an equal info.
type StudyInfo struct {
	Name       string
	Model      string
	Metric     string          // the score maximised, e.g. "val_roc_auc"
	Space      json.RawMessage // the search space, as JSON
	Sampler    string
	Pruner     string
	Seed       uint64
	Experiment json.RawMessage // the base experiment, as JSON
}

// Study is a hyperparameter search kept in a SQLite file (schema in study_schema.go), written
// as things happen: every write is its own transaction, committed with synchronous=FULL in WAL
// mode, so the write-ahead log is fsynced before the call returns. A finished trial is then
// never lost, neither by kill -9 (NORMAL would do for that alone) nor by a power cut or kernel
// crash (which NORMAL would not survive); the cost, one fsync per epoch and per trial, is
// nothing beside an epoch of training.
//
// One process at a time runs a study: OpenStudy takes an exclusive flock(2) on the side file
// path+".lock" (kept on disk; the lock, not the file, is what counts), released by Close or by
// the kernel when the process dies. OpenStudyReadOnly takes no lock and reads while another
// process runs the study.
//
// A Study is safe for concurrent use by several goroutines.
type Study struct {
	db   *sql.DB
	info StudyInfo
	lock *os.File // nil when read-only
	// resumable: trials numbered below it existed when the study was opened, so a running
	// one among them was left by a process that died.
	resumable int
}

// OpenStudy opens the study at path for running it, creating it with info when the file does
// not exist. An existing study must have been created with an equal info (JSON fields compare
// by value): otherwise the error names the first differing field with both values. A file that
// is not a study of this version is an error naming path, and so is a study that another live
// process has open.
func OpenStudy(path string, info StudyInfo) (*Study, error) {
	info, err := info.normalized()
	if err != nil {
		return nil, fmt.Errorf("%w (study %s)", err, path)
	}
	lock, err := lockStudy(path)
	if err != nil {
		return nil, err
	}
	s, err := openStudy(path, info, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

func openStudy(path string, info StudyInfo, lock *os.File) (*Study, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := createStudyFile(path, info); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("search: study %s: %w", path, err)
	}
	db, err := openDB(path, "rw")
	if err != nil {
		return nil, err
	}
	s := &Study{db: db, lock: lock}
	if err := s.load(path); err != nil {
		db.Close()
		return nil, err
	}
	if d := s.info.diff(info); d != "" {
		db.Close()
		return nil, fmt.Errorf("search: study %s was created with %s; use another --study file for a new study", path, d)
	}
	// Only now that the file is known to be a study may it be changed. WAL mode is persistent.
	if _, err := db.Exec(`PRAGMA journal_mode = WAL`); err != nil {
		db.Close()
		return nil, fmt.Errorf("search: study %s: setting WAL mode: %w", path, err)
	}
	return s, nil
}

// OpenStudyReadOnly opens the existing study at path for reading, also while another process
// runs it, and returns its info. Writing to it fails.
func OpenStudyReadOnly(path string) (*Study, StudyInfo, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, StudyInfo{}, fmt.Errorf("search: study %s: %w", path, err)
	}
	db, err := openDB(path, "ro")
	if err != nil {
		return nil, StudyInfo{}, err
	}
	s := &Study{db: db}
	if err := s.load(path); err != nil {
		db.Close()
		return nil, StudyInfo{}, err
	}
	return s, s.info, nil
}

// load checks that the file is a study, reads its info and notes which trials are old.
func (s *Study) load(path string) error {
	info, err := readStudyInfo(s.db, path)
	if err != nil {
		return err
	}
	s.info = info
	if err := s.db.QueryRow(`SELECT COALESCE(MAX(number) + 1, 0) FROM trials`).Scan(&s.resumable); err != nil {
		return fmt.Errorf("search: study %s: %w", path, err)
	}
	return nil
}

// lockStudy takes the exclusive lock of the study at path, or says who holds it.
func lockStudy(path string) (*os.File, error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("search: locking study %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("search: study %s is being run by another process (it holds %s); wait for it to end, or use another --study file", path, name)
		}
		return nil, fmt.Errorf("search: locking study %s: %w", path, err)
	}
	return f, nil
}

// Close closes the study file and releases the lock. It must be called once.
func (s *Study) Close() error {
	err := s.db.Close()
	if s.lock != nil {
		err = errors.Join(err, s.lock.Close())
	}
	return err
}

// Info returns what identifies the study, its JSON fields compacted.
func (s *Study) Info() StudyInfo { return s.info }

// Begin records a new running trial with the next number (one more than the highest so far,
// 0 for the first) and returns it as Trials would: its params round-trip through JSON, so
// numbers come back as float64. Concurrent calls get distinct numbers.
func (s *Study) Begin(params Values, seed uint64) (Trial, error) {
	text, err := json.Marshal(params)
	if err != nil {
		return Trial{}, fmt.Errorf("search: trial params %v: %w", params, err)
	}
	t := Trial{Seed: seed, State: Running, Score: math.NaN(), Started: time.Now().UTC()}
	if err := json.Unmarshal(text, &t.Params); err != nil {
		return Trial{}, fmt.Errorf("search: trial params %s: %w", text, err)
	}
	res, err := s.db.Exec(`INSERT INTO trials (number, params, seed, state, started)
		VALUES ((SELECT COALESCE(MAX(number) + 1, 0) FROM trials), ?, ?, 'running', ?)`,
		string(text), strconv.FormatUint(seed, 10), t.Started.Format(time.RFC3339Nano))
	if err != nil {
		return Trial{}, fmt.Errorf("search: beginning a trial: %w", err)
	}
	number, err := res.LastInsertId() // number is the INTEGER PRIMARY KEY, so the rowid
	if err != nil {
		return Trial{}, fmt.Errorf("search: beginning a trial: %w", err)
	}
	t.Number = int(number)
	return t, nil
}

// Report stores running trial n's score after epoch (1-based). Epochs are reported in order:
// epoch is at most one more than the epochs reported so far, and reporting one again replaces
// its score (a resumed trial re-reports). NaN is stored as NULL and reads back as NaN.
func (s *Study) Report(n, epoch int, score float64) error {
	if epoch < 1 {
		return fmt.Errorf("search: trial %d: epoch %d, want 1 or more", n, epoch)
	}
	res, err := s.db.Exec(`INSERT INTO intermediate (trial, epoch, score)
		SELECT number, ?2, ?3 FROM trials
		WHERE number = ?1 AND state = 'running'
			AND ?2 <= (SELECT COUNT(*) FROM intermediate WHERE trial = ?1) + 1
		ON CONFLICT (trial, epoch) DO UPDATE SET score = excluded.score`,
		n, epoch, nullScore(score))
	if err != nil {
		return fmt.Errorf("search: trial %d: reporting epoch %d: %w", n, epoch, err)
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return s.whyNot(n, fmt.Sprintf("reporting epoch %d", epoch), err)
	}
	return nil
}

// Truncate forgets running trial n's scores after epoch, for a run restarted from the
// checkpoint of that epoch (0 forgets them all).
func (s *Study) Truncate(n, epoch int) error {
	if epoch < 0 {
		return fmt.Errorf("search: trial %d: truncating after epoch %d, want 0 or more", n, epoch)
	}
	state, err := s.state(n)
	if err != nil {
		return err
	}
	if state != Running {
		return fmt.Errorf("search: trial %d is %s, not running: its scores are final", n, state)
	}
	if _, err := s.db.Exec(`DELETE FROM intermediate WHERE trial = ? AND epoch > ?`, n, epoch); err != nil {
		return fmt.Errorf("search: trial %d: truncating after epoch %d: %w", n, epoch, err)
	}
	return nil
}

// Finish ends running trial n in state st (Complete, Pruned or Failed) with its score and error
// text. A Failed trial's score is stored as NaN whatever score says.
func (s *Study) Finish(n int, st State, score float64, errText string) error {
	switch st {
	case Complete, Pruned:
	case Failed:
		score = math.NaN()
	default:
		return fmt.Errorf("search: finishing trial %d as %q, want complete, pruned or failed", n, st)
	}
	res, err := s.db.Exec(`UPDATE trials SET state = ?, score = ?, error = ?, finished = ?
		WHERE number = ? AND state = 'running'`,
		string(st), nullScore(score), errText, time.Now().UTC().Format(time.RFC3339Nano), n)
	if err != nil {
		return fmt.Errorf("search: finishing trial %d: %w", n, err)
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return s.whyNot(n, "finishing it", err)
	}
	return nil
}

// whyNot explains why a write to trial n changed nothing.
func (s *Study) whyNot(n int, doing string, err error) error {
	if err != nil {
		return fmt.Errorf("search: trial %d: %s: %w", n, doing, err)
	}
	state, err := s.state(n)
	if err != nil {
		return fmt.Errorf("%w (%s)", err, doing)
	}
	if state != Running {
		return fmt.Errorf("search: trial %d: %s: it is %s, not running", n, doing, state)
	}
	var epochs int
	s.db.QueryRow(`SELECT COUNT(*) FROM intermediate WHERE trial = ?`, n).Scan(&epochs)
	return fmt.Errorf("search: trial %d: %s: %d epochs reported, so the next is %d", n, doing, epochs, epochs+1)
}

// state returns trial n's state, or an error when there is no trial n.
func (s *Study) state(n int) (State, error) {
	var st string
	err := s.db.QueryRow(`SELECT state FROM trials WHERE number = ?`, n).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("search: no trial %d in the study", n)
	}
	if err != nil {
		return "", fmt.Errorf("search: trial %d: %w", n, err)
	}
	return State(st), nil
}

// nullScore stores NaN as NULL.
func nullScore(v float64) sql.NullFloat64 {
	return sql.NullFloat64{Float64: v, Valid: !math.IsNaN(v)}
}

// Trials returns every trial, by number, with its intermediate scores, read in one snapshot.
func (s *Study) Trials() ([]Trial, error) {
	return s.trials(`SELECT number, params, seed, state, score, error, started, finished
		FROM trials ORDER BY number`)
}

// Interrupted returns the trials that were running when the study was opened and still are:
// those left by a process that died, for the runner to re-run under the same number, params
// and seed (trials begun since the study was opened are not among them). On a study opened
// read-only, a running trial may instead belong to a process that is still running it.
func (s *Study) Interrupted() ([]Trial, error) {
	return s.trials(`SELECT number, params, seed, state, score, error, started, finished
		FROM trials WHERE state = 'running' AND number < ? ORDER BY number`, s.resumable)
}

// trials runs query (which selects trials rows) and the intermediate scores in one read
// transaction, so that a concurrent writer is seen either wholly or not at all.
func (s *Study) trials(query string, args ...any) ([]Trial, error) {
	tx, err := s.db.Begin()
	if err != nil {
		return nil, fmt.Errorf("search: reading trials: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: reading trials: %w", err)
	}
	var trials []Trial
	index := map[int]int{} // number → position in trials
	for rows.Next() {
		t, err := scanTrial(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[t.Number] = len(trials)
		trials = append(trials, t)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("search: reading trials: %w", err)
	}
	rows, err = tx.Query(`SELECT trial, epoch, score FROM intermediate ORDER BY trial, epoch`)
	if err != nil {
		return nil, fmt.Errorf("search: reading intermediate scores: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, epoch int
		var score sql.NullFloat64
		if err := rows.Scan(&n, &epoch, &score); err != nil {
			return nil, fmt.Errorf("search: reading intermediate scores: %w", err)
		}
		i, ok := index[n]
		if !ok {
			continue
		}
		t := &trials[i]
		for len(t.Intermediate) < epoch { // epochs are contiguous (Report); NaN fills a gap
			t.Intermediate = append(t.Intermediate, math.NaN())
		}
		t.Intermediate[epoch-1] = scoreOf(score)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: reading intermediate scores: %w", err)
	}
	return trials, nil
}

// scanTrial reads one trials row.
func scanTrial(rows *sql.Rows) (Trial, error) {
	var t Trial
	var params, seed, state, started string
	var score sql.NullFloat64
	var finished sql.NullString
	if err := rows.Scan(&t.Number, &params, &seed, &state, &score, &t.Err, &started, &finished); err != nil {
		return t, fmt.Errorf("search: reading trials: %w", err)
	}
	bad := func(what string, err error) error {
		return fmt.Errorf("search: trial %d: stored %s: %w", t.Number, what, err)
	}
	var err error
	if err = json.Unmarshal([]byte(params), &t.Params); err != nil {
		return t, bad("params", err)
	}
	if t.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return t, bad("seed", err)
	}
	t.State = State(state)
	t.Score = scoreOf(score)
	if t.Started, err = time.Parse(time.RFC3339Nano, started); err != nil {
		return t, bad("start time", err)
	}
	if finished.Valid {
		if t.Finished, err = time.Parse(time.RFC3339Nano, finished.String); err != nil {
			return t, bad("finish time", err)
		}
	}
	return t, nil
}

// scoreOf reads a NULL score as NaN.
func scoreOf(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}
