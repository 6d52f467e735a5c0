package train

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// ClipGlobalNorm clips gradients by their global L2 norm, as torch.nn.utils.clip_grad_norm_ (PyTorch
// 1.13, norm_type 2; Pascanu et al., "On the difficulty of training recurrent neural networks", ICML 2013):
//
//	norm = √(Σ_i Σ_j g_ij²)   over every non-nil gradient, accumulated in float64
//	c    = maxNorm / (norm + 1e-6)
//	g   ← c·g                  in place, for every gradient, when maxNorm > 0 and c < 1
//
// Like torch, it scales when c < 1, which is norm > maxNorm − 1e-6, so a norm just below maxNorm is
// scaled by a factor just below 1. maxNorm ≤ 0 turns clipping off and only measures. It returns the norm
// before clipping. A NaN or infinite norm is returned as it is and nothing is scaled: the caller decides
// what to do with a diverged step. Float32 gradients are scaled in float64 and rounded back. The error
// reports a gradient that is not a float32 or float64 array. A sum of squares above ~1.8e308 (float64
// gradients above ~1e154) overflows to +Inf.
func ClipGlobalNorm(grads []tensor.Tensor, maxNorm float64) (norm float64, err error) {
	var ss float64
	for i, g := range grads {
		if g == nil {
			continue
		}
		g32, g64, err := backing(g)
		if err != nil {
			return 0, fmt.Errorf("clip: gradient %d: %w", i, err)
		}
		for _, v := range g32 {
			ss += float64(v) * float64(v)
		}
		for _, v := range g64 {
			ss += v * v
		}
	}
	norm = math.Sqrt(ss)
	if math.IsNaN(norm) || math.IsInf(norm, 0) || !(maxNorm > 0) {
		return norm, nil
	}
	c := maxNorm / (norm + 1e-6)
	if c >= 1 {
		return norm, nil
	}
	for _, g := range grads {
		if g == nil {
			continue
		}
		g32, g64, _ := backing(g) // checked above
		for j, v := range g32 {
			g32[j] = float32(float64(v) * c)
		}
		for j, v := range g64 {
			g64[j] = v * c
		}
	}
	return norm, nil
}
