// Package openblas links OpenBLAS (cgo, Debian's libopenblas-dev) in a build with the tag openblas and
// gives it as a BLAS for gorgonia.Use and tensor.Use: Implementation is gonum.org/v1/netlib's binding.
// Without the tag the package is empty and the build needs no C library.
package openblas
