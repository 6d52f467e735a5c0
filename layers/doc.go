// Package layers holds intentlab's neural-network layers, one file each, built from Gorgonia ops on a
// graph.Builder. Every layer follows one pattern:
//
//	l, err := layers.NewX(store, "encoder.x", layers.XConfig{…}) // declares the layer's parameters in the store
//	y, err := l.Forward(b, x, …)                                  // adds the layer to b's graph
//
// Sequence tensors are (B, T, D) — batch, time, features — with a (B, T) mask that is 1 at real events and
// 0 at padding. Recurrent layers carry their state unchanged through padding, attention gives padded keys
// no weight, and pooling ignores padding. Weight matrices are (in, out): y = x·W + b.
package layers
