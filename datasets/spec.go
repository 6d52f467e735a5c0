package datasets

import (
	"fmt"
	"strconv"
	"strings"
)

// DataSpecs lists the forms of a data spec, for help texts and error messages.
const DataSpecs = "synth, synth:N, uci:PATH, yoochoose:CLICKS,BUYS or events:PATH"

// SpecError is a malformed data spec (as opposed to a file that cannot be read).
type SpecError struct {
	Spec string
	Msg  string // what is wrong, or what was expected
}

func (e *SpecError) Error() string { return fmt.Sprintf("data spec %q: %s", e.Spec, e.Msg) }

// LoadOptions configures Load for each kind of source; the zero value is useful.
type LoadOptions struct {
	Synthetic SyntheticConfig // for synth; the N of synth:N overrides Sessions
	YooChoose YooChooseConfig // for yoochoose:CLICKS,BUYS
	Events    EventsConfig    // for events:PATH; its column names are required
}

// Load reads the dataset a spec names:
//
//	synth | synth:N          the synthetic clickstream (Synthetic), N sessions
//	uci:PATH                 the UCI Online Shoppers CSV (LoadUCI)
//	yoochoose:CLICKS,BUYS    the RecSys 2015 clicks and buys files (LoadYooChoose)
//	events:PATH              a generic events CSV (LoadEvents with opts.Events)
//
// The empty spec is synth. The YooChoose paths are split at the first comma. A malformed spec
// is a *SpecError.
func Load(spec string, opts LoadOptions) (*Dataset, error) {
	d, _, err := LoadWithSummary(spec, opts)
	return d, err
}

// LoadWithSummary is Load that also returns the LoadSummary of event logs (nil for synth and uci).
func LoadWithSummary(spec string, opts LoadOptions) (*Dataset, *LoadSummary, error) {
	scheme, arg, hasArg := strings.Cut(spec, ":")
	bad := func(want string) error { return &SpecError{Spec: spec, Msg: "want " + want} }
	switch scheme {
	case "", "synth":
		cfg := opts.Synthetic
		if hasArg {
			n, err := strconv.Atoi(arg)
			if err != nil || n <= 0 {
				return nil, nil, bad("synth:N with N a positive number of sessions")
			}
			cfg.Sessions = n
		}
		d, err := Synthetic(cfg)
		return d, nil, err
	case "uci":
		if arg == "" {
			return nil, nil, bad("uci:PATH")
		}
		d, err := LoadUCI(arg)
		return d, nil, err
	case "yoochoose":
		clicks, buys, ok := strings.Cut(arg, ",")
		if !ok || clicks == "" || buys == "" {
			return nil, nil, bad("yoochoose:CLICKS,BUYS (two paths)")
		}
		d, sum, err := LoadYooChoose(clicks, buys, opts.YooChoose)
		return d, &sum, err
	case "events":
		if arg == "" {
			return nil, nil, bad("events:PATH")
		}
		d, sum, err := LoadEvents(arg, opts.Events)
		return d, &sum, err
	}
	return nil, nil, &SpecError{Spec: spec, Msg: fmt.Sprintf("unknown source %q; want %s", scheme, DataSpecs)}
}
