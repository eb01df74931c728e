package memory

import (
	"math"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
)

// now is the clock of ttl expiry (tests replace it).
var now = time.Now

// TTL entities (schema.Entity.TTL) keep a row's ttl as its absolute expiry
// (a time.Time under "ttl"), as Kong's ttl column: readers get the whole
// seconds left, and expired rows are invisible and removed by the next
// write to their table.

// withExpiry returns row with a ttl in seconds turned into its expiry; a
// ttl of 0 or null never expires.
func withExpiry(tb *table, row store.Row) store.Row {
	if !tb.entity.TTL {
		return row
	}
	var d time.Duration
	switch x := row["ttl"].(type) {
	case int64:
		d = time.Duration(x) * time.Second
	case float64:
		d = time.Duration(x * float64(time.Second))
	case time.Time:
		return row
	default:
		if _, has := row["ttl"]; !has {
			return row
		}
	}
	row = clone(row)
	if d > 0 {
		row["ttl"] = now().Add(d)
	} else {
		delete(row, "ttl")
	}
	return row
}

// read returns row as a reader gets it, false when it expired.
func (t *tx) read(row store.Row) (store.Row, bool) {
	exp, ok := row["ttl"].(time.Time)
	if !ok {
		return t.out(row), true
	}
	left := exp.Sub(now())
	if left <= 0 {
		return nil, false
	}
	r := clone(row)
	r["ttl"] = int64(math.Floor(left.Seconds())) // rounded down, as Kong reports it
	return r, true
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
	for id, row := range tb.rows {
		if exp, ok := row["ttl"].(time.Time); ok && !n.Before(exp) {
			old, oldKey, _ := tb.remove(id)
			t.undo = append(t.undo, func() { tb.put(id, old, oldKey) })
		}
	}
}
