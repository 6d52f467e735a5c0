package metrics

import (
	"fmt"
	"math"
	"sort"
)

// CalibrationBin is one bin of a reliability diagram: the probabilities in (Lo, Hi] (the first bin
// also holds Lo = 0), their mean MeanPred, the fraction FracPos of their examples labelled 1, and
// how many there are. An empty bin has Count 0 and MeanPred = FracPos = 0; skip it when plotting.
type CalibrationBin struct {
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	MeanPred float64 `json:"mean_pred"`
	FracPos  float64 `json:"frac_pos"`
	Count    int     `json:"count"`
}

// Calibration splits [0, 1] into bins equal-width bins and returns every bin (empty ones included)
// and the expected calibration error
//
//	ECE = Σ_b (count_b / n) · |FracPos_b − MeanPred_b|.
//
// The bin edges and the rule for a probability on an edge are those of scikit-learn's
// calibration_curve(strategy="uniform"): edges e_k = k·(1/bins) (e_bins = 1), and p belongs to the
// bin (e_k, e_{k+1}], except that the first bin is [0, e_1]. So p = 0.5 with 10 bins falls in
// (0.4, 0.5], and the non-empty bins match calibration_curve's (prob_true, prob_pred) exactly.
// Probabilities outside [0, 1] or NaN, and bins < 1, are an error; a single-class input is accepted.
func Calibration(probs, labels []float64, bins int) ([]CalibrationBin, float64, error) {
	if _, _, err := checkProbs("calibration", probs, labels); err != nil {
		return nil, 0, err
	}
	if bins < 1 {
		return nil, 0, fmt.Errorf("metrics: calibration: %d bins, want at least 1", bins)
	}
	step := 1 / float64(bins)
	edges := make([]float64, bins+1) // as numpy.linspace(0, 1, bins+1)
	for k := range edges {
		edges[k] = float64(k) * step
	}
	edges[bins] = 1
	out := make([]CalibrationBin, bins)
	sumPred := make([]float64, bins)
	sumPos := make([]int, bins)
	inner := edges[1:bins]
	for i, p := range probs {
		b := sort.SearchFloat64s(inner, p) // the number of inner edges < p
		sumPred[b] += p
		if labels[i] == 1 {
			sumPos[b]++
		}
		out[b].Count++
	}
	ece, n := 0.0, float64(len(probs))
	for b := range out {
		out[b].Lo, out[b].Hi = edges[b], edges[b+1]
		if c := out[b].Count; c > 0 {
			out[b].MeanPred = sumPred[b] / float64(c)
			out[b].FracPos = float64(sumPos[b]) / float64(c)
			ece += float64(c) / n * math.Abs(out[b].FracPos-out[b].MeanPred)
		}
	}
	return out, ece, nil
}
