package sqlite

import (
	"context"
	"math"
	"time"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// now is the clock of ttl expiry (tests replace it).
var now = time.Now

// expiresKey holds, in the stored JSON of a TTL entity's row
// (schema.Entity.TTL), the row's absolute expiry in Unix seconds, as
// Kong's ttl column: readers get the whole seconds left in "ttl", expired
// rows are invisible and deleted by the next write to their table.
const expiresKey = "ttl_expires_at"

// encodeTTL returns row with its ttl in seconds turned into its expiry; a
// ttl of 0 or null never expires.
func encodeTTL(td *tableDef, row store.Row) store.Row {
	if !td.entity.TTL {
		return row
	}
	v, has := row["ttl"]
	if !has {
		return row
	}
	var secs float64
	switch x := v.(type) {
	case int64:
		secs = float64(x)
	case float64:
		secs = x
	}
	row = schema.Clone(row).(map[string]any)
	delete(row, "ttl")
	if secs > 0 {
		row[expiresKey] = float64(now().UnixMilli())/1000 + secs
	}
	return row
}

// decodeTTL turns a read row's expiry back into the seconds left; false
// when the row expired.
func decodeTTL(row store.Row) (store.Row, bool) {
	exp, ok := row[expiresKey].(float64)
	if !ok {
		return row, true
	}
	delete(row, expiresKey)
	left := exp - float64(now().UnixMilli())/1000
	if left <= 0 {
		return nil, false
	}
	row["ttl"] = int64(math.Floor(left)) // rounded down, as Kong reports it
	return row, true
}

// purgeExpired deletes the expired rows of a TTL table, once per
// transaction, so that a new row may take an expired one's unique values.
func (t *tx) purgeExpired(ctx context.Context, td *tableDef) error {
	if !td.entity.TTL || t.purged[td.name] {
		return nil
	}
	if t.purged == nil {
		t.purged = map[string]bool{}
	}
	t.purged[td.name] = true
	_, err := t.exec(ctx, "DELETE FROM "+td.name+" WHERE json_extract(data, '$."+expiresKey+"') <= ?",
		float64(now().UnixMilli())/1000)
	return err
}
