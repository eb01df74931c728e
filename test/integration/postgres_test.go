package integration

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/testutil/deck"
	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
	"github.com/silverback-gw/silverback/internal/testutil/pgtest"
)

// pgOverrides are the kong.conf properties of a node on db.
func pgOverrides(db conf.PG) map[string]string {
	return map[string]string{"database": "postgres", "pg_host": db.Host, "pg_port": strconv.Itoa(db.Port),
		"pg_user": db.User, "pg_database": db.Database}
}

// TestPostgresNode runs a node on a bootstrapped PostgreSQL database: the
// Admin API writes through to it and decK's round trip holds.
func TestPostgresNode(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the decK binary; run without -short (make test builds it)")
	}
	deck.Binary(t)
	db := pgkong.Bootstrapped(t)

	n := start(t, pgOverrides(db))
	status, _, body := call(t, "GET", n.admin+"/", "", "")
	if status != 200 || !strings.Contains(string(body), `"database":"postgres"`) {
		t.Fatalf("GET / does not report postgres: %d %s", status, body)
	}
	up := upstream(t, "pg")
	for _, step := range []struct{ path, body string }{
		{"/services", `{"name":"s","url":"` + up.URL + `"}`},
		{"/services/s/routes", `{"paths":["/pg"]}`},
	} {
		if status, _, b := call(t, "POST", n.admin+step.path, "application/json", step.body); status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", step.path, status, b)
		}
	}
	eventually(t, 2*time.Second, "the route", func() bool {
		status, body := get(t, n.proxy+"/pg/x")
		return status == 200 && body == "pg /x"
	})
	// The row is in Kong's own table.
	c := pgtest.Connect(t, db)
	defer c.Close(context.Background())
	var host string
	if err := c.QueryRow(context.Background(), "SELECT host FROM services WHERE name = 's'").Scan(&host); err != nil || host != "127.0.0.1" {
		t.Errorf("services row: host %q, %v", host, err)
	}
	deckRoundTrip(t, n)
}

// TestPostgresNeedsBootstrap: a node refuses an empty database with Kong's message.
func TestPostgresNeedsBootstrap(t *testing.T) {
	db := pgtest.NewDatabase(t)
	cfg, err := conf.LoadOverrides("", nil, pgOverrides(db))
	if err != nil {
		t.Fatal(err)
	}
	_, err = openGateway(cfg)
	if err == nil || !strings.Contains(err.Error(), "Database needs bootstrapping") {
		t.Errorf("start on an empty database: %v", err)
	}
}
