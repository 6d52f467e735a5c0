package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// cells is a matrix for plotter.HeatMap with z[0] drawn as the top row and z[r][c] centred on
// the integer coordinates (c, rows-1-r).
type cells struct{ z [][]float64 }

func (g cells) Dims() (c, r int)     { return len(g.z[0]), len(g.z) }
func (g cells) Z(c, r int) float64   { return g.z[len(g.z)-1-r][c] }
func (g cells) X(c int) float64      { return float64(c) }
func (g cells) Y(r int) float64      { return float64(r) }
func (g cells) rowY(row int) float64 { return float64(len(g.z) - 1 - row) }

// blues is matplotlib's (ColorBrewer's) "Blues" as a continuous map from 0 (near white) to 1
// (dark blue), interpolated at constant luminance steps.
func blues() (palette.ColorMap, error) {
	dark2light := []color.Color{ // ColorBrewer Blues 9, reversed
		rgb(0x08, 0x30, 0x6b), rgb(0x08, 0x51, 0x9c), rgb(0x21, 0x71, 0xb5),
		rgb(0x42, 0x92, 0xc6), rgb(0x6b, 0xae, 0xd6), rgb(0x9e, 0xca, 0xe1),
		rgb(0xc6, 0xdb, 0xef), rgb(0xde, 0xeb, 0xf7), rgb(0xf7, 0xfb, 0xff),
	}
	m, err := moreland.NewLuminance(dark2light)
	if err != nil {
		return nil, err
	}
	m.SetMin(0)
	m.SetMax(1)
	return palette.Reverse(m), nil
}

// heatPanel returns a panel showing z (values in [0, vmax]) in blues, white at 0 and darkest at
// vmax, with one tick label per column and row and, where labels is not nil, labels[r][c] written
// in each cell.
func heatPanel(z [][]float64, labels [][]string, colLabels, rowLabels []string, textSize, vmax float64) (*plot.Plot, palette.ColorMap, error) {
	cmap, err := blues()
	if err != nil {
		return nil, nil, err
	}
	cmap.SetMax(vmax)
	g := cells{z: z}
	h := plotter.NewHeatMap(g, cmap.Palette(256))
	h.Min, h.Max = 0, vmax
	p := newPanel("", "", "")
	p.Add(h)
	var xt, yt []plot.Tick
	for c, l := range colLabels {
		xt = append(xt, plot.Tick{Value: float64(c), Label: l})
	}
	for r, l := range rowLabels {
		yt = append(yt, plot.Tick{Value: g.rowY(r), Label: l})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xt), plot.ConstantTicks(yt)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.Y.Tick.Label.YAlign = -0.7 // centre the row labels on their rows: gonum centres on the text box, whose descent sits them high
	p.X.Padding, p.Y.Padding = 0, 0
	if labels != nil {
		p.Add(&cellText{g: g, labels: labels, size: textSize, dark: 0.55 * vmax})
	}
	return p, cmap, nil
}

// cellText is a plotter that writes labels[r][c] centred in each heat map cell, white on dark
// cells and black on light ones.
type cellText struct {
	g      cells
	labels [][]string
	size   float64
	dark   float64 // values above it get white text
}

// Plot implements plot.Plotter.
func (t *cellText) Plot(c draw.Canvas, p *plot.Plot) {
	x, y := p.Transforms(&c)
	for r, row := range t.labels {
		for col, s := range row {
			sty := textStyle(t.size, false)
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			if t.g.z[r][col] > t.dark {
				sty.Color = white
			}
			c.FillText(sty, vg.Point{X: x(float64(col)), Y: y(t.g.rowY(r))}, s)
		}
	}
}

// colorBarPanel returns a narrow vertical colour bar for cmap on [0, cmap.Max()] labelled label.
func colorBarPanel(cmap palette.ColorMap, label string) *plot.Plot {
	p := newPanel("", "", label)
	p.HideX()
	p.X.Padding = 0
	p.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true, Colors: 256})
	p.Y.Min, p.Y.Max = 0, cmap.Max()
	if cmap.Max() == 1 {
		var ts []plot.Tick
		for _, t := range unitTicks() {
			if t.Label != "" {
				ts = append(ts, t)
			}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(ts)
	}
	return p
}

// maxWidth is the width of the widest label in the tick label style of p's axes.
func maxWidth(p *plot.Plot, labels []string) vg.Length {
	var w vg.Length
	for _, l := range labels {
		w = max(w, p.X.Tick.Label.Width(l))
	}
	return w
}

// rotateXLabels turns the x tick labels of p upright so that long labels do not overlap.
func rotateXLabels(p *plot.Plot) {
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Padding = vg.Points(4) // keep the label ends clear of the cells
}
