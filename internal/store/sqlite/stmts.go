package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// stmts holds the prepared statements of one pool, keyed by query text.
// SQLite compiles a statement in about the time it takes to run a simple
// one, so compiling each query once per connection (database/sql prepares
// a Stmt again on each connection that uses it, once) halves the cost of
// short transactions. The set is prepared at Open, while the pool is idle:
// preparing later could wait for a connection that only the waiting
// transaction would release. It is read-only afterwards.
type stmts map[string]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB, queries []string) (stmts, error) {
	s := stmts{}
	for _, q := range queries {
		if _, ok := s[q]; ok {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			s.close()
			return nil, err
		}
		s[q] = st
	}
	return s, nil
}

// close closes every statement.
func (s stmts) close() error {
	var errs []error
	for _, st := range s {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
