package charts

import (
	"bytes"
	"context"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"yishi/views"
)

// node is any SVG element, parsed generically.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) float(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, n.attr(name), err)
	}
	return v
}

// find returns every element below n with the class.
func (n node) find(class string) []node {
	var out []node
	for _, c := range n.Nodes {
		if strings.Contains(" "+c.attr("class")+" ", " "+class+" ") {
			out = append(out, c)
		}
		out = append(out, c.find(class)...)
	}
	return out
}

func parse(t *testing.T, s string) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal([]byte(s), &root); err != nil {
		t.Fatalf("not well-formed SVG: %v\n%s", err, s)
	}
	if root.XMLName.Local != "svg" || root.attr("role") != "img" {
		t.Fatalf("root %s role %q", root.XMLName.Local, root.attr("role"))
	}
	return root
}

func TestGroupedBarsAreProportionalAndLabelled(t *testing.T) {
	c := Chart{
		ID: "rates", Title: "三率 <按社区>", Desc: "响应率、解决率、满意率", Max: 1,
		Series: []string{"响应率", "解决率", "满意率"},
		Groups: []Group{
			{Label: "幸福社区", Bars: []Bar{{0.5, "50.0%"}, {1, "100.0%"}, {0.25, "25.0%"}}},
			{Label: "和谐社区 & 二", Bars: []Bar{{0.75, "75.0%"}, {0, "—"}, {0, "0.0%"}}},
		},
	}
	for _, large := range []bool{false, true} {
		root := parse(t, c.SVG(large))
		var title, desc string
		for _, n := range root.Nodes {
			switch n.XMLName.Local {
			case "title":
				title = n.Text
			case "desc":
				desc = n.Text
			}
		}
		if title != c.Title || desc != c.Desc || root.attr("aria-labelledby") != "rates-title rates-desc" {
			t.Fatalf("title %q desc %q labelledby %q", title, desc, root.attr("aria-labelledby"))
		}
		bars := root.find("chart-bar")
		values := root.find("chart-value")
		tracks := root.find("chart-track")
		if len(bars) != 6 || len(values) != 6 || len(tracks) != 6 {
			t.Fatalf("%d bars, %d values, %d tracks", len(bars), len(values), len(tracks))
		}
		full := tracks[0].float(t, "width")
		want := []float64{0.5, 1, 0.25, 0.75, 0, 0}
		texts := []string{"50.0%", "100.0%", "25.0%", "75.0%", "—", "0.0%"}
		for i, b := range bars {
			if got := b.float(t, "width"); math.Abs(got-want[i]*full) > 0.01 {
				t.Errorf("bar %d: width %v, want %v of %v", i, got, want[i], full)
			}
			if values[i].Text != texts[i] {
				t.Errorf("bar %d: label %q, want %q", i, values[i].Text, texts[i])
			}
		}
		// Every bar is named by its series and every group by its label.
		series := root.find("chart-series")
		if len(series) != 6 || series[0].Text != "响应率" || series[5].Text != "满意率" {
			t.Fatalf("series labels %v", series)
		}
		labels := root.find("chart-label")
		if len(labels) != 2 || labels[1].Text != "和谐社区 & 二" {
			t.Fatalf("group labels %v", labels)
		}
	}
	if small, large := parse(t, c.SVG(false)).float(t, "font-size"), parse(t, c.SVG(true)).float(t, "font-size"); large <= small {
		t.Errorf("large text %v not larger than %v", large, small)
	}
}

func TestSingleSeriesScalesToTheLargest(t *testing.T) {
	c := Chart{ID: "overdue", Title: "超期", Desc: "按类别", Series: []string{"超期"}, Groups: []Group{
		{Label: "设施维修", Bars: []Bar{{4, "4"}}},
		{Label: "Elderly and disabled care", Bars: []Bar{{1, "1"}}},
		{Label: "其他", Bars: []Bar{{0, "0"}}},
	}}
	var buf bytes.Buffer
	if err := c.Component().Render(views.WithEnv(context.Background(), &views.Env{LargeText: true}), &buf); err != nil {
		t.Fatal(err)
	}
	root := parse(t, buf.String())
	if root.attr("font-size") != "20" {
		t.Errorf("large-text mode font size %q", root.attr("font-size"))
	}
	bars, tracks, values := root.find("chart-bar"), root.find("chart-track"), root.find("chart-value")
	full := tracks[0].float(t, "width")
	if w := bars[0].float(t, "width"); math.Abs(w-full) > 0.01 {
		t.Errorf("largest bar %v, want full %v", w, full)
	}
	if r := bars[1].float(t, "width") / bars[0].float(t, "width"); math.Abs(r-0.25) > 0.001 {
		t.Errorf("ratio %v, want 0.25", r)
	}
	if bars[2].float(t, "width") != 0 || values[2].Text != "0" {
		t.Errorf("zero bar %v %q", bars[2].attr("width"), values[2].Text)
	}
	// The label column is wide enough for the longest label.
	if x := bars[0].float(t, "x"); x < textWidth("Elderly and disabled care", 20) {
		t.Errorf("bars start at %v, over the labels", x)
	}
	if len(root.find("chart-label")) != 0 || root.find("chart-series")[1].Text != "Elderly and disabled care" {
		t.Error("a single-series chart names each line by its group")
	}
	if empty := parse(t, (Chart{ID: "e", Title: "空", Desc: "无"}).SVG(false)); len(empty.find("chart-bar")) != 0 {
		t.Error("an empty chart drew bars")
	}
}
