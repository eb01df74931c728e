package session

import (
	"math"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
)

// Storage "kong" (kong/plugins/session/storage/kong.lua): a session's
// encrypted data is a row of the sessions entity, found by its
// session_id (the base64url session id) through the node's cache.

// loadStored returns the data stored for key, "" when there is none.
func loadStored(kong *plugin.PDK, key string) (string, error) {
	row, err := storedRow(kong, key)
	if err != nil || row == nil {
		return "", err
	}
	data, _ := row["data"].(string)
	return data, nil
}

func storedRow(kong *plugin.PDK, key string) (store.Row, error) {
	if kong.Cache == nil {
		return nil, errNoCache
	}
	return kong.Cache.Row(kong.Context(), Sessions.Name, "session_id", key)
}

// storeData saves the data of a new session id for ttl seconds and, when the
// session replaces oldKey, lets the old row live staleTTL more seconds
// (requests in flight still carry the old cookie) or, for a persistent
// cookie, deletes it.
func storeData(kong *plugin.PDK, key, data string, ttl float64, now int64, oldKey string, staleTTL float64, remember bool) error {
	if kong.Cache == nil {
		return errNoCache
	}
	ctx := kong.Context()
	var old store.Row
	if oldKey != "" {
		var err error
		if old, err = storedRow(kong, oldKey); err != nil { // logged only, as Kong
			kong.Log.Info("cannot load the replaced session", "error", err)
		}
	}
	db := kong.Cache.DB()
	err := db.Update(ctx, func(tx *store.Txn) error {
		seconds := wholeSeconds(ttl)
		_, err := tx.Insert(ctx, Sessions.Name, map[string]any{
			"session_id": key, "data": data, "expires": now + seconds, "ttl": seconds,
		})
		return err
	})
	if err != nil || old == nil {
		return err
	}
	// Kong only logs a failure to expire the replaced row.
	id, _ := old["id"].(string)
	err = db.Update(ctx, func(tx *store.Txn) error {
		if remember {
			_, err := tx.Delete(ctx, Sessions.Name, id)
			return err
		}
		stale := wholeSeconds(staleTTL)
		_, err := tx.Update(ctx, Sessions.Name, id, map[string]any{"expires": now + stale, "ttl": stale})
		return err
	})
	if err != nil {
		kong.Log.Info("cannot expire the replaced session", "error", err)
	}
	return nil
}

// deleteStored deletes the row of key, if any.
func deleteStored(kong *plugin.PDK, key string) error {
	row, err := storedRow(kong, key)
	if err != nil || row == nil {
		return err
	}
	id, _ := row["id"].(string)
	ctx := kong.Context()
	return kong.Cache.DB().Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Delete(ctx, Sessions.Name, id)
		return err
	})
}

// wholeSeconds rounds a ttl up to whole seconds, at least one (rows
// expire by whole seconds).
func wholeSeconds(ttl float64) int64 {
	return max(int64(math.Ceil(ttl)), 1)
}
