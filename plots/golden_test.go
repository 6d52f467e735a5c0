package plots

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/intentlab/intentlab/train/metrics"
)

var (
	update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")
	regen  = flag.Bool("regen", false, "same as -update (gonum/plot's name for it)")
)

// checkGolden renders f as PNG and compares its decoded pixels exactly with
// testdata/golden/name.png, or rewrites that file under -update or -regen. On a mismatch the new
// image is written to the temporary directory for inspection.
func checkGolden(t *testing.T, name string, f *Figure, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("building %s: %v", name, err)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil {
		t.Fatalf("encoding %s: %v", name, err)
	}
	path := filepath.Join("testdata", "golden", name+".png")
	if *update || *regen {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plots -update to create the goldens)", err)
	}
	if diff, err := pixelDiff(buf.Bytes(), want); err != nil || diff != "" {
		got := filepath.Join(os.TempDir(), "plots-"+name+".png")
		_ = os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("%s: %s%v; the new image is %s (rerun with -update if the change is intended)", path, diff, err, got)
	}
}

func TestGoldenROC(t *testing.T) {
	f, err := ROC(fixROC())
	checkGolden(t, "roc", f, err)
}

func TestGoldenPR(t *testing.T) {
	f, err := PR(fixPR(), 6.0/20)
	checkGolden(t, "pr", f, err)
}

func TestGoldenCalibration(t *testing.T) {
	cs, err := fixCalibration()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Calibration(cs)
	checkGolden(t, "calibration", f, err)
}

func TestGoldenConfusion(t *testing.T) {
	f, err := Confusion("lstm", metrics.Confusion{TP: 120, FN: 30, FP: 85, TN: 765}, 0.42)
	checkGolden(t, "confusion", f, err)
}

func TestGoldenAttention(t *testing.T) {
	w, q, k := fixAttention()
	f, err := Attention("Transformer attention, layer 1 head 0", w, q, k)
	checkGolden(t, "attention", f, err)
}

func TestGoldenLoss(t *testing.T) {
	f, err := Loss(fixLoss())
	checkGolden(t, "loss", f, err)
}

func TestGoldenLossSingle(t *testing.T) {
	f, err := Loss(fixLoss()[1:2])
	checkGolden(t, "loss_single", f, err)
}

func TestGoldenMetricByEpoch(t *testing.T) {
	f, err := MetricByEpoch("validation ROC-AUC", fixMetricRuns())
	checkGolden(t, "metric_by_epoch", f, err)
}

func TestGoldenSearchHistory(t *testing.T) {
	f, err := SearchHistory(fixTrials(), "validation ROC-AUC")
	checkGolden(t, "search_history", f, err)
}

func TestGoldenIntermediate(t *testing.T) {
	f, err := Intermediate(fixTrials(), "validation ROC-AUC")
	checkGolden(t, "intermediate", f, err)
}

func TestGoldenParamScores(t *testing.T) {
	f, err := ParamScores(fixParams(), "validation ROC-AUC")
	checkGolden(t, "param_scores", f, err)
}

// pixelDiff decodes two PNGs and describes the first difference in size or pixel colour; "" means
// identical pixels. (gonum/plot's cmpimg does the same but pulls in a PDF reader this module
// does not require.)
func pixelDiff(got, want []byte) (string, error) {
	a, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return "", fmt.Errorf("decoding the new image: %w", err)
	}
	b, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return "", fmt.Errorf("decoding the golden: %w", err)
	}
	if a.Bounds() != b.Bounds() {
		return fmt.Sprintf("size %v, golden %v", a.Bounds().Size(), b.Bounds().Size()), nil
	}
	n, first := 0, image.Point{}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				if n == 0 {
					first = image.Point{X: x, Y: y}
				}
				n++
			}
		}
	}
	if n > 0 {
		return fmt.Sprintf("%d pixels differ, the first at %v", n, first), nil
	}
	return "", nil
}
