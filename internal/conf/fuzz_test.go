package conf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse, seeded from testdata/*.conf*, feeds arbitrary kong.conf text through Parse and the whole
// loader. Properties: nothing panics; a rejected configuration is Errors in
// which every error names a property and has a message; an accepted one
// survives a round trip through .kong_env unchanged.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.conf*")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("proxy_listen = [::1]:80 ssl, off\nheaders = off,server\ntrusted_ips = unix:, ::/0\n"))
	f.Add([]byte("pg_password = a\\#b \\\\\nplugins = ,\nlog_level =\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Parse failed on an in-memory reader: %v", err)
		}
		c, err := load(sources{file: file})
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("load error %v (%T) is not a non-empty Errors", err, err)
			}
			for _, e := range errs {
				if !known(e.Property) || e.Message == "" {
					t.Errorf("error %q names %q, not a property", e.Message, e.Property)
				}
			}
			return
		}
		back, err := readEnv(bytes.NewReader(envText(c)), c.Prefix)
		if err != nil {
			t.Fatalf("reading back .kong_env failed: %v\n%s", err, envText(c))
		}
		if diff := cmp.Diff(c.values, back.values); diff != "" {
			t.Errorf(".kong_env round trip mismatch (-loaded +read back):\n%s", diff)
		}
	})
}
