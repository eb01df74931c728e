package gateway

import (
	"context"
	"errors"
	"sync"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/declarative"
)

// emptyHash is Kong's configuration hash of an empty configuration.
const emptyHash = declarative.EmptyHash

// dblessConfig is the declarative configuration of a DB-less node: what
// POST /config loads, GET /config exports and /status reports as its hash.
// It implements admin.Declarative.
type dblessConfig struct {
	g    *Gateway
	load sync.Mutex // one load at a time; others get Kong's 429

	hmu  sync.RWMutex
	hash string
}

var _ admin.Declarative = (*dblessConfig)(nil)

// Hash returns the hash of the loaded configuration, "" before any.
func (d *dblessConfig) Hash() string {
	d.hmu.RLock()
	defer d.hmu.RUnlock()
	return d.hash
}

func (d *dblessConfig) setHash(dc *declarative.Config) {
	d.hmu.Lock()
	defer d.hmu.Unlock()
	if dc == nil {
		d.hash = emptyHash
		return
	}
	d.hash = dc.Hash
}

// Load validates a configuration and, only when it is valid, replaces the
// running one; it returns once the proxy serves it.
func (d *dblessConfig) Load(ctx context.Context, in admin.ConfigInput) (map[string]any, error) {
	if !d.load.TryLock() {
		return nil, admin.ErrConfigBusy
	}
	defer d.load.Unlock()
	var (
		dc  *declarative.Config
		err error
	)
	if in.Doc != nil {
		dc, err = declarative.ParseValue(d.g.catalog, in.Doc)
	} else {
		dc, err = declarative.Parse(d.g.catalog, in.Text)
	}
	if err != nil {
		return nil, configError(err, in.FlattenErrors)
	}
	if err := declarative.Load(ctx, d.g.db, dc); err != nil {
		return nil, err
	}
	d.setHash(dc)
	d.g.pluginRT.Cache().Purge() // a reload writes no change events
	if err := d.g.holder.Rebuild(ctx); err != nil {
		return nil, err
	}
	return loadedEntities(dc), nil
}

// Export renders the running configuration.
func (d *dblessConfig) Export(ctx context.Context) ([]byte, error) {
	return declarative.Export(ctx, d.g.db)
}

func configError(err error, flatten bool) error {
	var de *declarative.Error
	if !errors.As(err, &de) {
		return err
	}
	if !flatten {
		return &admin.ConfigError{Fields: de.Fields(), Message: de.Error()}
	}
	// With flatten_errors Kong answers what is left of the tree once the
	// flattened entries are taken out.
	items, rest := de.Flatten()
	ce := &admin.ConfigError{Fields: rest.Fields(), Message: rest.Error(), Flattened: []any{}}
	for _, fe := range items {
		ce.Flattened = append(ce.Flattened, fe)
	}
	return ce
}

// loadedEntities is POST /config's 201 body: entities by table, then id.
func loadedEntities(dc *declarative.Config) map[string]any {
	out := make(map[string]any, len(dc.Entities))
	for table, rows := range dc.Entities {
		byID := make(map[string]any, len(rows))
		for _, r := range rows {
			if id, ok := r["id"].(string); ok {
				byID[id] = r
			}
		}
		out[table] = byID
	}
	return out
}
