//go:build !amd64 || purego

package sgemm

// kernels lists the micro-kernels this CPU can run, fastest first: without assembly, the portable one.
func kernels() []*microKernel { return []*microKernel{generic} }
