package basicauth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/plugins/basicauth"
	"github.com/silverback-gw/silverback/internal/store"
)

// row reads a credential back from the store.
func row(t *testing.T, e *plugintest.Env, id string) store.Row {
	t.Helper()
	var r store.Row
	ctx := context.Background()
	if err := e.DB.View(ctx, func(tx *store.Txn) error {
		var err error
		r, err = tx.Get(ctx, "basicauth_credentials", id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPasswordStored: the password is stored as Kong's salted hash, on an
// insert and on an upsert.
func TestPasswordStored(t *testing.T) {
	e := plugintest.New(t, loaded)
	c := e.Insert("consumers", `{"id":"11111111-2222-3333-4444-555555555555","username":"c"}`)
	id := e.Insert("basicauth_credentials", `{"consumer":{"id":"`+c+`"},"username":"u","password":"kong "}`)
	// sha1("kong 11111111-2222-3333-4444-555555555555"), the password not trimmed
	const want = "075922cd37b8064e3a15c0e66f766c1e3942f2c4"
	if got := row(t, e, id)["password"]; got != want {
		t.Errorf("inserted: password %v, want %s", got, want)
	}
	ctx := context.Background()
	err := e.DB.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.UpsertBy(ctx, "basicauth_credentials", "username", "u", map[string]any{
			"consumer": map[string]any{"id": c}, "password": "kong "})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := row(t, e, id)["password"]; got != want {
		t.Errorf("upserted: password %v, want %s", got, want)
	}
	if err := e.TryInsert("basicauth_credentials", `{"consumer":{"id":"`+c+`"},"username":"v"}`); err == nil ||
		!strings.Contains(err.Error(), "password: required field missing") {
		t.Errorf("no password: %v", err)
	}
}

// TestPasswordUpdate: as Kong, a PATCH rehashes the password it sets with
// the consumer it names, leaves the stored hash alone otherwise, and
// refuses a password without consumer.id.
func TestPasswordUpdate(t *testing.T) {
	e := plugintest.New(t, loaded)
	e.Plugin("basic-auth", plugintest.On("route", e.Route(e.Service(), "/")), "")
	alice := e.Insert("consumers", `{"username":"alice"}`)
	bob := e.Insert("consumers", `{"username":"bob"}`)
	id := e.Insert("basicauth_credentials", `{"consumer":{"id":"`+alice+`"},"username":"u","password":"one"}`)
	consumer := func(id string) map[string]any { return map[string]any{"id": id} }
	cases := []struct {
		name     string
		patch    map[string]any
		err      string
		user     string
		password string // the password that authenticates afterwards
		consumer string
	}{
		{"username only", map[string]any{"username": "u2"}, "", "u2", "one", alice},
		{"username with the same consumer (nested endpoint)", map[string]any{"username": "u", "consumer": consumer(alice)}, "", "u", "one", alice},
		{"password and consumer", map[string]any{"password": "two", "consumer": consumer(alice)}, "", "u", "two", alice},
		{"password and another consumer", map[string]any{"password": "three", "consumer": consumer(strings.ToUpper(bob))}, "", "u", "three", bob},
		{"password without consumer", map[string]any{"password": "four"},
			"schema violation (all or none of these fields must be set: 'password', 'consumer.id')", "u", "three", bob},
		{"invalid password", map[string]any{"password": 5, "consumer": consumer(bob)}, "password: expected a string", "u", "three", bob},
	}
	ctx := context.Background()
	for _, c := range cases {
		err := e.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Update(ctx, "basicauth_credentials", id, c.patch); return err })
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		}
		r := row(t, e, id)
		if want := basicauth.HashPassword(c.consumer, c.password); r["password"] != want {
			t.Errorf("%s: stored password %v, want the hash of %q (%s)", c.name, r["password"], c.password, want)
		}
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {basic(c.user, c.password)}}})
		if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Id") != c.consumer {
			t.Errorf("%s: authenticating with %q: %d %q", c.name, c.password, res.StatusCode, body)
		}
	}
}
