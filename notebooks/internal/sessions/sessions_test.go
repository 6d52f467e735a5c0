package sessions

import (
	"testing"

	"github.com/intentlab/intentlab/datasets"
)

func session(label float64, continued float64, types ...int) datasets.Session {
	s := datasets.Session{Labels: []float64{label}, Numeric: []float64{0, continued}}
	for _, t := range types {
		s.Events = append(s.Events, datasets.Event{Type: t})
	}
	return s
}

// TestConfidentPair builds six sessions by hand, each ruled in or out by one criterion, and checks the
// pair chosen: the highest-scored readable buyer and the lowest-scored readable non-buyer.
func TestConfidentPair(t *testing.T) {
	d := &datasets.Dataset{Sessions: []datasets.Session{
		session(1, 0, 2, 5, 2),    // 0: readable buyer, score 0.6
		session(1, 0, 2, 5, 2, 2), // 1: readable buyer, score 0.9: the one
		session(1, 1, 2, 5, 2),    // 2: buyer that went on past the window, score 0.99
		session(1, 0, 2, 2, 2),    // 3: buyer without the event, score 0.95
		session(0, 0, 5, 2, 2),    // 4: readable non-buyer, score 0.1: the one
		session(0, 0, 5),          // 5: non-buyer too short, score 0.01
	}}
	scores := []float64{0.6, 0.9, 0.99, 0.95, 0.1, 0.01}
	b, n, err := ConfidentPair(d, scores, Readable{MinEvents: 3, MaxEvents: 4, Must: 5})
	if err != nil {
		t.Fatal(err)
	}
	if b != 1 || n != 4 {
		t.Errorf("pair (%d, %d), want (1, 4)", b, n)
	}
	if _, _, err := ConfidentPair(d, scores, Readable{MinEvents: 3, MaxEvents: 4, Must: 7}); err == nil {
		t.Error("no session has the event: no error")
	}
	if _, _, err := ConfidentPair(d, scores[:2], Readable{MinEvents: 3, MaxEvents: 4, Must: 5}); err == nil {
		t.Error("too few scores: no error")
	}
}
