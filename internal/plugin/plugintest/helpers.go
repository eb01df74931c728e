package plugintest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/declarative"
)

// DecodeEcho decodes what the echo upstream saw from a proxied response's
// body, failing the test when the body is not the echo's.
func DecodeEcho(t testing.TB, body string) Echoed {
	t.Helper()
	var e Echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not the echo's body: %q", body)
	}
	return e
}

// Load replaces the configuration with a declarative document (kong.yml)
// and rebuilds the snapshot, as POST /config does.
func (e *Env) Load(doc string) {
	e.T.Helper()
	cfg, err := declarative.Parse(e.DB.Catalog(), []byte(doc))
	if err != nil {
		e.T.Fatal(err)
	}
	ctx := context.Background()
	if err := declarative.Load(ctx, e.DB, cfg); err != nil {
		e.T.Fatal(err)
	}
	if err := e.Holder.Rebuild(ctx); err != nil {
		e.T.Fatal(err)
	}
}

// Export returns the configuration as a declarative document, as
// `config db_export` writes it.
func (e *Env) Export() string {
	e.T.Helper()
	out, err := declarative.Export(context.Background(), e.DB)
	if err != nil {
		e.T.Fatal(err)
	}
	return string(out)
}

// Loop sends req through the proxy for each iteration of b, failing on
// any status but 200: the loop of the plugins' proxy benchmarks.
func (e *Env) Loop(b *testing.B, req *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.Client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
