package datasets

import (
	"strings"
	"testing"
)

func TestLoadSpec(t *testing.T) {
	d, sum, err := LoadWithSummary("synth:50", LoadOptions{Synthetic: SyntheticConfig{Seed: 3}})
	if err != nil || len(d.Sessions) != 50 || sum != nil || d.Schema.Name != "synthetic" {
		t.Fatalf("synth:50: err %v, sum %v", err, sum)
	}
	d, sum, err = LoadWithSummary("yoochoose:testdata/yoochoose/clicks.dat,testdata/yoochoose/buys.dat", LoadOptions{})
	if err != nil || len(d.Sessions) != 3 || sum == nil || sum.Rows != 13 {
		t.Fatalf("yoochoose: err %v, sum %v", err, sum)
	}
	opts := LoadOptions{Events: EventsConfig{Session: "sid", Type: "kind", Item: "item"}}
	d, err = Load("events:testdata/events/notime.csv", opts)
	if err != nil || len(d.Sessions) != 2 || d.Schema.Name != "events" {
		t.Fatalf("events: err %v", err)
	}
}

func TestLoadSpecErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"csv:x", `data spec "csv:x": unknown source "csv"; want ` + DataSpecs},
		{"synth:-3", `data spec "synth:-3": want synth:N with N a positive number of sessions`},
		{"synth:ten", `want synth:N`},
		{"uci:", `data spec "uci:": want uci:PATH`},
		{"uci:testdata/none.csv", `none.csv`},
		{"yoochoose:testdata/yoochoose/clicks.dat", `want yoochoose:CLICKS,BUYS`},
		{"events:", `want events:PATH`},
		{"events:testdata/events/notime.csv", `set the session or the visitor column`},
	} {
		_, err := Load(tc.spec, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.spec, err, tc.want)
		}
	}
}
