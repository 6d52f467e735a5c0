package plots

import (
	"strings"
	"testing"
)

func TestGoldenHeatmap(t *testing.T) {
	f, err := Heatmap(HeatmapConfig{Title: "P(state | events so far)", X: "event", Y: "state", Scale: "probability"},
		[][]float64{{0.7, 0.2, 0.1}, {0.2, 0.5, 0.1}, {0.1, 0.3, 0.8}}, []string{"a", "b", "c"}, []string{"1", "2", "3"})
	checkGolden(t, "heatmap", f, err)
	if _, err := Heatmap(HeatmapConfig{}, [][]float64{{1.5}}, []string{"a"}, []string{"1"}); err == nil || !strings.Contains(err.Error(), "heatmap: value[0][0] = 1.5") {
		t.Errorf("a value above 1: error %v", err)
	}
}
