package search

import "math/rand/v2"

// randomSampler draws every parameter independently: uniformly in its internal space (a log-uniform
// or log int parameter uniformly in log x; an int or stepped parameter's values with equal
// probability), a choice uniformly among its options.
type randomSampler struct{}

func (randomSampler) Sample(space *Space, _ []Trial, rng *rand.Rand) (Values, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	v := Values{}
	for _, p := range space.Params {
		v[p.Name] = p.random(rng)
	}
	return v, nil
}

// random draws one value of p.
func (p Param) random(rng *rand.Rand) any {
	if p.Kind == Choice {
		return p.Choices[rng.IntN(len(p.Choices))]
	}
	lo, hi := p.interval()
	return p.value(lo + rng.Float64()*(hi-lo))
}
