package proxy

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/router"
)

func TestHashInput(t *testing.T) {
	t.Parallel()
	s := &State{request: Request{
		rawPath:  "/a/b",
		rawQuery: "k=2&flag&k=1&other=x&k%20=sp&e=",
		header: &headerList{fields: []Header{
			{"X-Key", "one"}, {"Cookie", "a=1; session=abc"}, {"x-key", "two"}, {"Cookie", "b=2"},
		}},
		match: &router.Match{Path: "/a/b"},
	}}
	h := (*hashInput)(s)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"header joined", h.Header("x-key"), "one, two"},
		{"header absent", h.Header("X-None"), ""},
		{"cookie", h.Cookie("session"), "abc"},
		{"cookie second line", h.Cookie("b"), "2"},
		{"cookie absent", h.Cookie("c"), ""},
		{"path", h.Path(), "/a/b"},
		{"query sorted", h.QueryArg("k"), "1,2"},
		{"query flag", h.QueryArg("flag"), "true"},
		{"query escaped name", h.QueryArg("k "), "sp"},
		{"query empty value", h.QueryArg("e"), ""},
		{"query absent", h.QueryArg("none"), ""},
		{"no capture", h.URICapture("1"), ""},
		{"consumer", h.Consumer(), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
