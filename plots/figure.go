package plots

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DefaultDPI is the resolution of PNG output when Figure.DPI is 0.
const DefaultDPI = 150

// Default sizes: one panel is 6 × 4 inches; grids give each panel panelWidth × panelHeight.
const (
	singleWidth  = 6 * vg.Inch
	singleHeight = 4 * vg.Inch
	panelWidth   = 3.3 * vg.Inch
	panelHeight  = 2.8 * vg.Inch
	maxCols      = 3
)

// Figure is one or more panels ready to save. The constructors of this package (ROC, Loss, …)
// return a Figure with its size set; change Title, Width, Height or DPI before saving if needed.
type Figure struct {
	// Title is drawn centred across the top of the figure; empty means none. Panels may carry
	// titles of their own.
	Title string
	// Width and Height are the size of the image. Zero means the default: 6 in wide and 4 in
	// high for one panel, 3.3 × 2.8 in per panel for grids (at least 6 in wide), plus the height
	// of the title and the legend strip.
	Width, Height vg.Length
	// DPI is the resolution of PNG output in dots per inch; 0 means DefaultDPI. SVG ignores it.
	DPI int

	panels   [][]*plot.Plot // rows of panels, nil for an empty cell
	legend   []legendEntry  // shared legend drawn in a strip under the title; empty for none
	colorBar *plot.Plot     // drawn right of the single panel, level with its data area

	bodyWidth, bodyHeight vg.Length // default size of the area under the header; 0: from the grid
}

// newFigure returns a figure laid out as rows of panels (the last row may hold nils).
func newFigure(title string, panels [][]*plot.Plot) *Figure {
	return &Figure{Title: title, panels: panels}
}

// grid arranges ps in rows of at most maxCols panels.
func grid(ps []*plot.Plot) [][]*plot.Plot {
	cols := min(len(ps), maxCols)
	var rows [][]*plot.Plot
	for i := 0; i < len(ps); i += cols {
		row := make([]*plot.Plot, cols)
		copy(row, ps[i:min(i+cols, len(ps))])
		rows = append(rows, row)
	}
	return rows
}

// size returns the image size: the fields when set, the defaults otherwise.
func (f *Figure) size() (w, h vg.Length) {
	rows, cols := len(f.panels), 0
	if rows > 0 {
		cols = len(f.panels[0])
	}
	w, h = singleWidth, singleHeight
	if f.bodyWidth > 0 {
		w, h = f.bodyWidth, f.bodyHeight
	} else if rows*cols > 1 {
		w, h = max(singleWidth, vg.Length(cols)*panelWidth), vg.Length(rows)*panelHeight
	}
	if f.Width > 0 {
		w = f.Width
	}
	h += f.headerHeight(w)
	if f.Height > 0 {
		h = f.Height
	}
	return w, h
}

// Save writes the figure to path as PNG or SVG, chosen by the extension (.png or .svg, in any
// case). Any other extension is an error naming the path. The file is written only when the
// figure has been drawn completely.
func (f *Figure) Save(path string) error {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if format != "png" && format != "svg" {
		return fmt.Errorf("plots: save %q: unsupported extension %q, want .png or .svg", path, filepath.Ext(path))
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, format); err != nil {
		return fmt.Errorf("plots: save %q: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("plots: save: %w", err)
	}
	return nil
}

// Encode writes the figure to w in format "png" or "svg".
func (f *Figure) Encode(w io.Writer, format string) (err error) {
	width, height := f.size()
	if width <= 0 || height <= 0 || f.DPI < 0 {
		return fmt.Errorf("plots: figure size %v × %v at %d dpi, want positive sizes and dpi >= 0", width, height, f.DPI)
	}
	if len(f.panels) == 0 {
		return fmt.Errorf("plots: figure has no panels (build it with a constructor such as plots.ROC)")
	}
	defer func() { // gonum/plot panics on some inputs; the constructors validate, this is a backstop
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing the figure failed: %v", r)
		}
	}()
	switch format {
	case "png":
		dpi := f.DPI
		if dpi == 0 {
			dpi = DefaultDPI
		}
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(white))
		f.draw(draw.New(c))
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		return enc.Encode(w, c.Image())
	case "svg":
		c := vgsvg.New(width, height)
		f.draw(draw.New(c))
		_, err := c.WriteTo(w)
		return err
	}
	return fmt.Errorf("plots: unsupported format %q, want png or svg", format)
}

// margin is the blank border around the figure.
const margin = vg.Length(8)

// draw lays the figure out on c: title, legend strip, then the panels (and the colour bar).
func (f *Figure) draw(c draw.Canvas) {
	c.SetColor(white)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, margin, -margin, margin, -margin)

	if f.Title != "" {
		sty := textStyle(figureTitleSize, true)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.Title)
		c.Max.Y -= sty.Height(f.Title) + vg.Points(4)
	}
	if len(f.legend) > 0 {
		c.Max.Y -= drawLegendStrip(c, f.legend) + vg.Points(4)
	}

	main := c
	const barWidth = 0.85 * vg.Inch
	if f.colorBar != nil {
		main.Max.X -= barWidth
	}
	rows, cols := len(f.panels), len(f.panels[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(14), PadY: vg.Points(10)}
	canvases := plot.Align(f.panels, tiles, main)
	for j, row := range f.panels {
		for i, p := range row {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	if f.colorBar != nil {
		data := f.panels[0][0].DataCanvas(canvases[0][0])
		bar := c
		bar.Min.X = main.Max.X + vg.Points(6)
		bar.Min.Y, bar.Max.Y = data.Min.Y, data.Max.Y
		f.colorBar.Draw(bar)
	}
}

// headerHeight is the height the title and legend strip take on a figure of width w.
func (f *Figure) headerHeight(w vg.Length) vg.Length {
	var h vg.Length
	if f.Title != "" {
		h += textStyle(figureTitleSize, true).Height(f.Title) + vg.Points(4)
	}
	if len(f.legend) > 0 {
		h += legendStripHeight(w-2*margin, f.legend) + vg.Points(4)
	}
	return h
}
