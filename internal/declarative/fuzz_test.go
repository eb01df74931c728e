package declarative

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that every failure is an
// *Error whose renderings work: a message, JSON-encodable fields, CLI
// text and flattened errors.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yml")
	more, _ := filepath.Glob("testdata/*/*.json")
	for _, file := range append(seeds, more...) {
		if strings.HasSuffix(file, ".golden.json") {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(ExampleConfig))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("a: &a\n  b: *a\n"))
	f.Add([]byte(`{"_format_version":"3.0","services":[{"name":"s","host":"h","routes":[{"paths":["/"]}]}]}`))
	c := testCatalog()
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(c, data)
		if err == nil {
			if cfg.Hash == "" || cfg.Entities == nil {
				t.Fatalf("incomplete config %+v", cfg)
			}
			return
		}
		var derr *Error
		if !errors.As(err, &derr) {
			t.Fatalf("error %T is not an *Error: %v", err, err)
		}
		if !strings.HasPrefix(derr.Error(), messagePrefix+"{") {
			t.Fatalf("message %q", derr.Error())
		}
		if derr.Pretty() == "" {
			t.Fatal("empty CLI text")
		}
		if _, err := json.Marshal(derr.Fields()); err != nil {
			t.Fatalf("fields: %v", err)
		}
		items, rest := derr.Flatten()
		for _, it := range items {
			if it.EntityType == "" || len(it.Errors) == 0 {
				t.Fatalf("flattened item %+v", it)
			}
		}
		_ = rest.Error()
	})
}
