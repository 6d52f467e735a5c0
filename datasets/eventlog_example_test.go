package datasets_test

import (
	"fmt"
	"strings"

	"github.com/intentlab/intentlab/datasets"
)

// A visitor log cut into sessions: the purchase is the label, and only the events before it are
// seen. The last seen event's dwell is 0 (the time to the buy would reveal the label).
func ExampleReadEvents() {
	log := "visitor,ts,event,item\n" +
		"v1,1000,view,7\n" +
		"v1,1060,cart,7\n" +
		"v1,1100,purchase,7\n" +
		"v2,5000,view,8\n"
	cfg := datasets.EventsConfig{Visitor: "visitor", Time: "ts", Type: "event", Item: "item", TimeFormat: datasets.TimeUnix}
	d, sum, err := datasets.ReadEvents(strings.NewReader(log), "log.csv", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range d.Sessions {
		fmt.Printf("%s purchase=%v:", s.ID, s.Labels[0])
		for _, e := range s.Events {
			fmt.Printf(" %s(item %d, dwell %vs)", d.Schema.EventTypes[e.Type-2], e.Item, e.Dwell)
		}
		fmt.Println()
	}
	fmt.Printf("rows %d, buy rows %d, events %d\n", sum.Rows, sum.BuyRows, sum.Events)
	// Output:
	// v1/1 purchase=1: view(item 7, dwell 60s) cart(item 7, dwell 0s)
	// v2/1 purchase=0: view(item 8, dwell 0s)
	// rows 4, buy rows 1, events 3
}
