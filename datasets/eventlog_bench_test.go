package datasets

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// benchLogs builds in-memory YooChoose and generic logs of n click events in sessions of 1–19
// events, 5% of sessions with a buy.
func benchLogs(n int) (clicks, buys, events []byte) {
	r := rand.New(rand.NewPCG(1, 2))
	var c, b, e bytes.Buffer
	e.WriteString("session,ts,event,item,cat,price\n")
	t0 := time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	types := []string{"view", "view", "view", "cart"}
	for sess, done := 1, 0; done < n; sess++ {
		k := 1 + r.IntN(19)
		t := t0 + int64(sess)*1000
		for j := 0; j < k && done < n; j++ {
			t += int64(r.IntN(120000))
			ts := time.UnixMilli(t).UTC().Format("2006-01-02T15:04:05.000Z")
			item, cat := 214500000+r.IntN(50000), r.IntN(13)
			fmt.Fprintf(&c, "%d,%s,%d,%d\n", sess, ts, item, cat)
			fmt.Fprintf(&e, "%d,%d,%s,%d,%d,%d\n", sess, t, types[r.IntN(len(types))], item, cat, 1+r.IntN(500))
			done++
		}
		if r.IntN(20) == 0 {
			ts := time.UnixMilli(t).UTC().Format("2006-01-02T15:04:05.000Z")
			fmt.Fprintf(&b, "%d,%s,214500000,100,1\n", sess, ts)
			fmt.Fprintf(&e, "%d,%d,purchase,214500000,0,100\n", sess, t)
		}
	}
	return c.Bytes(), b.Bytes(), e.Bytes()
}

const benchEvents = 1_000_000

// BenchmarkYooChoose reports click events parsed per second (the clicks file, plus its buys).
func BenchmarkYooChoose(b *testing.B) {
	clicks, buys, _ := benchLogs(benchEvents)
	b.SetBytes(int64(len(clicks) + len(buys)))
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := ReadYooChoose(bytes.NewReader(clicks), "c", bytes.NewReader(buys), "b", YooChooseConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEventsCSV reports rows parsed per second by the generic loader (session column, unix ms).
func BenchmarkEventsCSV(b *testing.B) {
	_, _, events := benchLogs(benchEvents)
	rows := strings.Count(string(events), "\n") - 1
	cfg := EventsConfig{Session: "session", Time: "ts", Type: "event", Item: "item", Category: "cat", Price: "price"}
	b.SetBytes(int64(len(events)))
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := ReadEvents(bytes.NewReader(events), "e", cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
