package search

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestGridValues(t *testing.T) {
	for _, tc := range []struct {
		p    Param
		n    int
		want []any
	}{
		// 8 multiples of 64 are more than 3: the ends and the value nearest the middle, 288 → 320
		{Param{Kind: Int, Low: 64, High: 512, Step: 64}, 3, []any{64.0, 320.0, 512.0}},
		{Param{Kind: Int, Low: 1, High: 3}, 3, []any{1.0, 2.0, 3.0}},
		{Param{Kind: Int, Low: 0.5, High: 3.5}, 5, []any{1.0, 2.0, 3.0}},
		{Param{Kind: Uniform, Low: 0, High: 0.5}, 3, []any{0.0, 0.25, 0.5}},
		{Param{Kind: Uniform, Low: 0, High: 1}, 1, []any{0.5}},
		{Param{Kind: Uniform, Low: 0, High: 0.35, Step: 0.1}, 5, []any{0.0, 0.1, 0.2, 0.30000000000000004}},
		// log-spaced: 1, 4, 16 and 64 are 2⁰, 2², 2⁴, 2⁶
		{Param{Kind: Int, Low: 1, High: 64, Log: true}, 4, []any{1.0, 4.0, 16.0, 64.0}},
		{Param{Kind: Choice, Choices: []any{"a", 2.0}}, 3, []any{"a", 2.0}},
	} {
		if got := tc.p.gridValues(tc.n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v with %d points: got %v, want %v", tc.p, tc.n, got, tc.want)
		}
	}
	lr := Param{Kind: LogUniform, Low: 1e-4, High: 1e-2}
	got := lr.gridValues(3)
	if len(got) != 3 || got[0] != 1e-4 || math.Abs(got[1].(float64)-1e-3) > 1e-15 || got[2] != 1e-2 {
		t.Errorf("log-uniform [1e-4, 1e-2] on 3 points: got %v, want 1e-4, 1e-3, 1e-2", got)
	}
}

// The grid sampler proposes exactly the Cartesian product, each point once, counting running and
// earlier trials as used, then returns ErrGridExhausted.
func TestGridEnumeratesProduct(t *testing.T) {
	space := &Space{Params: []Param{
		{Name: "model.hiddens", Kind: Choice, Choices: []any{[]any{64.0}, []any{128.0, 64.0}, "x"}},
		{Name: "model.blocks", Kind: Int, Low: 1, High: 3},
		{Name: "model.dropout", Kind: Uniform, Low: 0, High: 0.5},
	}}
	want := map[string]bool{} // the product, built by nested loops
	for _, h := range space.Params[0].Choices {
		for _, b := range []float64{1, 2, 3} {
			for _, d := range []float64{0, 0.25, 0.5} {
				want[pointKey(space, Values{"model.hiddens": h, "model.blocks": b, "model.dropout": d})] = true
			}
		}
	}
	if n := GridSize(space, 3); n != 27 || len(want) != 27 {
		t.Fatalf("GridSize = %d, product %d; want 27 = 3·3·3", n, len(want))
	}
	sampler, _ := NewSampler("grid", SamplerConfig{})
	// A trial from before (another sampler, or a resumed study) already holds one point.
	trials := []Trial{{Number: 0, State: Complete, Score: 0.5,
		Params: Values{"model.hiddens": "x", "model.blocks": 2.0, "model.dropout": 0.25}}}
	got := map[string]bool{pointKey(space, trials[0].Params): true}
	for i := 1; ; i++ {
		v, err := sampler.Sample(space, trials, rand.New(rand.NewPCG(1, 1)))
		if errors.Is(err, ErrGridExhausted) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		k := pointKey(space, v)
		if got[k] || !want[k] {
			t.Fatalf("proposal %d %v: repeated or outside the product", i, v)
		}
		got[k] = true
		state := []State{Running, Failed, Pruned, Complete}[i%4]
		trials = append(trials, Trial{Number: i, Params: v, State: state})
	}
	if len(got) != 27 {
		t.Errorf("%d points proposed, want 27", len(got))
	}
	big := &Space{}
	for range 7 {
		big.Params = append(big.Params, Param{Kind: Uniform, Low: 0, High: 1})
	}
	if n := GridSize(big, 1000); n != math.MaxInt {
		t.Errorf("a 1000⁷ = 10²¹-point grid has size %d, want math.MaxInt (2⁶³−1 ≈ 9.2·10¹⁸)", n)
	}
}
