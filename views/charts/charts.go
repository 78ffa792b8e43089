// Package charts draws simple charts as SVG on the server, so they show
// without JavaScript, print, and read out to a screen reader: every chart is
// an image with a title and a description, and every bar carries its number
// as text beside it. Pages show the same numbers in a table as well.
package charts

import (
	"context"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"

	"yishi/views"
)

// Bar is one bar: its value, and the text written beside it (the number as
// people read it, or "—" when there is none, which draws no bar).
type Bar struct {
	Value float64
	Text  string
}

// Group is one labelled line of a chart (a community, a category) with one
// bar per series.
type Group struct {
	Label string
	Bars  []Bar
}

// Chart is a horizontal bar chart. With more than one series each group's
// label stands on its own line above its bars, each bar named by its
// series; with one series each group is a single line.
type Chart struct {
	ID     string // unique on the page; also its data-testid
	Title  string
	Desc   string
	Max    float64 // the value a full-length bar stands for; 0: the largest value
	Series []string
	Groups []Group
}

// Colours of the series, dark enough for text-level contrast on white; the
// high-contrast stylesheet turns them black. Series are also named in text,
// so colour never carries meaning alone.
var palette = []string{"#0b4f9c", "#0d5323", "#8a1c12", "#5b2a86"}

// Component renders the chart, larger in large-text mode.
func (c Chart) Component() templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, c.SVG(views.E(ctx).LargeText))
		return err
	})
}

// textWidth estimates how wide s is at font size fs: full width for
// Chinese, a little over half for Latin letters and digits.
func textWidth(s string, fs float64) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x2e80 {
			w += fs * 0.62
		} else {
			w += fs
		}
	}
	return w
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// SVG returns the chart's markup.
func (c Chart) SVG(large bool) string {
	fs := 16.0
	if large {
		fs = 20
	}
	max := c.Max
	if max <= 0 {
		for _, g := range c.Groups {
			for _, b := range g.Bars {
				if b.Value > max {
					max = b.Value
				}
			}
		}
	}
	multi := len(c.Series) > 1
	// The label column fits the longest label; the value column, the longest number.
	labelW, valueW := 0.0, textWidth("100.0%", fs)
	for _, g := range c.Groups {
		if !multi {
			labelW = maxf(labelW, textWidth(g.Label, fs))
		}
		for _, b := range g.Bars {
			valueW = maxf(valueW, textWidth(b.Text, fs))
		}
	}
	if multi {
		for _, s := range c.Series {
			labelW = maxf(labelW, textWidth(s, fs))
		}
	}
	labelW += fs
	valueW += fs
	width := 45 * fs
	plotW := width - labelW - valueW
	if plotW < 12*fs {
		plotW = 12 * fs
		width = labelW + plotW + valueW
	}
	barH, gap := fs*1.4, fs*0.5

	var body strings.Builder
	y := gap
	for gi, g := range c.Groups {
		fmt.Fprintf(&body, `<g class="chart-group" data-label="%s">`, esc(g.Label))
		if multi {
			fmt.Fprintf(&body, `<text class="chart-label" x="0" y="%s" font-weight="700">%s</text>`, num(y+fs), esc(g.Label))
			y += fs * 1.5
		}
		for bi, b := range g.Bars {
			name := g.Label
			if multi && bi < len(c.Series) {
				name = c.Series[bi]
			}
			fmt.Fprintf(&body, `<text class="chart-series" x="0" y="%s">%s</text>`, num(y+barH*0.75), esc(name))
			frac := 0.0
			if max > 0 && b.Value > 0 {
				frac = minf(b.Value/max, 1)
			}
			bw := plotW * frac
			colour := palette[0]
			if multi {
				colour = palette[bi%len(palette)]
			}
			fmt.Fprintf(&body, `<rect class="chart-track" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#8a8f98" stroke-width="1"/>`,
				num(labelW), num(y), num(plotW), num(barH))
			fmt.Fprintf(&body, `<rect class="chart-bar chart-s%d" x="%s" y="%s" width="%s" height="%s" fill="%s" data-value="%s"/>`,
				bi%len(palette), num(labelW), num(y), num(bw), num(barH), colour, num(b.Value))
			fmt.Fprintf(&body, `<text class="chart-value" x="%s" y="%s" font-weight="700">%s</text>`, num(labelW+plotW+fs*0.4), num(y+barH*0.75), esc(b.Text))
			y += barH + gap
		}
		body.WriteString(`</g>`)
		if multi && gi < len(c.Groups)-1 {
			y += gap
		}
	}
	height := y + gap
	var out strings.Builder
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="%[1]s-title %[1]s-desc" data-testid="%[1]s" `+
		`viewBox="0 0 %[2]s %[3]s" width="%[2]s" height="%[3]s" font-size="%[4]s" fill="#1a1a1a">`, esc(c.ID), num(width), num(height), num(fs))
	fmt.Fprintf(&out, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	out.WriteString(body.String())
	out.WriteString(`</svg>`)
	return out.String()
}

func esc(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return html.EscapeString(s)
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}
