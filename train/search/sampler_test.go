package search_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/train/search"
)

// mixedSpace has a parameter of every kind and variant.
var mixedSpace = &search.Space{Params: []search.Param{
	{Name: "train.lr", Kind: search.LogUniform, Low: 1e-4, High: 1e-2},
	{Name: "model.dropout", Kind: search.Uniform, Low: 0, High: 0.5},
	{Name: "model.head.dropout", Kind: search.Uniform, Low: 0.05, High: 0.5, Step: 0.1}, // 0.05 … 0.45
	{Name: "train.batch_size", Kind: search.Int, Low: 64, High: 500, Step: 64},          // 64 … 448
	{Name: "model.events.type_dim", Kind: search.Int, Low: 2.5, High: 40, Log: true},    // 3 … 40
	{Name: "model.hiddens", Kind: search.Choice, Choices: []any{[]any{64.0}, []any{128.0, 64.0}, "x", true}},
}}

// inSpace checks v against the space's definition, written out independently of Space.Contains.
func inSpace(t *testing.T, v search.Values) {
	t.Helper()
	if len(v) != len(mixedSpace.Params) {
		t.Fatalf("%v: want one value per parameter", v)
	}
	for _, p := range mixedSpace.Params {
		x := v[p.Name]
		if p.Kind == search.Choice {
			if !containsDeep(p.Choices, x) {
				t.Fatalf("%s = %v: not an option", p.Name, x)
			}
			continue
		}
		f, ok := x.(float64)
		if !ok || f < p.Low || f > p.High {
			t.Fatalf("%s = %v: want a float64 in [%v, %v]", p.Name, x, p.Low, p.High)
		}
		switch p.Name {
		case "model.head.dropout": // 0.05 + k/10
			if k := (f - 0.05) * 10; math.Abs(k-math.Round(k)) > 1e-9 {
				t.Fatalf("%s = %v: off the 0.1 step from 0.05", p.Name, f)
			}
		case "train.batch_size":
			if math.Mod(f, 64) != 0 {
				t.Fatalf("%s = %v: not a multiple of 64", p.Name, f)
			}
		case "model.events.type_dim":
			if f != math.Trunc(f) {
				t.Fatalf("%s = %v: not whole", p.Name, f)
			}
		}
	}
}

func containsDeep(opts []any, x any) bool {
	for _, o := range opts {
		if reflect.DeepEqual(o, x) {
			return true
		}
	}
	return false
}

// runStudy proposes n trials with the named sampler on score f, completing each at once, and
// returns the trials. The proposal source of trial i is PCG(seed, i).
func runStudy(t *testing.T, sampler search.Sampler, space *search.Space, n int, seed uint64, f func(search.Values) float64) []search.Trial {
	t.Helper()
	var trials []search.Trial
	for i := range n {
		v, err := sampler.Sample(space, trials, rand.New(rand.NewPCG(seed, uint64(i))))
		if err != nil {
			t.Fatalf("trial %d: %v", i, err)
		}
		trials = append(trials, search.Trial{Number: i, Params: v, State: search.Complete, Score: f(v)})
	}
	return trials
}

// mixedScore rewards a learning rate near 1e-3, little dropout and the second hidden option.
func mixedScore(v search.Values) float64 {
	s := -math.Pow(math.Log10(v["train.lr"].(float64))+3, 2) - v["model.dropout"].(float64)
	if reflect.DeepEqual(v["model.hiddens"], []any{128.0, 64.0}) {
		s++
	}
	return s
}

func TestSamplersStayInSpaceAndRepeat(t *testing.T) {
	for _, name := range []string{"grid", "random", "tpe"} {
		sampler, err := search.NewSampler(name, search.SamplerConfig{StartupTrials: 5})
		if err != nil {
			t.Fatal(err)
		}
		a := runStudy(t, sampler, mixedSpace, 40, 7, mixedScore)
		for _, tr := range a {
			inSpace(t, tr.Params)
		}
		b := runStudy(t, sampler, mixedSpace, 40, 7, mixedScore)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the same seeds gave different proposals", name)
		}
		if name != "grid" {
			if c := runStudy(t, sampler, mixedSpace, 40, 8, mixedScore); reflect.DeepEqual(a, c) {
				t.Errorf("%s: another seed gave the same proposals", name)
			}
		}
	}
}

func TestNewSamplerErrors(t *testing.T) {
	if _, err := search.NewSampler("bayes", search.SamplerConfig{}); err == nil || !strings.Contains(err.Error(), "known: grid, random, tpe") {
		t.Errorf("unknown sampler: %v", err)
	}
	if _, err := search.NewSampler("tpe", search.SamplerConfig{Candidates: -1}); err == nil {
		t.Error("negative candidates accepted")
	}
	bad := &search.Space{Params: []search.Param{{Name: "model.hiddens", Kind: search.Choice}}}
	for _, name := range []string{"grid", "random", "tpe"} {
		s, _ := search.NewSampler(name, search.SamplerConfig{})
		if _, err := s.Sample(bad, nil, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%s: sampled an invalid space", name)
		}
	}
}

// A grid sampler proposes every point once, then reports that the grid is exhausted.
func ExampleNewSampler() {
	space := &search.Space{Params: []search.Param{
		{Name: "model.dropout", Kind: search.Uniform, Low: 0, High: 0.5},
		{Name: "train.optimizer.name", Kind: search.Choice, Choices: []any{"adam", "adamw"}},
	}}
	sampler, err := search.NewSampler("grid", search.SamplerConfig{GridPoints: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("grid size", search.GridSize(space, 3))
	var trials []search.Trial
	for i := 0; ; i++ {
		v, err := sampler.Sample(space, trials, rand.New(rand.NewPCG(1, uint64(i))))
		if errors.Is(err, search.ErrGridExhausted) {
			fmt.Println(err)
			break
		}
		fmt.Println(v["model.dropout"], v["train.optimizer.name"])
		trials = append(trials, search.Trial{Number: i, Params: v, State: search.Running})
	}
	// Output:
	// grid size 6
	// 0 adam
	// 0 adamw
	// 0.25 adam
	// 0.25 adamw
	// 0.5 adam
	// 0.5 adamw
	// search: the grid is exhausted: every point has been tried
}
