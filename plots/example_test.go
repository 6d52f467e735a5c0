package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/intentlab/intentlab/plots"
)

func ExampleROC() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	f, err := plots.ROC([]plots.ROCCurve{
		{Label: "lstm", FPR: []float64{0, 0.1, 0.3, 1}, TPR: []float64{0, 0.6, 0.9, 1}, AUC: 0.87},
		{Label: "oracle", FPR: []float64{0, 0.05, 0.2, 1}, TPR: []float64{0, 0.7, 0.95, 1}, AUC: 0.93, Reference: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	path := filepath.Join(dir, "roc.png")
	if err := f.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	info, err := os.Stat(path)
	fmt.Println(err == nil && info.Size() > 0)

	_, err = plots.ROC(nil)
	fmt.Println(err)
	// Output:
	// true
	// plots: ROC: no curves
}

func ExampleFigure_Save() {
	f, err := plots.MetricByEpoch("validation ROC-AUC", []plots.Series{
		{Label: "seed 1", X: []float64{1, 2, 3}, Y: []float64{0.80, 0.85, 0.86}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f.Width = 0 // keep the default 6 in; set Width, Height or DPI to change the size
	fmt.Println(f.Save("figure.pdf"))
	// Output:
	// plots: save "figure.pdf": unsupported extension ".pdf", want .png or .svg
}
