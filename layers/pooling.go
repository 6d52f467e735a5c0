package layers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// MeanPool is the average over the real positions of x (B, T, D) with mask m (B, T):
// y_b = Σ_t m_bt x_bt / max(Σ_t m_bt, 1), (B, D). A row with no real position gives 0 (not NaN).
//
// Like every pooling here (LastPool, AttentionPool) it ignores padding exactly: a sequence gives
// bit-for-bit the same vector and gradients whether or not it is padded, provided the padding values are
// finite (the batcher fills them with zeros).
func MeanPool(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPoolInput("mean pool", x, mask); err != nil {
		return nil, err
	}
	y, err := meanPool(b, x, mask)
	if err != nil {
		return nil, fmt.Errorf("mean pool: %w", err)
	}
	return y, nil
}

func meanPool(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	m, err := spreadMask(mask, x.Shape()[2]) // (B, T, D)
	if err != nil {
		return nil, err
	}
	xm, err := gorgonia.HadamardProd(x, m) // (B, T, D)
	if err != nil {
		return nil, err
	}
	sum, err := gorgonia.Sum(xm, 1) // (B, D)
	if err != nil {
		return nil, err
	}
	count, err := gorgonia.Sum(m, 1) // (B, D): the length, repeated over features
	if err != nil {
		return nil, err
	}
	one := scalar(b.G, 1, b.Dtype())
	short, err := gorgonia.Sub(count, one) // (B, D)
	if err != nil {
		return nil, err
	}
	if short, err = gorgonia.Rectify(short); err != nil { // (B, D)
		return nil, err
	}
	denom, err := gorgonia.Add(short, one) // (B, D): max(count, 1), exact for whole counts
	if err != nil {
		return nil, err
	}
	return gorgonia.HadamardDiv(sum, denom) // (B, D)
}

// LastPool is the vector at the last real position, x_{b, len_b − 1}, chosen by the one-hot weights
// w_bt = m_bt (1 − m_{b,t+1}) (with m_{b,T} = 0), a function of the mask alone: y_b = Σ_t w_bt x_bt.
// The mask must be right-padded (ones then zeros), as the batcher makes it; a row with no real position
// gives 0.
func LastPool(b *graph.Builder, x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPoolInput("last pool", x, mask); err != nil {
		return nil, err
	}
	w, err := lastWeights(b, mask) // (B, T)
	if err != nil {
		return nil, fmt.Errorf("last pool: %w", err)
	}
	y, err := weightedSum(x, w) // (B, D)
	if err != nil {
		return nil, fmt.Errorf("last pool: %w", err)
	}
	return y, nil
}

// lastWeights is w = m ⊙ (1 − m·S) with the (T, T) shift S[t+1][t] = 1, so (m·S)_t = m_{t+1}: a product
// with one non-zero term, exact.
func lastWeights(b *graph.Builder, mask *gorgonia.Node) (*gorgonia.Node, error) {
	steps := mask.Shape()[1]
	shift := tensor.New(tensor.Of(b.Dtype()), tensor.WithShape(steps, steps))
	for t := 0; t+1 < steps; t++ {
		if err := shift.SetAt(fromFloat(b.Dtype(), 1), t+1, t); err != nil {
			return nil, err
		}
	}
	shiftNode := gorgonia.NewConstant(shift, gorgonia.WithName(fmt.Sprintf("shift%v_%d", b.Dtype(), steps)))
	next, err := gorgonia.Mul(mask, shiftNode) // (B, T): m_{t+1}
	if err != nil {
		return nil, err
	}
	notNext, err := gorgonia.Sub(scalar(b.G, 1, b.Dtype()), next) // (B, T)
	if err != nil {
		return nil, err
	}
	return gorgonia.HadamardProd(mask, notNext) // (B, T)
}

// weightedSum is y_b = Σ_t w_bt x_bt for x (B, T, D) and w (B, T).
func weightedSum(x, w *gorgonia.Node) (*gorgonia.Node, error) {
	wide, err := spreadMask(w, x.Shape()[2]) // (B, T, D)
	if err != nil {
		return nil, err
	}
	prod, err := gorgonia.HadamardProd(x, wide) // (B, T, D)
	if err != nil {
		return nil, err
	}
	return gorgonia.Sum(prod, 1) // (B, D)
}

// fromFloat converts v to a value of dtype dt (float32 or float64).
func fromFloat(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// checkPoolInput checks that x is (B, T, D) and mask (B, T).
func checkPoolInput(layer string, x, mask *gorgonia.Node) error {
	if err := checkShape(layer, "input", x, -1, -1, -1); err != nil {
		return err
	}
	return checkMask(layer, x, mask)
}
