package markdown

import (
	"math"
	"strings"

	"charm.land/glamour/v2/ansi"
	gstyles "charm.land/glamour/v2/styles"
	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"

	"warden/tui/styles"
)

// Names under which the code block palettes are registered with chroma.
//
// Glamour registers every style's code palette under the single name
// "charm", and only the first one registered in the process wins: once a
// dark renderer has run, a light renderer would highlight its code in the
// dark palette (light grey on a light terminal). Giving each palette its own
// name keeps code readable on both.
const (
	darkCodeTheme  = "warden-markdown-dark"
	lightCodeTheme = "warden-markdown-light"
)

// chroma finds highlighting styles only by name in its own registry, so the
// two palettes are registered once, before anything can render, and never
// changed afterwards.
func init() {
	chromastyles.Register(chroma.MustNewStyle(darkCodeTheme, chromaEntries(gstyles.DarkStyleConfig.CodeBlock.Chroma, true)))
	chromastyles.Register(chroma.MustNewStyle(lightCodeTheme, chromaEntries(gstyles.LightStyleConfig.CodeBlock.Chroma, false)))
}

// glamourStyle is the glamour configuration for the given palette: glamour's
// own dark or light style (or its ASCII one without colour), changed to fit a
// transcript: no document margin, no blank first and last lines, ordinary
// text in the terminal's own foreground colour like the rest of the TUI.
// codeTheme is the chroma style for code, "" for none.
func glamourStyle(o styles.Options) (cfg ansi.StyleConfig, codeTheme string) {
	if o.NoColor {
		return noColorStyle(), ""
	}
	cfg = gstyles.LightStyleConfig
	theme := lightCodeTheme
	if o.Dark {
		cfg = gstyles.DarkStyleConfig
		theme = darkCodeTheme
	}
	cfg.Document = ansi.StyleBlock{Margin: uintPtr(0)}
	cfg.BlockQuote = quoteStyle(cfg.BlockQuote)
	cfg.CodeBlock.Chroma = nil
	cfg.CodeBlock.Theme = theme
	return cfg, theme
}

// noColorStyle is glamour's ASCII style (which has no colour) with emphasis
// drawn as bold and italic instead of as the markdown markers, as NO_COLOR
// allows.
func noColorStyle() ansi.StyleConfig {
	cfg := gstyles.ASCIIStyleConfig
	cfg.Document = ansi.StyleBlock{Margin: uintPtr(0)}
	cfg.BlockQuote = quoteStyle(cfg.BlockQuote)
	cfg.Heading.Bold = boolPtr(true)
	cfg.Strong = ansi.StylePrimitive{Bold: boolPtr(true)}
	cfg.Emph = ansi.StylePrimitive{Italic: boolPtr(true)}
	cfg.Strikethrough = ansi.StylePrimitive{CrossedOut: boolPtr(true)}
	// The ASCII style means to put code spans in backticks but sets them
	// where glamour never draws them.
	cfg.Code = ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Prefix: "`", Suffix: "`"}}
	cfg.Link = ansi.StylePrimitive{Underline: boolPtr(true)}
	cfg.LinkText = ansi.StylePrimitive{Bold: boolPtr(true)}
	return cfg
}

// quoteStyle draws the quote bar as a margin rather than an indent. Glamour
// leaves one column per indent but two per margin (left and right), and
// draws the bar token ("│ ", two columns) once for either: as an indent,
// every full quoted line overflows by one column and glamour breaks it.
func quoteStyle(q ansi.StyleBlock) ansi.StyleBlock {
	q.Indent = nil
	q.Margin = uintPtr(1)
	return q
}

// chromaEntries turns glamour's code palette into chroma's, the way glamour
// does it for its "charm" style, for a dark or light background.
func chromaEntries(c *ansi.Chroma, dark bool) chroma.StyleEntries {
	chromaEntry := func(p ansi.StylePrimitive) string { return chromaEntry(p, dark) }
	return chroma.StyleEntries{
		chroma.Text:                chromaEntry(c.Text),
		chroma.Error:               chromaEntry(c.Error),
		chroma.Comment:             chromaEntry(c.Comment),
		chroma.CommentPreproc:      chromaEntry(c.CommentPreproc),
		chroma.Keyword:             chromaEntry(c.Keyword),
		chroma.KeywordReserved:     chromaEntry(c.KeywordReserved),
		chroma.KeywordNamespace:    chromaEntry(c.KeywordNamespace),
		chroma.KeywordType:         chromaEntry(c.KeywordType),
		chroma.Operator:            chromaEntry(c.Operator),
		chroma.Punctuation:         chromaEntry(c.Punctuation),
		chroma.Name:                chromaEntry(c.Name),
		chroma.NameBuiltin:         chromaEntry(c.NameBuiltin),
		chroma.NameTag:             chromaEntry(c.NameTag),
		chroma.NameAttribute:       chromaEntry(c.NameAttribute),
		chroma.NameClass:           chromaEntry(c.NameClass),
		chroma.NameConstant:        chromaEntry(c.NameConstant),
		chroma.NameDecorator:       chromaEntry(c.NameDecorator),
		chroma.NameException:       chromaEntry(c.NameException),
		chroma.NameFunction:        chromaEntry(c.NameFunction),
		chroma.NameOther:           chromaEntry(c.NameOther),
		chroma.Literal:             chromaEntry(c.Literal),
		chroma.LiteralNumber:       chromaEntry(c.LiteralNumber),
		chroma.LiteralDate:         chromaEntry(c.LiteralDate),
		chroma.LiteralString:       chromaEntry(c.LiteralString),
		chroma.LiteralStringEscape: chromaEntry(c.LiteralStringEscape),
		chroma.GenericDeleted:      chromaEntry(c.GenericDeleted),
		chroma.GenericEmph:         chromaEntry(c.GenericEmph),
		chroma.GenericInserted:     chromaEntry(c.GenericInserted),
		chroma.GenericStrong:       chromaEntry(c.GenericStrong),
		chroma.GenericSubheading:   chromaEntry(c.GenericSubheading),
		// Only the foreground: code is drawn on the terminal's own
		// background, as chroma's terminal formatters do.
		chroma.Background: chromaEntry(ansi.StylePrimitive{Color: c.Background.Color}),
	}
}

