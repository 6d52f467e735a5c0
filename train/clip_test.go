package train

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// TestClipGlobalNormByHand: gradients [3 4] (float64) and [12] (float32) have global norm
// √(9 + 16 + 144) = 13. Clipping to 6.5 scales both by 6.5/(13 + 1e-6) in float64; a nil gradient is
// skipped.
func TestClipGlobalNormByHand(t *testing.T) {
	a := dense64([]int{2}, []float64{3, 4})
	b := dense32([]int{1}, []float64{12})
	grads := []tensor.Tensor{a, nil, b}
	norm, err := ClipGlobalNorm(grads, 6.5)
	if err != nil {
		t.Fatal(err)
	}
	if norm != 13 {
		t.Errorf("norm = %v, want 13", norm)
	}
	maxNorm, eps := 6.5, 1e-6 // variables: a constant expression would be evaluated exactly, not in float64
	c := maxNorm / (norm + eps)
	if got := a.Data().([]float64); got[0] != 3*c || got[1] != 4*c {
		t.Errorf("float64 gradient = %v, want [%v %v]", got, 3*c, 4*c)
	}
	if got := b.Data().([]float32); got[0] != float32(12*c) {
		t.Errorf("float32 gradient = %v, want %v", got, float32(12*c))
	}

	// Below the threshold nothing changes; maxNorm 0 only measures.
	for _, maxNorm := range []float64{20, 0, -1} {
		g := dense64([]int{2}, []float64{3, 4})
		norm, err := ClipGlobalNorm([]tensor.Tensor{g}, maxNorm)
		if err != nil || norm != 5 {
			t.Errorf("maxNorm %v: norm %v, err %v; want 5", maxNorm, norm, err)
		}
		if got := g.Data().([]float64); got[0] != 3 || got[1] != 4 {
			t.Errorf("maxNorm %v: gradient changed to %v", maxNorm, got)
		}
	}
}

// TestClipGlobalNormNonFinite: a NaN or infinite norm is returned and nothing is scaled.
func TestClipGlobalNormNonFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		g := dense64([]int{3}, []float64{1, bad, 2})
		h := dense64([]int{1}, []float64{100})
		norm, err := ClipGlobalNorm([]tensor.Tensor{g, h}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !math.IsNaN(norm) && !math.IsInf(norm, 1) {
			t.Errorf("%v: norm %v, want NaN or +Inf", bad, norm)
		}
		if got := h.Data().([]float64); got[0] != 100 {
			t.Errorf("%v: a finite gradient was scaled to %v", bad, got[0])
		}
	}
	if _, err := ClipGlobalNorm([]tensor.Tensor{tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))}, 1); err == nil {
		t.Error("an int gradient was accepted")
	}
}

// TestClipGlobalNormMatchesTorch compares the norm and the clipped gradients with
// torch.nn.utils.clip_grad_norm_ (PyTorch 1.13, float64, testdata/torch_optim.json), to 1e-14 relative.
func TestClipGlobalNormMatchesTorch(t *testing.T) {
	f := loadTorchFixture(t)
	if len(f.Clip) == 0 {
		t.Fatal("fixture has no clip cases")
	}
	for _, c := range f.Clip {
		grads := make([]tensor.Tensor, len(c.Grads))
		for i, g := range c.Grads {
			grads[i] = dense64(c.Shapes[i], g)
		}
		norm, err := ClipGlobalNorm(grads, c.MaxNorm)
		if err != nil {
			t.Fatal(err)
		}
		if !relClose(norm, c.Norm, 1e-14) {
			t.Errorf("maxNorm %v: norm %.17g, torch %.17g", c.MaxNorm, norm, c.Norm)
		}
		for i, g := range grads {
			got := g.Data().([]float64)
			for j, want := range c.Clipped[i] {
				if !relClose(got[j], want, 1e-14) {
					t.Errorf("maxNorm %v: grad %d[%d] = %.17g, torch %.17g", c.MaxNorm, i, j, got[j], want)
				}
			}
		}
	}
}

// TestClipGlobalNormAllocs: clipping allocates nothing.
func TestClipGlobalNormAllocs(t *testing.T) {
	grads := []tensor.Tensor{dense32([]int{100}, make([]float64, 100)), dense64([]int{10}, make([]float64, 10))}
	for _, g := range grads {
		if d, ok := g.Data().([]float32); ok {
			d[0] = 1000
		}
	}
	if n := testing.AllocsPerRun(10, func() { _, _ = ClipGlobalNorm(grads, 1) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}
