package postgres

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// encode returns the jsonb object insertSQL and replaceSQL expand: each
// column's value, ws_id and cache_key.
func (t *tableDef) encode(row store.Row, wsID, cacheKey string) ([]byte, error) {
	obj := make(map[string]any, len(t.columns)+2)
	for _, c := range t.columns {
		v := row[c.field.Name()]
		switch c.kind {
		case kindForeign:
			if id := entities.ForeignID(row, c.field.Name()); id != "" {
				obj[c.name] = id
			} else {
				obj[c.name] = nil
			}
		case kindTimestamp:
			obj[c.name] = encodeTime(v)
		default:
			obj[c.name] = escape(v)
		}
	}
	if t.ttl {
		obj["ttl"] = encodeTTL(row["ttl"], time.Now())
	}
	obj["ws_id"] = wsID
	obj["cache_key"] = nil
	if cacheKey != "" {
		obj["cache_key"] = storedCacheKey(cacheKey, wsID)
	}
	b, err := rowjson.Marshal(obj)
	if err != nil {
		id, _ := row["id"].(string)
		return nil, fmt.Errorf("postgres: encode %s %s: %w", t.entity.Name, id, err)
	}
	return b, nil
}

// storedCacheKey completes a DAO cache key, whose workspace part is empty,
// with the workspace id, as Kong stores it in cache_key columns.
func storedCacheKey(key, wsID string) string {
	if strings.HasSuffix(key, ":") {
		return key + wsID
	}
	return key
}

// decode turns to_jsonb's text of a row back into the entity's row.
func (t *tableDef) decode(dec *rowjson.Decoder, data []byte) (store.Row, error) {
	m, err := dec.DecodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("postgres: decode %s: %w", t.entity.Name, err)
	}
	row := make(store.Row, len(t.columns))
	for _, c := range t.columns {
		v := m[c.name]
		switch c.kind {
		case kindForeign:
			if v != nil {
				v = map[string]any{"id": v}
			}
		case kindTimestamp:
			if v, err = decodeTime(c.field, v); err != nil {
				return nil, fmt.Errorf("postgres: decode %s.%s: %w", t.entity.Name, c.name, err)
			}
		default:
			v = unescape(v)
		}
		row[c.field.Name()] = v
	}
	if t.ttl && m["ttl"] != nil {
		if row["ttl"], err = decodeTTL(m["ttl"], time.Now()); err != nil {
			return nil, fmt.Errorf("postgres: decode %s.ttl: %w", t.entity.Name, err)
		}
	}
	return row, nil
}

// encodeTTL converts a ttl in seconds from now to the timestamptz text of
// the expiry, as Kong stores it; nil stays NULL (never expires).
func encodeTTL(v any, now time.Time) any {
	var d time.Duration
	switch x := v.(type) {
	case int64:
		d = time.Duration(x) * time.Second
	case float64:
		d = time.Duration(x * float64(time.Second))
	default:
		return nil
	}
	return now.Add(d).UTC().Format(time.RFC3339Nano)
}

// decodeTTL converts an expiry back to the whole seconds left, as Kong
// reports a ttl.
func decodeTTL(v any, now time.Time) (any, error) {
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, err
	}
	return int64(math.Floor(tm.Sub(now).Seconds())), nil // whole seconds left, rounded down as Kong reports them
}

// encodeTime converts Unix seconds (int64) or seconds with milliseconds
// (float64) to the text of a timestamptz.
func encodeTime(v any) any {
	var tm time.Time
	switch x := v.(type) {
	case int64:
		tm = time.Unix(x, 0)
	case float64:
		tm = time.UnixMilli(int64(math.Round(x * 1000)))
	default:
		return v
	}
	return tm.UTC().Format(time.RFC3339Nano)
}

// decodeTime converts a timestamptz's JSON text back to Unix seconds:
// integer for integer fields (floored, as Kong), else with milliseconds.
func decodeTime(f schema.Field, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, err
	}
	if f.Type() == schema.Integer {
		return tm.Unix(), nil
	}
	return float64(tm.UnixMilli()) / 1000, nil
}

// PostgreSQL text cannot hold NUL, which Kong's values may contain. Strings
// holding NUL or the escape character are stored with NUL as escapeRune+"0"
// and escapeRune doubled; other strings are stored as they are.
const escapeRune = '\uE000'

var (
	escaper   = strings.NewReplacer("\x00", string(escapeRune)+"0", string(escapeRune), string(escapeRune)+string(escapeRune))
	unescaper = strings.NewReplacer(string(escapeRune)+"0", "\x00", string(escapeRune)+string(escapeRune), string(escapeRune))
)

// escape returns v with every string escaped, sharing what needs no change.
func escape(v any) any {
	out, _ := mapStrings(v, func(s string) (string, bool) {
		if !strings.ContainsRune(s, 0) && !strings.ContainsRune(s, escapeRune) {
			return s, false
		}
		return escaper.Replace(s), true
	})
	return out
}

// unescape reverses escape.
func unescape(v any) any {
	out, _ := mapStrings(v, func(s string) (string, bool) {
		if !strings.ContainsRune(s, escapeRune) {
			return s, false
		}
		return unescaper.Replace(s), true
	})
	return out
}

// mapStrings maps fn over the strings of v, map keys included, and reports
// whether any changed. v itself is never modified: an array or map holding
// a changed string is copied, others are returned as they are.
func mapStrings(v any, fn func(string) (string, bool)) (any, bool) {
	switch x := v.(type) {
	case string:
		return fn(x)
	case []any:
		var out []any
		for i, e := range x {
			ne, changed := mapStrings(e, fn)
			if changed && out == nil {
				out = append(make([]any, 0, len(x)), x[:i]...)
			}
			if out != nil {
				out = append(out, ne)
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			nk, kChanged := fn(k)
			ne, eChanged := mapStrings(e, fn)
			if (kChanged || eChanged) && out == nil {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			if kChanged {
				delete(out, k)
			}
			if kChanged || eChanged {
				out[nk] = ne
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	}
	return v, false
}
