package plots

import (
	"image/color"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Type sizes in points, chosen to read at 6 inches wide.
const (
	figureTitleSize = 13
	panelTitleSize  = 12
	axisLabelSize   = 11
	tickLabelSize   = 9.5
	legendSize      = 9.5
	cellTextSize    = 10
)

// Line widths.
var (
	curveWidth = vg.Points(1.6)
	guideWidth = vg.Points(1)
)

// tab10 is matplotlib's "tab10" (Tableau 10) palette without its grey, which the figures keep
// for guides, chance lines and pruned trials.
var tab10 = []color.Color{
	rgb(0x1f, 0x77, 0xb4), // blue
	rgb(0xff, 0x7f, 0x0e), // orange
	rgb(0x2c, 0xa0, 0x2c), // green
	rgb(0xd6, 0x27, 0x28), // red
	rgb(0x94, 0x67, 0xbd), // purple
	rgb(0x8c, 0x56, 0x4b), // brown
	rgb(0xe3, 0x77, 0xc2), // pink
	rgb(0xbc, 0xbd, 0x22), // olive
	rgb(0x17, 0xbe, 0xcf), // cyan
}

var (
	black     = color.Black
	grey      = rgb(0x7f, 0x7f, 0x7f) // tab10 grey
	lightGrey = rgb(0xbb, 0xbb, 0xbb)
	gridGrey  = rgb(0xe6, 0xe6, 0xe6)
	white     = color.White
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// seriesColor is the colour of the i-th data series; after the palette runs out the colours repeat
// and seriesDashes tells the repeats apart.
func seriesColor(i int) color.Color { return tab10[i%len(tab10)] }

// seriesDashes is solid for the first len(tab10) series, then dashed, dotted, …
func seriesDashes(i int) []vg.Length {
	switch (i / len(tab10)) % 3 {
	case 1:
		return dashed
	case 2:
		return dotted
	}
	return nil
}

var (
	dashed = []vg.Length{vg.Points(5), vg.Points(3)}
	dotted = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
)

// sans is Liberation Sans, embedded in gonum/plot, so output does not depend on the system fonts.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a Liberation Sans style of the given size in points.
func textStyle(size float64, bold bool) text.Style {
	f := font.From(sans, vg.Points(size))
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{Color: black, Font: f, Handler: plot.DefaultTextHandler}
}

// newPanel returns a plot with the package's fonts, light grid lines and the given labels.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = textStyle(panelTitleSize, true).Font
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = textStyle(axisLabelSize, false).Font
		a.Tick.Label.Font = textStyle(tickLabelSize, false).Font
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(3)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	p.X.Label.Padding = vg.Points(2)
	p.Y.Label.Padding = vg.Points(2)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridGrey, gridGrey
	g.Vertical.Width, g.Horizontal.Width = vg.Points(0.6), vg.Points(0.6)
	p.Add(g)
	return p
}

// setUnitAxes fixes both axes to [0, 1] (with a small margin so curves on the edge stay visible)
// and labels them every 0.2.
func setUnitAxes(p *plot.Plot) {
	ticks := plot.ConstantTicks(unitTicks())
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.02, 1.02, -0.02, 1.02
	p.X.Tick.Marker, p.Y.Tick.Marker = ticks, ticks
}

func unitTicks() []plot.Tick {
	var ts []plot.Tick
	for i := 0; i <= 10; i++ {
		v := float64(i) / 10
		t := plot.Tick{Value: v}
		if i%2 == 0 {
			t.Label = strconv.FormatFloat(v, 'g', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// line returns a line plotter for validated data.
func line(xs, ys []float64, c color.Color, dashes []vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(xyOf(xs, ys))
	if err != nil {
		return nil, err
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: curveWidth, Dashes: dashes}
	return l, nil
}

// guide returns a thin grey straight line from (x0, y0) to (x1, y1), for chance lines and markers.
func guide(x0, y0, x1, y1 float64, c color.Color, dashes []vg.Length) *plotter.Line {
	l := &plotter.Line{XYs: plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}}}
	l.LineStyle = draw.LineStyle{Color: c, Width: guideWidth, Dashes: dashes}
	return l
}

// points returns a scatter plotter for validated data.
func points(xs, ys []float64, c color.Color, shape draw.GlyphDrawer, radius vg.Length) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xyOf(xs, ys))
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Shape: shape, Radius: radius}
	return s, nil
}

func xyOf(xs, ys []float64) plotter.XYs {
	xy := make(plotter.XYs, len(xs))
	for i := range xs {
		xy[i].X, xy[i].Y = xs[i], ys[i]
	}
	return xy
}
