package memory

import (
	"fmt"
	"maps"
	"math"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
)

// now is the clock of ttl expiry (tests replace it).
var now = time.Now

// TTL entities (schema.Entity.TTL) keep a row's ttl as its absolute expiry,
// as Kong's ttl column, in the table's expiry map rather than in the row:
// readers get the whole seconds left, and expired rows are invisible and
// removed by the next write to their table.

// splitExpiry returns row without its ttl and the expiry the ttl, in
// seconds, sets; a ttl of 0 or null never expires (zero time).
func splitExpiry(tb *table, row store.Row) (store.Row, time.Time) {
	if !tb.entity.TTL {
		return row, time.Time{}
	}
	v, has := row["ttl"]
	if !has {
		return row, time.Time{}
	}
	var d time.Duration
	switch x := v.(type) {
	case int64:
		d = time.Duration(x) * time.Second
	case float64:
		d = time.Duration(x * float64(time.Second))
	}
	row = maps.Clone(row)
	delete(row, "ttl")
	if d <= 0 {
		return row, time.Time{}
	}
	return row, now().Add(d)
}

// read decodes a record as a reader gets it, false when it expired.
func (t *tx) read(tb *table, rec string) (store.Row, bool) {
	var exp time.Time
	var expires bool
	if len(tb.expiry) > 0 {
		exp, expires = tb.expiry[recordID(rec)]
	}
	var left time.Duration
	if expires {
		if left = exp.Sub(now()); left <= 0 {
			return nil, false
		}
	}
	row, err := tb.codec.decode(t.decoder(), rec)
	if err != nil {
		panic(fmt.Sprintf("memory: a %s record does not decode: %v", tb.entity.Name, err)) // encode wrote it
	}
	if expires {
		row["ttl"] = int64(math.Floor(left.Seconds())) // rounded down, as Kong reports it
	}
	return row, true
}

// purgeExpired removes the expired rows of a TTL table, undoably, once
// per transaction, so that a new row may take an expired one's unique
// values.
func (t *tx) purgeExpired(tb *table) {
	if !tb.entity.TTL || t.purged[tb] {
		return
	}
	if t.purged == nil {
		t.purged = map[*table]bool{}
	}
	t.purged[tb] = true
	n := now()
	for id, exp := range tb.expiry {
		if !n.Before(exp) {
			old, _ := tb.remove(t.decoder(), id)
			t.undo = append(t.undo, func() { tb.restore(t.decoder(), old) })
		}
	}
}
