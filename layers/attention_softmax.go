package layers

import (
	"math"

	"github.com/intentlab/intentlab/internal/vmath"
)

// The row kernels of the attention softmax (attention_fused.go): the masked softmax of one query's
// scores in one pass, and the softmax's gradient.

// maskedKey is the score added at padded keys (and, when causal, at later keys). It is finite in float32,
// and exp(maskedKey − row max) underflows to exactly 0 in float32 and float64 whenever the row has a real
// key, so padded keys get exactly zero weight. A row with no real key gets finite, meaningless weights.
const maskedKey = -1e9

// maskedSoftmaxRow sets out to the softmax of query i's scores scale·row, with maskedKey added where
// keys is 0 (and, when causal, at keys j > i). out may be row.
func maskedSoftmaxRow[F float32 | float64](out, row, keys []F, scale F, causal bool, i int) {
	mx := F(math.Inf(-1))
	for j, v := range row {
		v = scale*v + (1-keys[j])*maskedKey
		if causal && j > i {
			v += maskedKey
		}
		out[j] = v
		mx = max(mx, v)
	}
	for j, v := range out {
		out[j] = v - mx
	}
	exp(out)
	var sum F
	for _, e := range out {
		sum += e
	}
	for j := range out {
		out[j] /= sum
	}
}

// exp sets x[i] = eˣ⁽ⁱ⁾ in place: vmath's float32 kernel (within 1 ULP) or math.Exp.
func exp[F float32 | float64](x []F) {
	switch v := any(x).(type) {
	case []float32:
		vmath.Exp32(v, v)
	case []float64:
		vmath.Exp64(v, v)
	}
}

// softmaxGradRows sets dst = P ⊙ (G − rowsum(P ⊙ G)) row by row (rows of t), the softmax's gradient
// from P and G = ∂L/∂P.
func softmaxGradRows[F float32 | float64](p, g, dst []F, t int) {
	for r := 0; r < len(p)/t; r++ {
		pr, gr, out := p[r*t:(r+1)*t], g[r*t:(r+1)*t], dst[r*t:(r+1)*t]
		var dot F
		for j, v := range pr {
			dot += v * gr[j]
		}
		for j, v := range pr {
			out[j] = v * (gr[j] - dot)
		}
	}
}
