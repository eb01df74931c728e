package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/testutil/pgtest"
)

// TestMigrationsPostgres runs Kong's migrations commands against a real
// PostgreSQL database: statuses, messages and exit codes.
func TestMigrationsPostgres(t *testing.T) {
	db := pgtest.NewDatabase(t)
	env := []string{"KONG_DATABASE=postgres", "KONG_PG_HOST=" + db.Host, "KONG_PG_PORT=" + strconv.Itoa(db.Port),
		"KONG_PG_USER=" + db.User, "KONG_PG_DATABASE=" + db.Database, "KONG_PREFIX=" + t.TempDir()}
	cmd := func(args ...string) (int, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, env, append([]string{"migrations"}, args...)...)
		return code, stdout + stderr
	}
	steps := []struct {
		args     []string
		wantCode int
		contains string
	}{
		{[]string{"list"}, 3, "Database needs bootstrapping or is older than Kong 1.0"},
		{[]string{"bootstrap"}, 0, "Database is up-to-date"},
		{[]string{"bootstrap"}, 0, "Database already bootstrapped"},
		{[]string{"up"}, 0, "Database is already up-to-date"},
		{[]string{"finish"}, 0, "No pending migrations to finish"},
		{[]string{"list"}, 0, "Executed migrations:"},
		{[]string{"reset"}, 1, "not a tty: invoke 'reset' non-interactively with the --yes flag"},
		{[]string{"reset", "--yes"}, 0, "Database successfully reset"},
		{[]string{"list"}, 3, "Database needs bootstrapping"},
	}
	for _, s := range steps {
		code, out := cmd(s.args...)
		if code != s.wantCode || !strings.Contains(out, s.contains) {
			t.Errorf("migrations %s: exit %d, output %q; want exit %d containing %q",
				strings.Join(s.args, " "), code, out, s.wantCode, s.contains)
		}
	}
	if code, out := cmd("bootstrap"); code != 0 {
		t.Fatalf("bootstrap after reset: %d %s", code, out)
	}
	code, out := cmd("status")
	var st struct {
		NeedsBootstrap bool `json:"needs_bootstrap"`
		Executed       []struct {
			Subsystem  string   `json:"subsystem"`
			Migrations []string `json:"migrations"`
		} `json:"executed_migrations"`
	}
	if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(out)), &st) != nil || st.NeedsBootstrap || len(st.Executed) == 0 ||
		st.Executed[0].Subsystem != "core" || st.Executed[0].Migrations[0] != "000_base" {
		t.Errorf("status: exit %d, %s", code, out)
	}
}
