package oauth2

import (
	"errors"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// codeTTL is how long an authorization code lives, in seconds.
const codeTTL = 300

// client returns the credential with the client id through the cache, nil
// when none (Kong's get_redirect_uris).
func client(kong *plugin.PDK, clientID string) (store.Row, error) {
	if clientID == "" {
		return nil, nil
	}
	row, err := kong.Cache.Row(kong.Context(), Credentials.Name, "client_id", clientID)
	if err != nil || row == nil || row["client_id"] != clientID {
		return nil, err
	}
	return row, nil
}

// redirectURIs returns a client's redirect_uris, and false when it has
// none (null, unlike an empty list).
func redirectURIs(client store.Row) ([]any, bool) {
	if client == nil || client["redirect_uris"] == nil {
		return nil, false
	}
	uris, _ := client["redirect_uris"].([]any)
	return uris, true
}

// serviceID returns the matched service's id, "" when none.
func serviceID(kong *plugin.PDK) string {
	if s := kong.Service(); s != nil {
		return s.ID
	}
	return ""
}

// boundService is the service tokens and codes are bound to: none with
// global_credentials.
func (h *handler) boundService(kong *plugin.PDK) string {
	if h.c.GlobalCredentials {
		return ""
	}
	return serviceID(kong)
}

func ref(id string) any {
	if id == "" {
		return nil
	}
	return map[string]any{"id": id}
}

// getBy reads the row of entity whose unique field is value, from the
// store (codes and refresh tokens are used once, so not cached).
func getBy(kong *plugin.PDK, entity, field, value string) (store.Row, error) {
	if value == "" {
		return nil, nil
	}
	ctx := kong.Context()
	var row store.Row
	err := kong.Cache.DB().View(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.GetBy(ctx, entity, field, value)
		return err
	})
	return row, err
}

func insert(kong *plugin.PDK, entity string, values map[string]any) (store.Row, error) {
	ctx := kong.Context()
	var row store.Row
	err := kong.Cache.DB().Update(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.Insert(ctx, entity, values)
		return err
	})
	return row, err
}

// errUsed: the code or refresh token was consumed by a concurrent request.
var errUsed = errors.New("oauth2: already used")

// consume deletes the row of entity with the id and runs then in the same
// transaction, or returns errUsed when the row is already gone: a code or
// refresh token is exchanged once.
func consume(kong *plugin.PDK, entity, id string, then func(*store.Txn) error) error {
	ctx := kong.Context()
	return kong.Cache.DB().Update(ctx, func(tx *store.Txn) error {
		existed, err := tx.Delete(ctx, entity, id)
		if err != nil {
			return err
		}
		if !existed {
			return errUsed
		}
		return then(tx)
	})
}

// credentialOf returns a token's credential and its consumer through the
// cache; nil when either is gone.
func credentialOf(kong *plugin.PDK, token store.Row) (store.Row, *entities.Consumer, error) {
	id := entities.ForeignID(token, "credential")
	cred, err := kong.Cache.Row(kong.Context(), Credentials.Name, "id", id)
	if err != nil || cred == nil || cred["id"] != id {
		return nil, nil, err
	}
	consumer, err := kong.Cache.Consumer(kong.Context(), entities.ForeignID(cred, "consumer"))
	if err != nil || consumer == nil {
		return nil, nil, err
	}
	return cred, consumer, nil
}

// newToken is a random token or code value, as Kong's random_string.
func newToken() string { return schema.RandomString() }
