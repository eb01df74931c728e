package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// State is the migration state of a database, the data `kong migrations
// status` prints as JSON.
type State struct {
	NeedsBootstrap bool          `json:"needs_bootstrap"`
	Executed       MigrationList `json:"executed_migrations,omitempty"`
	Pending        MigrationList `json:"pending_migrations,omitempty"`
	New            MigrationList `json:"new_migrations,omitempty"`
	Missing        MigrationList `json:"missing_migrations,omitempty"`
}

// MigrationList is migrations by subsystem, in Kong's subsystem order.
type MigrationList []Migrations

// String renders the list as `kong migrations list` prints it: one line a
// subsystem, its name right-aligned, then its migrations.
func (l MigrationList) String() string {
	width := 0
	for _, m := range l {
		width = max(width, len(m.Subsystem))
	}
	lines := make([]string, len(l))
	for i, m := range l {
		lines[i] = fmt.Sprintf("%*s: %s", width, m.Subsystem, strings.Join(m.Migrations, ", "))
	}
	return strings.Join(lines, "\n")
}

// Migrations are some migrations of one subsystem, in order.
type Migrations struct {
	Subsystem  string   `json:"subsystem"`
	Namespace  string   `json:"namespace"`
	Migrations []string `json:"migrations"`
}

// UpToDate reports whether a node may start on the database: bootstrapped
// and without new migrations (pending ones are allowed, as by Kong).
func (s *State) UpToDate() bool { return !s.NeedsBootstrap && len(s.New) == 0 }

// Check returns nil when a node may start on the database, else Kong's
// message: ErrNeedsBootstrap or ErrNewMigrations.
func (s *State) Check() error {
	switch {
	case s.NeedsBootstrap:
		return ErrNeedsBootstrap
	case len(s.New) > 0:
		return ErrNewMigrations
	}
	return nil
}

// metaRow is one schema_meta row.
type metaRow struct {
	lastExecuted      string
	executed, pending []string
}

// queryer is a connection or transaction.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// state reads schema_meta and compares it with the migrations of subs.
func state(ctx context.Context, q queryer, subs []subsystem) (*State, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_meta') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("postgres: migration state: %w", err)
	}
	if !exists {
		return &State{NeedsBootstrap: true}, nil
	}
	rows, err := q.Query(ctx, `SELECT subsystem, coalesce(last_executed, ''), coalesce(executed, '{}'), coalesce(pending, '{}')
		FROM schema_meta WHERE key = 'schema_meta'`)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration state: %w", err)
	}
	meta := map[string]metaRow{}
	for rows.Next() {
		var name string
		var r metaRow
		if err := rows.Scan(&name, &r.lastExecuted, &r.executed, &r.pending); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: migration state: %w", err)
		}
		meta[name] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: migration state: %w", err)
	}
	return compareState(meta, subs), nil
}

// compareState classifies each subsystem's migrations as Kong's
// kong/db/migrations/state.lua does: executed, pending, new when after the
// last executed one (or the subsystem has no row), missing otherwise.
func compareState(meta map[string]metaRow, subs []subsystem) *State {
	st := &State{}
	for _, s := range subs {
		r, ok := meta[s.name]
		last := -1
		if ok {
			last = slices.Index(s.migrations, r.lastExecuted)
		}
		var executed, pending, fresh, missing []string
		for i, name := range s.migrations {
			switch {
			case slices.Contains(r.executed, name):
				executed = append(executed, name)
			case slices.Contains(r.pending, name):
				pending = append(pending, name)
			case !ok || i > last:
				fresh = append(fresh, name)
			default:
				missing = append(missing, name)
			}
		}
		add := func(list *MigrationList, names []string) {
			if len(names) > 0 {
				*list = append(*list, Migrations{Subsystem: s.name, Namespace: s.namespace(), Migrations: names})
			}
		}
		add(&st.Executed, executed)
		add(&st.Pending, pending)
		add(&st.New, fresh)
		add(&st.Missing, missing)
	}
	return st
}
