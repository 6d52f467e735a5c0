// Package graph is intentlab's Gorgonia plumbing: a parameter Store that owns every learnable tensor under a
// hierarchical name, seeded initialisers, a Builder that builds one computation graph on a store, a compiled
// Program that is built once and fed batch after batch, a float64 central-difference gradient checker, and
// export of a graph as Graphviz DOT.
//
// The life of a model:
//
//	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(seed, 0)))
//	lstm, err := layers.NewLSTM(store, "encoder.lstm0", cfg)   // declares encoder.lstm0.* in the store
//	b := graph.NewBuilder(store, graph.BuilderConfig{Train: true, Seed: seed})
//	x, _ := b.Input("x", B, T, D)
//	h, _ := lstm.Forward(b, x, mask)                           // builds nodes on b's graph
//	prog, _ := graph.Compile(b, loss)                          // once
//	for each batch { prog.Set("x", data); prog.Run(); prog.Grad(name) … }
//
// A training graph and an evaluation graph are two Builders on one Store: they share the weights.
package graph
