package metrics

import "math"

// logLossEps is the clipping of scikit-learn 1.2's log_loss for float64 input: eps="auto" means
// np.finfo(np.float64).eps = 2⁻⁵² (earlier releases used 1e-15).
const logLossEps = 0x1p-52

// LogLoss is the mean binary cross-entropy of probabilities p_i of label 1, as scikit-learn 1.2's
// log_loss computes it:
//
//	p̃ = clip(p, ε, 1−ε),  ε = 2⁻⁵²
//	L = −(1/n) Σ_i [y_i log(p̃_i / s_i) + (1−y_i) log((1−p̃_i) / s_i)],  s_i = p̃_i + (1−p̃_i)
//
// (s_i, scikit-learn's renormalisation, is 1 up to rounding.) A confidently wrong prediction (p = 0
// with y = 1) costs −log ε ≈ 36.04. Probabilities outside [0, 1] or NaN are an error. Unlike
// scikit-learn, a single-class input is accepted (scikit-learn needs labels=[0, 1] for that).
func LogLoss(probs, labels []float64) (float64, error) {
	if _, _, err := checkProbs("log loss", probs, labels); err != nil {
		return 0, err
	}
	sum := 0.0
	for i, p := range probs {
		p = min(max(p, logLossEps), 1-logLossEps)
		q := 1 - p
		s := p + q
		if labels[i] == 1 {
			sum -= math.Log(p / s)
		} else {
			sum -= math.Log(q / s)
		}
	}
	return sum / float64(len(probs)), nil
}

// Brier is the mean squared difference between the probability of label 1 and the label,
// (1/n) Σ_i (p_i − y_i)², scikit-learn's brier_score_loss. Probabilities outside [0, 1] or NaN are
// an error; a single-class input is accepted.
func Brier(probs, labels []float64) (float64, error) {
	if _, _, err := checkProbs("Brier score", probs, labels); err != nil {
		return 0, err
	}
	sum := 0.0
	for i, p := range probs {
		d := labels[i] - p
		sum += d * d
	}
	return sum / float64(len(probs)), nil
}
