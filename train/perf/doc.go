// Package perf measures intentlab's training step and scoring side by side with an equivalent PyTorch
// script, at fixed shapes, for people comparing speed (it is a tool, not a test):
//
//	go run ./cmd/perfcompare --threads 2             # training: sequences/s, GFLOP/s, allocations, peak RSS
//	go run ./cmd/perfcompare --threads 2 --inference # scoring: µs per session, sessions/s in batches of 512
//
// The models are lstm, gru, transformer and fusion built from their registered defaults (ModelConfig
// says what is changed); Arch describes each by its sizes, counts its FLOPs and parameters, and is
// what the PyTorch script (torch_step.py, embedded) builds its equivalent from. Every measurement runs
// in a process of its own, one after another: the intentlab side through the command's ChildFlag
// (RunJob), the PyTorch side through Debian's /usr/bin/python3 with python3-torch (RunTorch), both on
// the same batch of synthetic sessions (train.BenchData) with the same thread count. Compare runs them
// all and WriteTable prints one Markdown table with the ratio.
package perf
