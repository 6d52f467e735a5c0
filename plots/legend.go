package plots

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one legend line: a label and the thumbnails drawn beside it.
type legendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// Legend geometry.
var (
	thumbWidth = vg.Points(22)
	thumbGap   = vg.Points(4)  // between a thumbnail and its label
	entryGap   = vg.Points(14) // between entries on one row of a strip
	rowGap     = vg.Points(3)
	boxPad     = vg.Points(5)
)

func entryWidth(e legendEntry) vg.Length {
	return thumbWidth + thumbGap + textStyle(legendSize, false).Width(e.label)
}

func entryHeight() vg.Length {
	return textStyle(legendSize, false).Height("Mg")
}

// stripRows breaks the entries into rows that fit in width w (at least one entry per row).
func stripRows(w vg.Length, entries []legendEntry) [][]legendEntry {
	var rows [][]legendEntry
	var cur []legendEntry
	var used vg.Length
	for _, e := range entries {
		ew := entryWidth(e)
		if len(cur) > 0 && used+entryGap+ew > w {
			rows = append(rows, cur)
			cur, used = nil, 0
		}
		if len(cur) > 0 {
			used += entryGap
		}
		cur = append(cur, e)
		used += ew
	}
	return append(rows, cur)
}

func rowsHeight(n int) vg.Length {
	return vg.Length(n)*entryHeight() + vg.Length(n-1)*rowGap
}

// legendStripHeight is the height drawLegendStrip uses on a canvas of width w.
func legendStripHeight(w vg.Length, entries []legendEntry) vg.Length {
	return rowsHeight(len(stripRows(w, entries)))
}

// drawLegendStrip draws the entries as centred rows along the top of c, outside every panel,
// and returns the height used.
func drawLegendStrip(c draw.Canvas, entries []legendEntry) vg.Length {
	rows := stripRows(c.Max.X-c.Min.X, entries)
	y := c.Max.Y
	for _, row := range rows {
		var w vg.Length
		for i, e := range row {
			if i > 0 {
				w += entryGap
			}
			w += entryWidth(e)
		}
		x := c.Center().X - w/2
		for _, e := range row {
			drawEntry(c, e, x, y-entryHeight())
			x += entryWidth(e) + entryGap
		}
		y -= entryHeight() + rowGap
	}
	return rowsHeight(len(rows))
}

// drawEntry draws one entry with its thumbnail's lower left corner at (x, y).
func drawEntry(c draw.Canvas, e legendEntry, x, y vg.Length) {
	h := entryHeight()
	icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + thumbWidth, Y: y + h},
	}}
	for _, t := range e.thumbs {
		t.Thumbnail(&icon)
	}
	sty := textStyle(legendSize, false)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	c.FillText(sty, vg.Point{X: x + thumbWidth + thumbGap, Y: y + h/2}, e.label)
}

// insetLegend is a plotter that draws a boxed legend in the lower right corner of the data area.
// Use it only where the data leave that corner empty (ROC curves do).
type insetLegend struct {
	entries []legendEntry
}

// Plot implements plot.Plotter.
func (l *insetLegend) Plot(c draw.Canvas, _ *plot.Plot) {
	var w vg.Length
	for _, e := range l.entries {
		w = max(w, entryWidth(e))
	}
	h := rowsHeight(len(l.entries))
	box := vg.Rectangle{
		Min: vg.Point{X: c.Max.X - w - 2*boxPad - boxPad, Y: c.Min.Y + boxPad},
		Max: vg.Point{X: c.Max.X - boxPad, Y: c.Min.Y + boxPad + h + 2*boxPad},
	}
	c.SetColor(white)
	c.Fill(box.Path())
	c.SetLineStyle(draw.LineStyle{Color: lightGrey, Width: vg.Points(0.6)})
	c.Stroke(box.Path())
	y := box.Max.Y - boxPad - entryHeight()
	for _, e := range l.entries {
		drawEntry(c, e, box.Min.X+boxPad, y)
		y -= entryHeight() + rowGap
	}
}
