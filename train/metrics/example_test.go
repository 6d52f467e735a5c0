package metrics_test

import (
	"fmt"

	"github.com/intentlab/intentlab/train/metrics"
)

// Of the 2·2 positive–negative pairs, 0.8 beats both negatives and 0.35 beats 0.1 but not 0.4:
// AUC = 3/4.
func ExampleROCAUC() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	labels := []float64{0, 0, 1, 1}
	auc, err := metrics.ROCAUC(scores, labels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(auc)
	// Output: 0.75
}

// By hand, with positives first (labels 1, 1, 0, 0): A ranks both positives above both negatives,
// so its placements are V10 = (1, 1), V01 = (1, 1) and AUC_A = 1. B's positive 0.9 beats both
// negatives and 0.2 beats only 0.1: V10 = (1, ½); negative 0.5 is beaten by one positive of two and
// 0.1 by both: V01 = (½, 1); AUC_B = ¾. The differences are V10_A − V10_B = (0, ½) and
// V01_A − V01_B = (½, 0), each with sample variance ⅛, so SE² = ⅛/2 + ⅛/2 = ⅛, SE = 0.35355,
// Z = ¼/SE = 1/√2 = 0.70711 and P = erfc(½) = 0.47950.
func ExampleDeLong() {
	labels := []float64{1, 1, 0, 0}
	a := []float64{0.9, 0.8, 0.3, 0.2}
	b := []float64{0.9, 0.2, 0.5, 0.1}
	r, err := metrics.DeLong(a, b, labels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("AUC A %.2f, AUC B %.2f, diff %.2f\nSE %.5f, z %.5f, p %.5f\n", r.AUCA, r.AUCB, r.Diff, r.SE, r.Z, r.P)
	// Output:
	// AUC A 1.00, AUC B 0.75, diff 0.25
	// SE 0.35355, z 0.70711, p 0.47950
}
