package router

import (
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"/", "/"},
		{"/foo/bar", "/foo/bar"},
		{"/foo/a/../bar", "/foo/bar"},
		{"/foo//bar", "/foo/bar"},
		{"/foo/./bar", "/foo/bar"},
		{"/h%65llo", "/hello"},
		{"//", "/"},
		{"///a///b", "/a/b"},
		{"/..", "/"},
		{"/../..", "/"},
		{"/../a", "/a"},
		{"/a/..", "/"},
		{"/a/.", "/a/"},
		{"/a/./", "/a/"},
		{"/a/b/../../c", "/c"},
		{"/a/..//b", "/b"},
		{"/a/...", "/a/..."},
		{"/a/.b/..c", "/a/.b/..c"},
		{"/route./req", "/route./req"},
		{"/route%2E/req", "/route./req"},
		{"/route%2e%2E/req", "/route../req"},
		{"/a/%2e%2e/b", "/b"},
		{"/a/%2E/b", "/a/b"},
		// Reserved characters stay encoded, with upper-case hex.
		{"/a%2fb", "/a%2Fb"},
		{"/a%3f%23%25", "/a%3F%23%25"},
		{"/%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C", "/%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C"},
		// Unreserved and other characters are decoded.
		{"/%7Euser", "/~user"},
		{"/cat%20and%20dog", "/cat and dog"},
		{"/%C3%A9", "/\xc3\xa9"},
		// A "%" that starts no triplet stays, and decoding is one pass.
		{"/100%", "/100%"},
		{"/%zz", "/%zz"},
		{"/%%341", "/%41"},
		// Relative forms, as Kong's loop handles them.
		{"a/./b", "a/b"},
		{"./a", "a"},
		{"../a", "a"},
		{".", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := NormalizePath(tt.in); got != tt.want {
				t.Errorf("NormalizePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizePathAllocs(t *testing.T) {
	for _, p := range []string{"/", "/foo/bar/baz", "/a-b_c~d/e:f@g"} {
		if n := testing.AllocsPerRun(100, func() { NormalizePath(p) }); n != 0 {
			t.Errorf("NormalizePath(%q): %v allocs, want 0", p, n)
		}
	}
}

// hasMalformedPercent reports whether a "%" of p starts no %XX triplet.
func hasMalformedPercent(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			continue
		}
		if i+2 >= len(p) {
			return true
		}
		_, ok1 := unhex(p[i+1])
		_, ok2 := unhex(p[i+2])
		if !ok1 || !ok2 {
			return true
		}
		i += 2
	}
	return false
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/", "/foo/a/../bar", "/foo//bar", "/h%65llo", "/%2e%2E/x", "/a/./b/../../c/", "/%2f%zz%", "/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := "/" + s
		n := NormalizePath(p)
		if !strings.HasPrefix(n, "/") {
			t.Fatalf("NormalizePath(%q) = %q, does not start with /", p, n)
		}
		// Kong decodes in one pass, so a stray "%" next to decoded hex
		// digits ("/%%341" -> "/%41") may be decoded again by a second
		// pass: idempotence holds for well-formed percent-encoding only.
		if hasMalformedPercent(p) {
			return
		}
		if nn := NormalizePath(n); nn != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", p, n, nn)
		}
	})
}
