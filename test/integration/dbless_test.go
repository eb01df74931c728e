package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// upstream returns a server answering its name, and records paths.
func upstream(t *testing.T, name string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", name, r.URL.Path)
	}))
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestDBLess starts from a declarative file, reloads through POST /config,
// and keeps serving the running configuration when a new one is invalid.
func TestDBLess(t *testing.T) {
	a, b := upstream(t, "a"), upstream(t, "b")
	file := filepath.Join(t.TempDir(), "kong.yml")
	doc := fmt.Sprintf(`_format_version: "3.0"
services:
- name: a
  url: %s/base
  routes:
  - name: ra
    paths: [/a]
`, a.URL)
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	n := start(t, map[string]string{"database": "off", "declarative_config": file})

	if status, body := get(t, n.proxy+"/a/x"); status != 200 || body != "a /base/x" {
		t.Fatalf("declarative route: %d %q", status, body)
	}
	status, _, body := call(t, "POST", n.admin+"/services", "application/json", `{"host":"x"}`)
	if status != http.StatusMethodNotAllowed || !strings.Contains(string(body), `"code":12`) {
		t.Errorf("write in DB-less mode: %d %s", status, body)
	}

	next := fmt.Sprintf(`_format_version: "3.0"
services:
- name: b
  url: %s
  routes:
  - name: rb
    paths: [/b]
`, b.URL)
	status, _, body = call(t, "POST", n.admin+"/config", "application/yaml", next)
	if status != http.StatusCreated {
		t.Fatalf("POST /config: %d %s", status, body)
	}
	eventually(t, 2*time.Second, "the new configuration", func() bool {
		status, body := get(t, n.proxy+"/b/y")
		return status == 200 && body == "b /y"
	})
	if status, _ := get(t, n.proxy+"/a/x"); status != http.StatusNotFound {
		t.Errorf("route of the replaced configuration still answers %d", status)
	}

	bad := `_format_version: "3.0"
services:
- name: c
  host: example.test
  routes:
  - paths: [nope]
`
	status, _, body = call(t, "POST", n.admin+"/config?flatten_errors=1", "application/yaml", bad)
	if status != http.StatusBadRequest {
		t.Fatalf("invalid POST /config: %d %s", status, body)
	}
	var e struct {
		Code            int              `json:"code"`
		FlattenedErrors []map[string]any `json:"flattened_errors"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Code != 14 || len(e.FlattenedErrors) == 0 {
		t.Errorf("invalid config error body: %s", body)
	}
	if status, body := get(t, n.proxy+"/b/y"); status != 200 || body != "b /y" {
		t.Errorf("running configuration lost after a rejected one: %d %q", status, body)
	}
}
