package proxy_test

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHTTPSUpstream proxies to a TLS upstream: the certificate is not
// verified unless the service asks (Kong's tls_verify), and the server
// name sent is the Host's name.
func TestHTTPSUpstream(t *testing.T) {
	t.Parallel()
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"sni": r.TLS.ServerName, "host": r.Host, "uri": r.RequestURI})
	}))
	up.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	up.StartTLS()
	t.Cleanup(up.Close)
	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/ip"}})
	e.route(e.service(up.URL, map[string]any{"tls_verify": true}), map[string]any{"paths": []any{"/verify"}})
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/named"}, "hosts": []any{"named.test"}, "preserve_host": true})

	tests := []struct {
		path, host     string
		status         int
		wantSNI, wantH string
	}{
		{"/ip/x", "", 200, "", up.Listener.Addr().String()},
		{"/named/x", "named.test", 200, "named.test", "named.test"},
		{"/verify/x", "", 502, "", ""},
	}
	for _, tt := range tests {
		res, body := e.do(request{path: tt.path, host: tt.host})
		if res.StatusCode != tt.status {
			t.Errorf("%s: %d %s", tt.path, res.StatusCode, body)
			continue
		}
		if tt.status != 200 {
			continue
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got["sni"] != tt.wantSNI || got["host"] != tt.wantH || got["uri"] != "/x" {
			t.Errorf("%s: upstream saw %v", tt.path, got)
		}
	}
}
