// Package sessions holds what the notebooks share to choose the sessions they read: a buyer and a
// non-buyer that a model is surest of, short enough to read event by event.
package sessions

import (
	"fmt"
	"slices"

	"github.com/intentlab/intentlab/datasets"
)

// Readable says which sessions a notebook may read event by event: MinEvents to MaxEvents events,
// ended inside the window (the raw synthetic "continued" feature, Numeric[1], is not 1), and an event
// of type id Must among them.
type Readable struct {
	MinEvents, MaxEvents int
	Must                 int // an encoded event type id the session must contain
}

// ConfidentPair returns the indices in d of the buyer with the highest score and the non-buyer with
// the lowest among the readable sessions of d, raw synthetic sessions (preprocessing rescales
// Numeric[1], which then no longer marks a continued session); scores[i] is a model's P(purchase) for
// session i. It is an error when len(scores) differs from the number of sessions or
// no readable buyer or non-buyer exists.
func ConfidentPair(d *datasets.Dataset, scores []float64, r Readable) (buyer, nonBuyer int, err error) {
	if len(scores) != len(d.Sessions) {
		return 0, 0, fmt.Errorf("sessions: %d scores for %d sessions", len(scores), len(d.Sessions))
	}
	picked := [2]int{-1, -1}
	for i, s := range d.Sessions {
		if len(s.Events) < r.MinEvents || len(s.Events) > r.MaxEvents || len(s.Numeric) < 2 || s.Numeric[1] == 1 ||
			!slices.ContainsFunc(s.Events, func(e datasets.Event) bool { return e.Type == r.Must }) {
			continue
		}
		switch k := 1 - int(s.Labels[0]); {
		case picked[k] < 0, k == 0 && scores[i] > scores[picked[0]], k == 1 && scores[i] < scores[picked[1]]:
			picked[k] = i
		}
	}
	if picked[0] < 0 || picked[1] < 0 {
		return 0, 0, fmt.Errorf("sessions: no buyer and non-buyer of %d to %d events with event type %d among %d sessions",
			r.MinEvents, r.MaxEvents, r.Must, len(d.Sessions))
	}
	return picked[0], picked[1], nil
}
