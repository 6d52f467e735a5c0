package graph

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func affineDOT(t *testing.T, grad bool) (string, *Builder, []*gorgonia.Node) {
	t.Helper()
	s := newTestStore(tensor.Float64)
	addAffineParams(t, s)
	b, _, loss := buildAffine(t, s, 2)
	forward := slices.Clone(b.G.AllNodes())
	cfg := DOTConfig{Title: "affine", Params: b.Params()}
	if grad {
		if _, err := gorgonia.Grad(loss, b.Params()...); err != nil {
			t.Fatal(err)
		}
		cfg.Before = forward
	}
	var buf bytes.Buffer
	if err := WriteDOTConfig(&buf, b.G, cfg); err != nil {
		t.Fatal(err)
	}
	return buf.String(), b, forward
}

func TestWriteDOTConfig(t *testing.T) {
	dot, _, forward := affineDOT(t, false)
	again, _, _ := affineDOT(t, false)
	if dot != again {
		t.Error("two builds of the same graph give different DOT")
	}
	for _, want := range []string{`label="affine"`, `"x\n(2, 3)"`, `n0 -> n`, `fillcolor="#c6dbef"`} {
		if !strings.Contains(dot, want) {
			t.Errorf("forward DOT lacks %s:\n%s", want, dot)
		}
	}
	if strings.Contains(dot, "#fdd0a2") || strings.Contains(dot, "0x") {
		t.Errorf("forward DOT marks added nodes or names addresses:\n%s", dot)
	}
	if got := len(regexp.MustCompile(`(?m)^  n\d+ \[label=`).FindAllString(dot, -1)); got != len(forward) {
		t.Errorf("%d node lines, want %d", got, len(forward))
	}

	train, tb, _ := affineDOT(t, true)
	added := len(tb.G.AllNodes()) - len(forward)
	if added <= 0 || strings.Count(train, "#fdd0a2") != added {
		t.Errorf("%d nodes drawn as added, want %d (the nodes Grad added)", strings.Count(train, "#fdd0a2"), added)
	}
}

func TestCountOps(t *testing.T) {
	_, b, forward := affineDOT(t, false)
	c := CountOps(forward)
	// buildAffine: inputs x and c, parameters w and b; Mul, BroadcastAdd, Sigmoid, ⊙ and Σ.
	want := map[string]int{"leaf": 4, "×": 1, "+": 1, "sigmoid": 1, "⊙": 1, "Σ": 1}
	for k, n := range want {
		if c[k] != n {
			t.Errorf("CountOps[%q] = %d, want %d (all: %v)", k, c[k], n, c)
		}
	}
	total := 0
	for _, n := range c {
		total += n
	}
	if total != len(b.G.AllNodes()) {
		t.Errorf("counts add up to %d, the graph has %d nodes", total, len(b.G.AllNodes()))
	}
}
