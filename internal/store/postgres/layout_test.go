package postgres

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// TestLayout: a bootstrapped database has exactly the tables and columns,
// with their types and nullability, the indexes and the triggers of a Kong 3.9 database bootstrapped with
// every bundled plugin (testdata/kong39_*.txt), the default workspace
// and the cluster id.
func TestLayout(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	conn := connect(t, cfg)
	defer conn.Close(ctx)

	tests := []struct{ name, file, query string }{
		{"columns", "testdata/kong39_columns.txt", `SELECT c.relname || ' ' || a.attname || ' ' ||
				format_type(a.atttypid, a.atttypmod) || ' ' || CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'NULL' END
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`},
		{"indexes", "testdata/kong39_indexes.txt", `SELECT tablename || ' ' || indexname FROM pg_indexes
			WHERE schemaname = current_schema()`},
		{"triggers", "testdata/kong39_triggers.txt", `SELECT DISTINCT event_object_table || ' ' || trigger_name
			FROM information_schema.triggers WHERE trigger_schema = current_schema()`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if diff := cmp.Diff(readLines(t, tt.file), got); diff != "" {
				t.Errorf("(-Kong 3.9 +bootstrapped):\n%s", diff)
			}
		})
	}

	var workspaces, clusterIDs int
	err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM workspaces WHERE name = 'default'),
		(SELECT count(*) FROM parameters WHERE key = 'cluster_id')`).Scan(&workspaces, &clusterIDs)
	if err != nil || workspaces != 1 || clusterIDs != 1 {
		t.Errorf("default workspaces %d, cluster ids %d, %v; want 1 and 1", workspaces, clusterIDs, err)
	}
}

// readLines returns the lines of a file without blank lines and comments.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
