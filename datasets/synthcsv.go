package datasets

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
)

// Column headers of the files WriteSyntheticCSV writes.
const (
	SyntheticSessionsHeader = "id,start,visitor_type,device,traffic_source,month,past_visits,events,continued,purchase,cart,oracle_purchase,oracle_cart"
	SyntheticEventsHeader   = "session_id,position,time,type,item,category,dwell,price"
)

// synthChunk is the number of sessions a worker generates and formats at a time.
const synthChunk = 512

// WriteSyntheticCSV writes cfg.Sessions synthetic sessions to two files in dir (created if
// missing): sessions.csv (one row per session: id, start, static features by name, the number
// of seen events, the continued flag, the labels and the oracle probabilities) and events.csv
// (one row per seen event: session id, position from 0, unix time, type name, item and category
// ids, dwell seconds, price). Floats are written in the shortest form that reads back exactly,
// so the oracle can be recomputed from the files. Memory does not grow with cfg.Sessions:
// workers generate chunks in parallel and a single writer appends them in session order, so
// the same configuration gives byte-identical files whatever the number of CPUs. Each file is
// written under a temporary name and renamed when complete.
func WriteSyntheticCSV(dir string, cfg SyntheticConfig) error {
	g, err := NewSyntheticStream(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("synthetic csv: %w", err)
	}
	sf, err := newSynthFile(filepath.Join(dir, "sessions.csv"))
	if err != nil {
		return err
	}
	defer sf.abort()
	ef, err := newSynthFile(filepath.Join(dir, "events.csv"))
	if err != nil {
		return err
	}
	defer ef.abort()
	sf.w.WriteString(SyntheticSessionsHeader + "\n")
	ef.w.WriteString(SyntheticEventsHeader + "\n")

	if err := g.writeChunks(sf.w, ef.w); err != nil {
		return err
	}
	return errors.Join(sf.commit(), ef.commit())
}

type synthCSVChunk struct {
	index          int
	sessions, evts []byte
}

// writeChunks generates every session with one worker per CPU and writes them in order.
func (g *SyntheticStream) writeChunks(sw, ew *bufio.Writer) error {
	n := g.cfg.Sessions
	chunks := (n + synthChunk - 1) / synthChunk
	workers := max(1, min(runtime.GOMAXPROCS(0), chunks))
	jobs := make(chan int)
	results := make(chan synthCSVChunk, workers)
	slots := make(chan struct{}, 2*workers) // chunks generated but not yet written
	stop := make(chan struct{})

	go func() {
		defer close(jobs)
		for c := range chunks {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case jobs <- c:
			case <-stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &SyntheticStream{cfg: g.cfg, model: g.model, schema: g.schema}
			for c := range jobs {
				results <- w.formatChunk(c)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	pending := map[int]synthCSVChunk{}
	next := 0
	var werr error
	for r := range results {
		if werr != nil {
			<-slots
			continue
		}
		pending[r.index] = r
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-slots
			if _, err := sw.Write(c.sessions); err != nil {
				werr = fmt.Errorf("synthetic csv: sessions.csv: %w", err)
			} else if _, err := ew.Write(c.evts); err != nil {
				werr = fmt.Errorf("synthetic csv: events.csv: %w", err)
			}
			if werr != nil {
				close(stop)
				for range pending {
					<-slots
				}
				clear(pending)
				break
			}
		}
	}
	return werr
}

// formatChunk generates chunk c and formats its CSV rows.
func (g *SyntheticStream) formatChunk(c int) synthCSVChunk {
	out := synthCSVChunk{index: c}
	hi := min((c+1)*synthChunk, g.cfg.Sessions)
	for i := c * synthChunk; i < hi; i++ {
		s := g.generate(i)
		out.sessions = appendSyntheticSession(out.sessions, &s)
		out.evts = appendSyntheticEvents(out.evts, &s)
	}
	return out
}

func appendSyntheticSession(b []byte, s *Session) []byte {
	b = append(b, s.ID...)
	b = append(b, ',')
	b = strconv.AppendInt(b, s.Start, 10)
	b = append(b, ',')
	b = append(b, synthVisitors[s.Categorical[0]-1]...)
	b = append(b, ',')
	b = append(b, synthDevices[s.Categorical[1]-1]...)
	b = append(b, ',')
	b = append(b, synthSources[s.Categorical[2]-1]...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.Categorical[3]), 10)
	for _, x := range []float64{s.Numeric[0], s.Numeric[2], s.Numeric[1], s.Labels[0], s.Labels[1]} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(x), 10)
	}
	for _, x := range s.Oracle {
		b = append(b, ',')
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return append(b, '\n')
}

func appendSyntheticEvents(b []byte, s *Session) []byte {
	for t, e := range s.Events {
		b = append(b, s.ID...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(t), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, e.Time, 10)
		b = append(b, ',')
		b = append(b, synthEventTypes[e.Type-2]...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e.Item), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e.Category), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, e.Dwell, 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, e.Price, 'g', -1, 64)
		b = append(b, '\n')
	}
	return b
}

// synthFile is a file written under a temporary name and renamed into place by commit.
type synthFile struct {
	f    *os.File
	w    *bufio.Writer
	path string
	done bool
}

func newSynthFile(path string) (*synthFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("synthetic csv: %w", err)
	}
	return &synthFile{f: f, w: bufio.NewWriterSize(f, 1<<20), path: path}, nil
}

func (a *synthFile) commit() error {
	err := a.w.Flush()
	if err == nil {
		err = a.f.Chmod(0o644) // CreateTemp makes the file private
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	a.done = true
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("synthetic csv: %s: %w", a.path, err)
	}
	return nil
}

// abort removes the temporary file unless commit ran.
func (a *synthFile) abort() {
	if !a.done {
		a.f.Close()
		os.Remove(a.f.Name())
	}
}
