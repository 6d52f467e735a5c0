package search

import (
	"flag"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

var updateSpaces = flag.Bool("update-spaces", false, "rewrite testdata/spaces/*.json from DefaultSpace")

// Every registered model has a default space, and every sample of it applies to the model's
// default experiment and builds the model on synthetic data.
func TestDefaultSpacesBuild(t *testing.T) {
	split, err := train.LoadSplit(train.DataConfig{Spec: "synth:300", Split: [3]float64{0.6, 0.2, 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	sampler, _ := NewSampler("random", SamplerConfig{})
	for _, name := range models.Names() {
		s, err := DefaultSpace(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		exp := train.DefaultExperiment(name)
		if err := s.Check(exp); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// Each parameter at each end of its range and at each option, the others at their first,
		// then three random draws.
		var samples []Values
		base := Values{}
		for _, p := range s.Params {
			base[p.Name] = p.probes()[0]
		}
		for _, p := range s.Params {
			for _, x := range p.probes() {
				v := maps.Clone(base)
				v[p.Name] = x
				samples = append(samples, v)
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 3 {
			v, err := sampler.Sample(s, nil, rng)
			if err != nil {
				t.Fatal(err)
			}
			samples = append(samples, v)
		}
		for i, v := range samples {
			applied, err := s.Apply(exp, v)
			if err != nil {
				t.Errorf("%s: sample %d %v: %v", name, i, v, err)
				continue
			}
			if _, err := train.PrepareSplit(applied, split); err != nil {
				t.Errorf("%s: sample %d %v: building the model: %v", name, i, v, err)
			}
		}
	}
	if _, err := DefaultSpace("svm"); err == nil || !strings.Contains(err.Error(), `unknown model "svm"`) {
		t.Errorf("DefaultSpace(svm) = %v, want an unknown-model error", err)
	}
}

// testdata/spaces holds each default space as a file (for the documentation and to start from);
// go test -run DefaultSpaceFiles -update-spaces rewrites them.
func TestDefaultSpaceFiles(t *testing.T) {
	for _, name := range models.Names() {
		s, err := DefaultSpace(name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "spaces", name+".json")
		if *updateSpaces {
			if err := os.WriteFile(path, []byte(s.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := LoadSpace(path)
		if err != nil {
			t.Errorf("%v (run go test -run DefaultSpaceFiles -update-spaces)", err)
			continue
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("%s holds\n%v\nwant DefaultSpace(%q)\n%v", path, got, name, s)
		}
	}
}
