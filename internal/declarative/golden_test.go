package declarative

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/errors")

// golden is what an invalid document produces, as the Admin API and the
// CLI show it.
type golden struct {
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields"`
	Pretty  []string       `json:"pretty"`
	// Flattened is POST /config?flatten_errors=1: the remaining message
	// and fields, and the flattened errors.
	Flattened struct {
		Message string           `json:"message"`
		Fields  map[string]any   `json:"fields"`
		Errors  []FlattenedError `json:"flattened_errors"`
	} `json:"flatten_errors"`
}

// TestGoldenErrors parses every testdata/errors/<case>.yml and compares
// its error with <case>.golden.json (go test -update rewrites them).
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yml")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			derr := mustFail(t, string(text))
			var g golden
			g.Message = derr.Error()
			g.Fields = derr.Fields()
			g.Pretty = strings.Split(derr.Pretty(), "\n")
			items, rest := derr.Flatten()
			g.Flattened.Message, g.Flattened.Fields, g.Flattened.Errors = rest.Error(), rest.Fields(), items
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := strings.TrimSuffix(file, ".yml") + ".golden.json"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", name, path, got)
			}
		})
	}
}

// TestValidFiles parses every testdata/valid file (also the fuzz seeds).
func TestValidFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cfg := mustParse(t, string(text))
			if cfg.Len() == 0 {
				t.Error("no entities")
			}
		})
	}
}
