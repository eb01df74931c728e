package session_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/plugins/session"
)

// Cookies made by an independent implementation of lua-resty-session 4's
// format (its README's "Cookie Format", "Data Encryption" and "Cookie
// Header Authentication"), with the secret "kong-secret", session ids
// 0x00..0x1f and 0x64..0x83, created at 1700000000, holding Kong's data
// [[[consumer id, credential id, ["gold","silver"]], "default", "alice"]].
const (
	compatConsumer   = "8a1f5b4e-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
	compatCredential = "2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091"
	compatCreated    = 1700000000

	compatCookie = "AQAAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A8VNlAAAAAACfAACpISkLOSonTaQRT2h0C0--AAAAH50imFPZbgl-" +
		"v_ysuBSLkQMLN-ceYtsF9y4EgmdbZdktZsqPIrxUCrnm-ubuy7hE6l6-91XRvXAMrL5rqG97VThx1QiJHHgUNLCsrpYIDlG2sRBMvFw1hv4YKLEY" +
		"df9VIN4r7A7ImYAYDmt-oStWjD9dI1Gk2RUtjWaQzwScUzBk8mUlyBdxg"

	// storage "kong": the header alone, and the row
	compatStoredCookie = "AQEAZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoMA8VNlAAAAAACfAADP05yOarMfySojAXP0WU6DAAAAvUdRQrkjZhpkolLPOn5C9g"
	compatSessionID    = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM"
	compatStoredData   = `["FYrWfoMEALKYL5R_tr41KSkCXoX6cpyttVurd75zsm6uACQD3VIAaZYP8ogDrQSFeflvrMdy0no5o9CY0V5xAWNy_lzAJgogq5bQ7ic8-tgxmNN9BhBAEGQPd0XW2k4ZCE8VeIg5h_zBQTZFJAJDv1PplC9LNp4"]`
)

// TestLuaRestySessionCookies: such cookies authenticate the request, with
// the credential and the groups they hold.
func TestLuaRestySessionCookies(t *testing.T) {
	t.Cleanup(session.SetClock(func() time.Time { return time.Unix(compatCreated+30, 0) }))
	for _, c := range []struct{ name, config, cookie string }{
		{"cookie", `{"secret":"kong-secret"}`, compatCookie},
		{"kong", `{"secret":"kong-secret","storage":"kong"}`, compatStoredCookie},
	} {
		e := plugintest.New(t, loaded)
		route := e.Route(e.Service(), "/")
		e.Insert("consumers", `{"id":"`+compatConsumer+`","username":"alice"}`)
		e.Plugin("session", plugintest.On("route", route), c.config)
		e.Insert("sessions", `{"session_id":"`+compatSessionID+`","data":`+jsonQuote(compatStoredData)+`,"expires":`+
			`1800000000,"ttl":3600}`)
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Cookie": {"session=" + c.cookie}}})
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %q", c.name, res.StatusCode, body)
		}
		up := echoed(t, body)
		for k, v := range map[string]string{"X-Consumer-Id": compatConsumer, "X-Consumer-Username": "alice",
			"X-Credential-Identifier": compatCredential, "X-Authenticated-Groups": "gold, silver"} {
			if got := up.Headers.Get(k); got != v {
				t.Errorf("%s: upstream %s = %q, want %q", c.name, k, got, v)
			}
		}
		// another secret refuses it
		e.Plugin("session", plugintest.On("route", e.Route(e.Service(), "/other")), `{"storage":"`+c.name+`"}`)
		res, body = e.Do(plugintest.Request{Path: "/other", Header: http.Header{"Cookie": {"session=" + c.cookie}}})
		if res.StatusCode != 200 || echoed(t, body).Headers.Get("X-Consumer-Id") != "" {
			t.Errorf("%s, other secret: %d %q", c.name, res.StatusCode, body)
		}
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