func chromaEntry(p ansi.StylePrimitive, dark bool) string {
	var parts []string
	if p.Color != nil {
		parts = append(parts, snap256(readable(*p.Color, dark)))
	}
	if p.BackgroundColor != nil {
		parts = append(parts, "bg:"+snap256(*p.BackgroundColor))
	}
	if p.Italic != nil && *p.Italic {
		parts = append(parts, "italic")
	}
	if p.Bold != nil && *p.Bold {
		parts = append(parts, "bold")
	}
	if p.Underline != nil && *p.Underline {
		parts = append(parts, "underline")
	}
	return strings.Join(parts, " ")
}

// minContrast is the contrast (WCAG's ratio) code colours keep with the
// terminal's background, taken as black or white. Glamour's light palette
// has pinks and yellows (#FA7878 punctuation, #A3A322 decorators) that are
// hard to read on white.
const minContrast = 3.0

// readable darkens (on a light background) or lightens (on a dark one) a
// #rrggbb colour until the palette colour it snaps to has minContrast with
// the background.
func readable(colour string, dark bool) string {
	c := chroma.ParseColour(colour)
	if !c.IsSet() || !strings.HasPrefix(colour, "#") {
		return colour
	}
	r, g, b := float64(c.Red()), float64(c.Green()), float64(c.Blue())
	for range 40 {
		if contrast(xterm256(nearest256(chroma.NewColour(uint8(r), uint8(g), uint8(b)))), dark) >= minContrast {
			break
		}
		if dark {
			r, g, b = r+(255-r)*0.1, g+(255-g)*0.1, b+(255-b)*0.1
		} else {
			r, g, b = r*0.9, g*0.9, b*0.9
		}
	}
	return chroma.NewColour(uint8(r), uint8(g), uint8(b)).String()
}

// contrast is WCAG's contrast ratio of c with black (dark) or white.
func contrast(c chroma.Colour, dark bool) float64 {
	l := luminance(float64(c.Red()), float64(c.Green()), float64(c.Blue()))
	if dark {
		return (l + 0.05) / 0.05
	}
	return 1.05 / (l + 0.05)
}

// luminance is WCAG's relative luminance of an sRGB colour.
func luminance(r, g, b float64) float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// snap256 replaces a #rrggbb colour by the nearest of the 240 fixed colours
// of the 256-colour palette (16 to 255; the first 16 are the terminal
// theme's own), ties going to the lower number, so that code is drawn in
// exact palette colours, the same on every run and terminal.
func snap256(colour string) string {
	want := chroma.ParseColour(colour)
	if !want.IsSet() || !strings.HasPrefix(colour, "#") {
		return colour
	}
	return xterm256(nearest256(want)).String()
}

// nearest256 is the number of the fixed palette colour nearest c.
func nearest256(c chroma.Colour) int {
	best, bestDistance := 16, -1.0
	for n := 16; n < 256; n++ {
		if d := xterm256(n).Distance(c); bestDistance < 0 || d < bestDistance {
			best, bestDistance = n, d
		}
	}
	return best
}

// xterm256 is colour n of the xterm 256-colour palette, as chroma has it.
func xterm256(n int) chroma.Colour {
	system := [16]string{
		"#000000", "#800000", "#008000", "#808000", "#000080", "#800080", "#008080", "#c0c0c0",
		"#808080", "#ff0000", "#00ff00", "#ffff00", "#0000ff", "#ff00ff", "#00ffff", "#ffffff",
	}
	switch {
	case n < 16:
		return chroma.MustParseColour(system[n])
	case n < 232:
		level := func(i int) int {
			if i == 0 {
				return 0
			}
			return 55 + 40*i
		}
		n -= 16
		return chroma.NewColour(uint8(level(n/36)), uint8(level(n/6%6)), uint8(level(n%6)))
	default:
		g := uint8(8 + 10*(n-232))
		return chroma.NewColour(g, g, g)
	}
}

func uintPtr(u uint) *uint { return &u }
func boolPtr(b bool) *bool { return &b }
