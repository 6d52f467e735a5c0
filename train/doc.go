// Package train trains a model: train.Run runs epochs of fixed-shape batches through a compiled
// training graph, updates the parameters with an optimizer (SGD with momentum or Nesterov, Adam,
// AdamW) under a learning-rate schedule and gradient clipping, evaluates on the validation split after
// every epoch, stops early on a validation metric and restores the best epoch, and finally scores the
// test split.
//
// A run directory (Config.Out) holds what a run leaves behind:
//
//	config.json       the exact experiment (data, model, training settings)
//	preprocess.json   the preprocessing fitted on the training split
//	metrics.csv       one row per epoch: train and validation loss and metrics, learning rate, time
//	checkpoint/       last.ckpt after every epoch (and on interrupt), best.ckpt at the best epoch
//	predictions.csv   validation and test scores
//	summary.json      the final metrics
//
// Every epoch writes an atomic, checksummed checkpoint holding the parameters, the optimizer state, the
// random sources and the epoch; Resume continues from it to the same numbers as an uninterrupted run.
// Cancelling the context (the CLI does on SIGINT) saves a checkpoint where training stands and returns
// ErrInterrupted. A NaN or Inf loss stops training with an error and leaves the last good checkpoint.
package train
