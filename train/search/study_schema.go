package search

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// schemaVersion is the layout of the study file that this code reads and writes. A file of
// another version is refused rather than migrated.
const schemaVersion = 1

// schemaSQL creates a study file. Seeds are decimal TEXT because SQLite's INTEGER is signed
// 64-bit; times are RFC 3339 TEXT in UTC with nanoseconds; a NULL score is a NaN one.
const schemaSQL = `
CREATE TABLE study (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	schema_version INTEGER NOT NULL,
	name           TEXT NOT NULL,
	model          TEXT NOT NULL,
	metric         TEXT NOT NULL,
	space          TEXT NOT NULL,
	sampler        TEXT NOT NULL,
	pruner         TEXT NOT NULL,
	seed           TEXT NOT NULL,
	experiment     TEXT NOT NULL
);
CREATE TABLE trials (
	number   INTEGER PRIMARY KEY CHECK (number >= 0),
	params   TEXT NOT NULL,
	seed     TEXT NOT NULL,
	state    TEXT NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
	score    REAL,
	error    TEXT NOT NULL DEFAULT '',
	started  TEXT NOT NULL,
	finished TEXT
);
CREATE TABLE intermediate (
	trial INTEGER NOT NULL REFERENCES trials (number),
	epoch INTEGER NOT NULL CHECK (epoch >= 1),
	score REAL,
	PRIMARY KEY (trial, epoch)
) WITHOUT ROWID;
`

// openDB opens the SQLite file at path in SQLite's URI mode ("ro", "rw" or "rwc") with one
// connection, a busy timeout, and synchronous=FULL: every commit fsyncs the write-ahead log,
// so a write is on disk when the call that made it returns (see Study).
func openDB(path, mode string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("search: study %s: %w", path, err)
	}
	u := url.URL{Scheme: "file", Path: abs}
	dsn := u.String() + "?mode=" + mode +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("search: study %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// createStudyFile writes a new study file at path holding info. The file is built under a
// temporary name and renamed into place, so that a process killed while creating it leaves
// either no study or a whole one, never a half-made file that later reads as "not a study".
func createStudyFile(path string, info StudyInfo) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("search: creating study %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("search: creating study %s: %w", path, err)
	}
	db, err := openDB(tmpName, "rw")
	if err != nil {
		return err
	}
	err = writeSchema(db, info)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search: creating study %s: %w", path, err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("search: creating study %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("search: creating study %s: %w", path, err)
	}
	if err := syncFile(filepath.Dir(path)); err != nil {
		return fmt.Errorf("search: creating study %s: %w", path, err)
	}
	return nil
}

// writeSchema creates the tables and stores info, in one transaction.
func writeSchema(db *sql.DB, info StudyInfo) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(schemaSQL); err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO study (id, schema_version, name, model, metric, space, sampler,
		pruner, seed, experiment) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		schemaVersion, info.Name, info.Model, info.Metric, string(info.Space), info.Sampler,
		info.Pruner, strconv.FormatUint(info.Seed, 10), string(info.Experiment))
	if err != nil {
		return err
	}
	return tx.Commit()
}

