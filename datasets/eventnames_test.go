package datasets

import (
	"slices"
	"testing"
)

// TestEventTypeNames: ids and names round-trip through a synthetic schema (whose types the generator
// lists), and the ids that name no type get the documented words.
func TestEventTypeNames(t *testing.T) {
	d, err := Synthetic(SyntheticConfig{Sessions: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := &d.Schema
	for i, name := range synthEventTypes {
		if id := s.EventTypeID(name); id != i+2 || s.EventTypeName(id) != name {
			t.Errorf("%q: id %d (want %d), back to %q", name, id, i+2, s.EventTypeName(id))
		}
	}
	for id, want := range map[int]string{PadID: "pad", UnknownID: "unknown", -1: "?", len(synthEventTypes) + 2: "?"} {
		if got := s.EventTypeName(id); got != want {
			t.Errorf("EventTypeName(%d) = %q, want %q", id, got, want)
		}
	}
	if id := s.EventTypeID("teleport"); id != UnknownID {
		t.Errorf("EventTypeID of a name the schema lacks = %d, want UnknownID", id)
	}
	events := []Event{{Type: 2 + slices.Index(synthEventTypes, "checkout")}, {Type: 2}}
	if got, want := s.EventLabels(events), []string{"1:checkout", "2:" + synthEventTypes[0]}; !slices.Equal(got, want) {
		t.Errorf("EventLabels = %v, want %v", got, want)
	}
}
