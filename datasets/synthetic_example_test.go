package datasets_test

import (
	"fmt"

	"github.com/intentlab/intentlab/datasets"
)

// The synthetic clickstream is deterministic by seed, and every session carries the exact
// probability of each label given what a model sees.
func ExampleSynthetic() {
	d, err := datasets.Synthetic(datasets.SyntheticConfig{Sessions: 1000, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	buyers, expected := 0.0, 0.0
	for _, s := range d.Sessions {
		buyers += s.Labels[0]
		expected += s.Oracle[0]
	}
	fmt.Println(d.Schema.Tasks, d.Schema.EventTypes)
	fmt.Printf("%d sessions, %.0f buyers, %.1f expected by the oracle\n", len(d.Sessions), buyers, expected)
	// Output:
	// [purchase cart] [page_view search product_view add_to_cart remove_from_cart checkout]
	// 1000 sessions, 167 buyers, 180.2 expected by the oracle
}
