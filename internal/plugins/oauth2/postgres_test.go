package oauth2_test

import (
	"context"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/postgres"
	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
)

// TestPostgres: the three entities map onto Kong's PostgreSQL tables:
// credentials with their array and boolean columns, codes referencing
// their plugin and tokens with a ttl, cascading when the credential goes.
func TestPostgres(t *testing.T) {
	ctx := context.Background()
	cfg := pgkong.Bootstrapped(t)
	set, err := plugin.Load([]string{"oauth2"})
	if err != nil {
		t.Fatal(err)
	}
	cat := entities.NewCatalog(set, set.Entities()...)
	backend, err := postgres.Open(ctx, cfg, cat)
	if err != nil {
		t.Fatal(err)
	}
	db := store.New(backend, cat)
	t.Cleanup(func() { _ = db.Close() })

	var cred, code, token store.Row
	err = db.Update(ctx, func(tx *store.Txn) error {
		svc, err := tx.Insert(ctx, "services", map[string]any{"host": "example.test"})
		if err != nil {
			return err
		}
		p, err := tx.Insert(ctx, "plugins", map[string]any{"name": "oauth2", "config": map[string]any{"enable_authorization_code": true}})
		if err != nil {
			return err
		}
		c, err := tx.Insert(ctx, "consumers", map[string]any{"username": "alice"})
		if err != nil {
			return err
		}
		if cred, err = tx.Insert(ctx, "oauth2_credentials", map[string]any{"consumer": ref(c), "name": "app",
			"redirect_uris": []any{"http://a.test/cb", "http://b.test/cb"}, "hash_secret": true, "client_secret": "s", "tags": []any{"t"}}); err != nil {
			return err
		}
		if code, err = tx.Insert(ctx, "oauth2_authorization_codes", map[string]any{"credential": ref(cred), "service": ref(svc),
			"plugin": ref(p), "authenticated_userid": "u", "scope": "email", "challenge": "c", "challenge_method": "S256", "ttl": int64(300)}); err != nil {
			return err
		}
		token, err = tx.Insert(ctx, "oauth2_tokens", map[string]any{"credential": ref(cred), "service": ref(svc), "expires_in": 7200,
			"refresh_token": "r1", "scope": "email", "ttl": 1209600.0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var gotCred, gotCode, gotToken store.Row
	err = db.View(ctx, func(tx *store.Txn) error {
		if gotCred, err = tx.GetBy(ctx, "oauth2_credentials", "client_id", cred["client_id"]); err != nil {
			return err
		}
		if gotCode, err = tx.GetBy(ctx, "oauth2_authorization_codes", "code", code["code"]); err != nil {
			return err
		}
		gotToken, err = tx.GetBy(ctx, "oauth2_tokens", "refresh_token", "r1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if uris, _ := gotCred["redirect_uris"].([]any); len(uris) != 2 || gotCred["hash_secret"] != true ||
		gotCred["client_secret"] != cred["client_secret"] || gotCred["client_type"] != "confidential" {
		t.Errorf("credential %v", gotCred)
	}
	if ttl, _ := gotCode["ttl"].(int64); gotCode["plugin"] == nil || gotCode["challenge_method"] != "S256" || ttl < 298 {
		t.Errorf("code %v", gotCode)
	}
	if ttl, _ := gotToken["ttl"].(int64); gotToken["access_token"] != token["access_token"] || gotToken["expires_in"] != int64(7200) ||
		gotToken["token_type"] != "bearer" || ttl < 1209590 {
		t.Errorf("token %v", gotToken)
	}

	err = db.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Delete(ctx, "oauth2_credentials", cred["id"].(string))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.View(ctx, func(tx *store.Txn) error {
		gotToken, err = tx.GetBy(ctx, "oauth2_tokens", "refresh_token", "r1")
		return err
	})
	if err != nil || gotToken != nil {
		t.Errorf("token after its credential's deletion: %v %v", gotToken, err)
	}
}

func ref(row store.Row) map[string]any { return map[string]any{"id": row["id"]} }
