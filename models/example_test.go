package models_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/models"
)

// ExampleNew builds a GRU for the synthetic schema, adds it to a training graph, and shows what it
// reads and predicts.
func ExampleNew() {
	schema, err := datasets.SyntheticSchema(datasets.SyntheticConfig{})
	if err != nil {
		log.Fatal(err)
	}
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	m, err := models.New("gru", store, &schema, &models.GRUConfig{
		RecurrentEncoderConfig: models.RecurrentEncoderConfig{Hiddens: []int{32, 16}},
	})
	if err != nil {
		log.Fatal(err)
	}
	b := graph.NewBuilder(store, graph.BuilderConfig{Train: true, Seed: 1})
	in, err := models.NewInputs(b, &schema, m.Needs(), 64, 20) // batches of 64 sessions, 20 events
	if err != nil {
		log.Fatal(err)
	}
	out, err := m.Forward(b, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("needs %+v\n", m.Needs())
	fmt.Println("tasks", out.Tasks, "logit shape", out.Logits[0].Shape())
	fmt.Println("all learnables in the store:", b.CheckLearnables() == nil)
	// Output:
	// needs {Sequence:true Static:true}
	// tasks [purchase] logit shape (64)
	// all learnables in the store: true
}

// ExampleDecodeConfig reads model settings as JSON over the registered defaults.
func ExampleDecodeConfig() {
	cfg, err := models.DecodeConfig("lstm", []byte(`{"hiddens": [64, 32]}`))
	if err != nil {
		log.Fatal(err)
	}
	c := cfg.(*models.LSTMConfig)
	fmt.Println(c.Hiddens, c.Dropout) // the dropout keeps its default
	_, err = models.DecodeConfig("lstm", []byte(`{"hidden": [64]}`))
	fmt.Println(err)
	// Output:
	// [64 32] 0.1
	// model "lstm": config: json: unknown field "hidden"
}