// syncFile fsyncs the file or directory at name.
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readStudyInfo checks that db is an intentlab study of this schema version and returns its
// info. Any other file (not SQLite, SQLite without the study tables, another version) gives one
// error naming path.
func readStudyInfo(db *sql.DB, path string) (StudyInfo, error) {
	notStudy := func(why string) error {
		return fmt.Errorf("search: %s is not an intentlab study file (%s); give another --study path", path, why)
	}
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		return StudyInfo{}, notStudy(err.Error())
	}
	tables := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return StudyInfo{}, notStudy(err.Error())
		}
		tables[name] = true
	}
	if err := rows.Close(); err != nil {
		return StudyInfo{}, notStudy(err.Error())
	}
	for _, want := range []string{"study", "trials", "intermediate"} {
		if !tables[want] {
			return StudyInfo{}, notStudy(fmt.Sprintf("no %q table", want))
		}
	}
	var version int
	if err := db.QueryRow(`SELECT schema_version FROM study WHERE id = 1`).Scan(&version); err != nil {
		return StudyInfo{}, notStudy("no schema version: " + err.Error())
	}
	if version != schemaVersion {
		return StudyInfo{}, notStudy(fmt.Sprintf("schema version %d; this intentlab reads version %d", version, schemaVersion))
	}
	var info StudyInfo
	var space, seed, experiment string
	err = db.QueryRow(`SELECT name, model, metric, space, sampler, pruner, seed, experiment
		FROM study WHERE id = 1`).Scan(&info.Name, &info.Model, &info.Metric, &space,
		&info.Sampler, &info.Pruner, &seed, &experiment)
	if err != nil {
		return StudyInfo{}, notStudy(err.Error())
	}
	if info.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return StudyInfo{}, notStudy("seed: " + err.Error())
	}
	if space != "" {
		info.Space = json.RawMessage(space)
	}
	if experiment != "" {
		info.Experiment = json.RawMessage(experiment)
	}
	return info, nil
}

// normalized checks that info's JSON fields are valid and returns info with them compacted
// (nil when empty), as they are stored.
func (info StudyInfo) normalized() (StudyInfo, error) {
	var err error
	if info.Space, err = compactJSON(info.Space); err != nil {
		return info, fmt.Errorf("search: study space is not valid JSON: %w", err)
	}
	if info.Experiment, err = compactJSON(info.Experiment); err != nil {
		return info, fmt.Errorf("search: study experiment is not valid JSON: %w", err)
	}
	return info, nil
}

func compactJSON(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// diff describes the first field in which stored (the study file's) and now differ, or returns
// "" when they are equal. JSON fields are compared by value, so spacing and key order do not
// matter, and a difference is named by its path inside the JSON.
func (stored StudyInfo) diff(now StudyInfo) string {
	text := []struct{ field, a, b string }{
		{"name", stored.Name, now.Name},
		{"model", stored.Model, now.Model},
		{"metric", stored.Metric, now.Metric},
		{"sampler", stored.Sampler, now.Sampler},
		{"pruner", stored.Pruner, now.Pruner},
		{"seed", strconv.FormatUint(stored.Seed, 10), strconv.FormatUint(now.Seed, 10)},
	}
	for _, f := range text {
		if f.a != f.b {
			return fmt.Sprintf("%s %q, not %q", f.field, f.a, f.b)
		}
	}
	for _, f := range []struct {
		field string
		a, b  json.RawMessage
	}{{"space", stored.Space, now.Space}, {"experiment", stored.Experiment, now.Experiment}} {
		if d := jsonDiff(decodeJSON(f.a), decodeJSON(f.b), ""); d != "" {
			return f.field + " " + d
		}
	}
	return ""
}

func decodeJSON(raw json.RawMessage) any {
	var v any
	if len(raw) > 0 {
		json.Unmarshal(raw, &v) // validated by normalized before it was stored or compared
	}
	return v
}

// jsonDiff names the first place where decoded JSON values a and b differ, or returns "".
func jsonDiff(a, b any, at string) string {
	if am, ok := a.(map[string]any); ok {
		if bm, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(am)+len(bm))
			for k := range am {
				keys = append(keys, k)
			}
			for k := range bm {
				if _, ok := am[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				if d := jsonDiff(am[k], bm[k], at+"."+k); d != "" {
					return d
				}
			}
			return ""
		}
	}
	if as, ok := a.([]any); ok {
		if bs, ok := b.([]any); ok && len(as) == len(bs) {
			for i := range as {
				if d := jsonDiff(as[i], bs[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
					return d
				}
			}
			return ""
		}
	}
	if reflect.DeepEqual(a, b) {
		return ""
	}
	where := ""
	if at != "" {
		where = "at " + strings.TrimPrefix(at, ".") + " "
	}
	return fmt.Sprintf("%s%s, not %s", where, shortJSON(a), shortJSON(b))
}

// shortJSON writes v as JSON, cut to 80 bytes; a missing value is "(none)".
func shortJSON(v any) string {
	if v == nil {
		return "(none)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
