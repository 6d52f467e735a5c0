package datasets

import "fmt"

// Token ids used by every sequence vocabulary (event types, items, categories).
const (
	PadID     = 0 // padding position: no event
	UnknownID = 1 // a value not seen when the vocabulary was fitted
)

// Task names. Purchase is always present; Cart only where the data has it.
const (
	TaskPurchase = "purchase"
	TaskCart     = "cart"
)

// Event is one action in a session.
type Event struct {
	Type     int     // event type id, ≥ 2 once encoded (0 pad, 1 unknown); names in Schema.EventTypes
	Item     int     // item id, raw before preprocessing, vocabulary id after
	Category int     // category id, raw before preprocessing, vocabulary id after
	Dwell    float64 // seconds until the next event (0 for the last one when unknown)
	Price    float64 // price of the item, 0 when unknown
	Time     int64   // unix seconds; 0 when the source has no clock
}

// Session is one visit: static features, the ordered events a model may see, and one label per task.
type Session struct {
	ID          string
	Start       int64     // unix seconds of the first event; 0 when unknown (used by time splits)
	Numeric     []float64 // static numeric features, in Schema.Numeric order
	Categorical []int     // static categorical codes, in Schema.Categorical order (0 = unknown)
	Events      []Event   // in time order; what the model sees
	Labels      []float64 // one 0/1 label per Schema.Tasks entry
	// Oracle holds the exact P(label = 1 | what the model sees) per task, for synthetic data;
	// nil when no oracle is known.
	Oracle []float64
}

// Label returns the label of the named task, and false if the schema has no such task.
func (s *Session) Label(schema *Schema, task string) (float64, bool) {
	i := schema.TaskIndex(task)
	if i < 0 || i >= len(s.Labels) {
		return 0, false
	}
	return s.Labels[i], true
}

// Schema records what a dataset holds: feature names, vocabulary sizes and tasks.
type Schema struct {
	Name             string
	Numeric          []string // names of static numeric features
	Categorical      []string // names of static categorical features
	CategoricalSizes []int    // vocabulary size of each categorical feature, including the unknown code 0
	EventTypes       []string // event type names; id i+2 is EventTypes[i] (0 pad, 1 unknown)
	NumItems         int      // item vocabulary size, including pad and unknown; 0 when there are no items
	NumCategories    int      // category vocabulary size, including pad and unknown
	Tasks            []string // label names; Tasks[0] is always TaskPurchase
	HasSequence      bool     // sessions carry events
}

// TaskIndex returns the position of a task in Tasks, or -1.
func (s *Schema) TaskIndex(task string) int {
	for i, t := range s.Tasks {
		if t == task {
			return i
		}
	}
	return -1
}

// NumEventTypes is the event-type vocabulary size, including pad and unknown.
func (s *Schema) NumEventTypes() int { return len(s.EventTypes) + 2 }

// Dataset is sessions plus the schema that describes them.
type Dataset struct {
	Schema   Schema
	Sessions []Session
}

// Validate checks that every session agrees with the schema.
func (d *Dataset) Validate() error {
	sc := &d.Schema
	if len(sc.Tasks) == 0 || sc.Tasks[0] != TaskPurchase {
		return fmt.Errorf("dataset %q: first task must be %q, have %v", sc.Name, TaskPurchase, sc.Tasks)
	}
	if len(sc.CategoricalSizes) != len(sc.Categorical) {
		return fmt.Errorf("dataset %q: %d categorical names but %d sizes", sc.Name, len(sc.Categorical), len(sc.CategoricalSizes))
	}
	for i := range d.Sessions {
		s := &d.Sessions[i]
		if len(s.Numeric) != len(sc.Numeric) {
			return fmt.Errorf("dataset %q: session %q: %d numeric features, schema has %d", sc.Name, s.ID, len(s.Numeric), len(sc.Numeric))
		}
		if len(s.Categorical) != len(sc.Categorical) {
			return fmt.Errorf("dataset %q: session %q: %d categorical features, schema has %d", sc.Name, s.ID, len(s.Categorical), len(sc.Categorical))
		}
		if len(s.Labels) != len(sc.Tasks) {
			return fmt.Errorf("dataset %q: session %q: %d labels, schema has %d tasks", sc.Name, s.ID, len(s.Labels), len(sc.Tasks))
		}
		if s.Oracle != nil && len(s.Oracle) != len(sc.Tasks) {
			return fmt.Errorf("dataset %q: session %q: %d oracle values, schema has %d tasks", sc.Name, s.ID, len(s.Oracle), len(sc.Tasks))
		}
	}
	return nil
}

// Subset returns a dataset with the sessions at the given indices (sharing the schema, copying the slice of sessions).
func (d *Dataset) Subset(idx []int) *Dataset {
	out := &Dataset{Schema: d.Schema, Sessions: make([]Session, len(idx))}
	for i, j := range idx {
		out.Sessions[i] = d.Sessions[j]
	}
	return out
}
