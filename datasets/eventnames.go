package datasets

import "fmt"

// EventTypeName is the name of an encoded event type id: EventTypes[id − 2], "pad" for PadID,
// "unknown" for UnknownID, and "?" for an id the schema does not have.
func (s *Schema) EventTypeName(id int) string {
	switch {
	case id == PadID:
		return "pad"
	case id == UnknownID:
		return "unknown"
	case id < 0 || id-2 >= len(s.EventTypes):
		return "?"
	}
	return s.EventTypes[id-2]
}

// EventTypeID is the encoded id of the named event type, or UnknownID when the schema has no type of
// that name.
func (s *Schema) EventTypeID(name string) int {
	for i, t := range s.EventTypes {
		if t == name {
			return i + 2
		}
	}
	return UnknownID
}

// EventLabels names each event by its position (from 1) and type, such as "3:add_to_cart": the tick
// labels of a figure over a session's events.
func (s *Schema) EventLabels(events []Event) []string {
	out := make([]string, len(events))
	for t, e := range events {
		out[t] = fmt.Sprintf("%d:%s", t+1, s.EventTypeName(e.Type))
	}
	return out
}
