// Package models holds intentlab's architectures, one readable file each, and a registry that maps
// their names to typed configurations and constructors.
//
// A model declares its parameters in a graph.Store when it is constructed, and adds its computation
// to a graph.Builder in Forward. The same model builds the training graph (with dropout, batch B) and
// the evaluation graph (another batch size) on one store, so both share the weights:
//
//	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(seed, 0)))
//	m, err := models.New("lstm", store, &schema, nil) // nil: the registered defaults
//	b := graph.NewBuilder(store, graph.BuilderConfig{Train: true, Seed: seed})
//	in, err := models.NewInputs(b, &schema, m.Needs(), batchSize, maxLen)
//	out, err := m.Forward(b, in)   // out.Logits[k]: (B) per task
//
// Every model reads its data through Inputs (fed from a datasets.Batch by Inputs.Feed) and says which
// parts it needs (Needs); asking for a sequence model on a tabular dataset is an error from New.
package models
