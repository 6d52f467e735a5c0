// Package sgemm is a float32 matrix multiply for CPUs,
//
//	C = alpha·op(A)·op(B) + beta·C,  op(X) = X or Xᵀ,
//
// on row-major matrices with leading dimensions: the contract of gonum's blas.Float32 Sgemm, argument
// panics included. Implementation embeds gonum's pure-Go BLAS and replaces its Sgemm, so it can be given
// to gorgonia.Use and tensor.Use.
//
// The product follows the GotoBLAS/BLIS scheme. op(B) is packed, kc rows at a time, into panels NR
// columns wide and op(A), scaled by alpha, into panels MR rows high, zero-padded at the edges; a
// register-blocked micro-kernel then keeps an MR×NR tile of C in registers while it runs down the packed
// panels, and adds beta·C when it stores the tile. Partial tiles at the right and bottom edges are
// computed into a scratch tile and copied out. Large products are split into blocks of C computed on up
// to GOMAXPROCS goroutines; packing buffers come from a pool, so a call allocates only for its goroutines.
//
// The micro-kernel is chosen once, at init, from the CPU's features (golang.org/x/sys/cpu):
//
//	AVX-512F       a 12×32 tile in 24 zmm registers (Go assembly, amd64)
//	AVX2 and FMA   a 6×16 tile in 12 ymm registers (Go assembly, amd64)
//	otherwise      a 4×4 tile in portable Go
//
// The build tag purego leaves the assembly out. Kernel names the kernel in use.
package sgemm
