package integration

import (
	"net/http"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
)

// TestDeletedCredentialRefusedOnEveryNode: two nodes on one database; a
// key-auth credential created through node A authenticates on node B, and
// once deleted through A, B refuses it (cluster events reach B's cache).
func TestDeletedCredentialRefusedOnEveryNode(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	a := clusterNode(t, db, nil)
	b := clusterNode(t, db, nil)
	up := upstream(t, "secure")
	mustAdmin(t, a, "POST", "/services", `{"name":"s","url":"`+up.URL+`"}`, http.StatusCreated)
	mustAdmin(t, a, "POST", "/services/s/routes", `{"name":"r","paths":["/secure"]}`, http.StatusCreated)
	mustAdmin(t, a, "POST", "/routes/r/plugins", `{"name":"key-auth"}`, http.StatusCreated)
	mustAdmin(t, a, "POST", "/consumers", `{"username":"alice"}`, http.StatusCreated)
	cred := mustAdmin(t, a, "POST", "/consumers/alice/key-auth", `{"key":"alice-secret"}`, http.StatusCreated)

	withKey := func(n *node) int {
		req, _ := http.NewRequest("GET", n.proxy+"/secure", nil)
		req.Header.Set("apikey", "alice-secret")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	eventually(t, 2*time.Second, "the key to work on node B", func() bool { return withKey(b) == http.StatusOK })
	if status, _ := get(t, b.proxy+"/secure"); status != http.StatusUnauthorized {
		t.Errorf("no key on node B: %d, want 401", status)
	}

	mustAdmin(t, a, "DELETE", "/consumers/alice/key-auth/"+cred["id"].(string), "", http.StatusNoContent)
	start := time.Now()
	eventually(t, 2*time.Second, "node B to refuse the deleted key", func() bool { return withKey(b) == http.StatusUnauthorized })
	t.Logf("deleted credential refused on node B after %s", time.Since(start))
	if status := withKey(a); status != http.StatusUnauthorized {
		t.Errorf("deleted key on node A: %d, want 401", status)
	}
}
