package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPluginsThroughAdminAPI configures bundled plugins with the Admin API
// on a running node and checks they run on proxied requests.
func TestPluginsThroughAdminAPI(t *testing.T) {
	n := start(t, nil)
	up := upstream(t, "up")
	status, _, body := call(t, "GET", n.admin+"/", "", "")
	var root struct {
		Plugins struct {
			Available map[string]any `json:"available_on_server"`
		} `json:"plugins"`
	}
	if status != 200 || json.Unmarshal(body, &root) != nil {
		t.Fatalf("GET /: %d %s", status, body)
	}
	for _, name := range []string{"request-termination", "ip-restriction", "cors", "request-size-limiting"} {
		if _, ok := root.Plugins.Available[name]; !ok {
			t.Errorf("%s not in plugins.available_on_server", name)
		}
	}
	for _, step := range []struct{ path, body string }{
		{"/services", `{"name":"s","url":"` + up.URL + `"}`},
		{"/services/s/routes", `{"name":"closed","paths":["/closed"]}`},
		{"/services/s/routes", `{"name":"denied","paths":["/denied"]}`},
		{"/services/s/routes", `{"name":"open","paths":["/open"]}`},
		{"/routes/closed/plugins", `{"name":"request-termination","config":{"status_code":503,"message":"closed for maintenance"}}`},
		{"/routes/denied/plugins", `{"name":"ip-restriction","config":{"deny":["127.0.0.0/8"]}}`},
	} {
		if status, _, b := call(t, "POST", n.admin+step.path, "application/json", step.body); status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", step.path, status, b)
		}
	}
	// Both plugins were added by separate writes: wait until the snapshot
	// holds the last one too.
	eventually(t, 2*time.Second, "the plugins to run", func() bool {
		closed, _ := get(t, n.proxy+"/closed")
		denied, _ := get(t, n.proxy+"/denied")
		return closed == http.StatusServiceUnavailable && denied == http.StatusForbidden
	})
	if status, body := get(t, n.proxy+"/closed"); status != 503 || !strings.Contains(body, "closed for maintenance") {
		t.Errorf("request-termination: %d %q", status, body)
	}
	if status, body := get(t, n.proxy+"/denied"); status != 403 || !strings.Contains(body, "IP address not allowed") {
		t.Errorf("ip-restriction: %d %q", status, body)
	}
	if status, body := get(t, n.proxy+"/open/x"); status != 200 || body != "up /x" {
		t.Errorf("route without plugins: %d %q", status, body)
	}
}
