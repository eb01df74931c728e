package conf

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     File
	}{
		{"assignment", "log_level = debug\n", File{"log_level": "debug"}},
		{"no spaces", "log_level=debug", File{"log_level": "debug"}},
		{"surrounding whitespace", "  \tlog_level \t=  debug \t\n", File{"log_level": "debug"}},
		{"crlf", "log_level = debug\r\nprefix = /p\r\n", File{"log_level": "debug", "prefix": "/p"}},
		{"whole-line comments", "# x = 1\n  ; y = 2\n\n   \nz = 3", File{"z": "3"}},
		{"trailing comment", "database = postgres # strip me", File{"database": "postgres"}},
		{"comment without space", "database = postgres#x", File{"database": "postgres"}},
		{"escaped hash", `pg_password = test\#123  # comment`, File{"pg_password": "test#123"}},
		{"escaped then comment", `pg_password = a\#b#c`, File{"pg_password": "a#b"}},
		{"only a comment", "pg_password = # nothing", File{"pg_password": ""}},
		{"empty value", "dns_order =", File{"dns_order": ""}},
		{"first equals splits", "lua_package_path = a=b=c", File{"lua_package_path": "a=b=c"}},
		{"last assignment wins", "pg_database = a\npg_database = b", File{"pg_database": "b"}},
		{"key characters become underscores", "pg-host = h\npg.port = 1\npg user = u", File{"pg_host": "h", "pg_port": "1", "pg_user": "u"}},
		{"key case kept", "PG_HOST = h", File{"PG_HOST": "h"}},
		{"continuation", "plugins = a,\\\n  b,\\  \n c", File{"plugins": "a,  b, c"}},
		{"comment inside continuation skipped", "plugins = a,\\\n# no\n b", File{"plugins": "a, b"}},
		{"continuation open at end is dropped", "prefix = /p\nplugins = a,\\", File{"prefix": "/p"}},
		{"lines without equals", "just words\n[section]\nprefix = /p", File{"prefix": "/p"}},
		{"empty key", "= value", File{"": "value"}},
		{"semicolon in value kept", "lua_package_path = ./?.lua; ; x", File{"lua_package_path": "./?.lua; ; x"}},
		{"no final newline", "prefix = /p", File{"prefix": "/p"}},
		{"empty input", "", File{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseEdgeFile(t *testing.T) {
	t.Parallel()
	fh, err := os.Open("testdata/edge.conf")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	got, err := Parse(fh)
	if err != nil {
		t.Fatal(err)
	}
	want := File{
		"log_level":        "debug",
		"database":         "off",
		"pg_host":          "dashed.example",
		"pg_password":      "a#b",
		"pg_user":          "user",
		"plugins":          "a,    b,     c",
		"lua_package_path": "./?.lua;./?/init.lua; ; not a comment",
		"pg_database":      "second",
		"dns_order":        "",
		"":                 "value without key",
		"headers":          "server_tokens,",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse(edge.conf) mismatch (-want +got):\n%s", diff)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	t.Parallel()
	if _, err := Parse(failingReader{}); err == nil || err.Error() != "disk on fire" {
		t.Errorf("Parse(failing reader) error = %v, want the reader's error", err)
	}
}
