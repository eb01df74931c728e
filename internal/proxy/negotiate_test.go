package proxy

import "testing"

func TestNegotiateFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accept string
		want   errorFormat
	}{
		{"", formatJSON},
		{"application/json", formatJSON},
		{"text/html", formatHTML},
		{"application/xml", formatXML},
		{"text/plain", formatPlain},
		{"text/*", formatPlain},
		{"application/*", formatJSON},
		{"*/*", formatJSON},
		{"image/png", formatJSON},
		{"TEXT/HTML", formatJSON}, // Kong's MIME table is case-sensitive
		{"text/html; charset=utf-8", formatHTML},
		{"text/plain, text/html", formatPlain},      // first wins on ties
		{"text/plain;q=0.5, text/html", formatHTML}, // highest q wins
		{"text/plain;q=0.5, text/html;q=0.8, application/xml;q=0.3", formatHTML}, // spec: picks highest q-value
		{"text/html;q=0, text/plain;q=0", formatJSON},                            // q=0 never wins
		{"text/html;q=2, text/plain;q=0.9", formatHTML},                          // unreadable q counts as 1
		{"text/html;level=1;q=0.4, application/xml;q=0.5", formatXML},
		{"text/html ; q=0.1 , text/plain ; q=0.2", formatPlain},
		{"x/y, text/html;q=0.9", formatHTML}, // "x/y" does not parse
		{"h/t", formatJSON},                  // one-character types do not parse
		{"garbage, text/html", formatHTML},
		{"text/html;q=1.000", formatHTML},
		{"text/xml;q=0.999,text/plain;q=0.998", formatJSON},
	}
	for _, tt := range tests {
		if got := negotiateFormat(tt.accept); got != tt.want {
			t.Errorf("negotiateFormat(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func FuzzNegotiateFormat(f *testing.F) {
	for _, s := range []string{"text/html;q=0.5", "a/b;;q=1.", "*/*;q=", ";;;", "text/html;level", "q=0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := negotiateFormat(s); got > formatPlain {
			t.Fatalf("format %d out of range", got)
		}
	})
}
