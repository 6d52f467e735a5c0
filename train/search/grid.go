package search

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// ErrGridExhausted is returned by the grid sampler once every point of its grid has a trial.
var ErrGridExhausted = errors.New("search: the grid is exhausted: every point has been tried")

// gridSampler proposes the points of the Cartesian product of every parameter's grid values in a
// fixed order (the first parameter varies slowest), skipping the points a trial already has.
type gridSampler struct {
	points int
}

func (g gridSampler) Sample(space *Space, trials []Trial, _ *rand.Rand) (Values, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	axes := make([][]any, len(space.Params))
	for i, p := range space.Params {
		axes[i] = p.gridValues(g.points)
	}
	used := map[string]bool{}
	for _, t := range trials {
		used[pointKey(space, t.Params)] = true
	}
	idx := make([]int, len(axes)) // the current point, as one index per axis
	for {
		v := Values{}
		for i, p := range space.Params {
			v[p.Name] = axes[i][idx[i]]
		}
		if !used[pointKey(space, v)] {
			return v, nil
		}
		i := len(idx) - 1 // advance the odometer: the last axis fastest
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(axes[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return nil, ErrGridExhausted
		}
	}
}

// pointKey identifies the values of space's parameters in v (a missing one as null).
func pointKey(space *Space, v Values) string {
	keys := make([]string, len(space.Params))
	for i, p := range space.Params {
		keys[i] = jsonKey(v[p.Name])
	}
	return strings.Join(keys, "\x00")
}

// GridSize is the number of points of the grid sampler's grid over space with the given points per
// continuous parameter (0: the default, 3); it saturates at math.MaxInt.
func GridSize(space *Space, points int) int {
	size := 1
	for _, p := range space.Params {
		n := len(p.gridValues(cmp0(points, 3)))
		if n > 0 && size > math.MaxInt/n {
			return math.MaxInt
		}
		size *= n
	}
	return size
}

// gridValues are p's values on the grid, in increasing order (a choice's in its order): a
// continuous parameter's n evenly spaced values from Low to High (on a log scale for log_uniform);
// an int or stepped parameter's values if it has at most n, else n of them, evenly spaced (on a
// log scale for a log int).
func (p Param) gridValues(n int) []any {
	if p.Kind == Choice {
		return p.Choices
	}
	if p.step() != 0 && p.points() <= n {
		vals := make([]any, p.points())
		for k := range vals {
			vals[k] = p.at(k)
		}
		return vals
	}
	first, last := p.Low, p.High
	if p.step() != 0 {
		first, last = p.first(), p.at(p.points()-1)
	}
	var vals []any
	for j := range n {
		t := 0.5
		if n > 1 {
			t = float64(j) / float64(n-1)
		}
		x := p.internal(first) + t*(p.internal(last)-p.internal(first))
		v := p.value(x)
		switch {
		case n > 1 && j == 0:
			v = first // exact ends, free of exp(log x) rounding
		case n > 1 && j == n-1:
			v = last
		}
		if !slices.Contains(vals, any(v)) {
			vals = append(vals, v)
		}
	}
	return vals
}
