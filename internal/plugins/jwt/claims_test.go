package jwt_test

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

func TestClaims(t *testing.T) {
	now := time.Now().Unix()
	cases := []struct {
		name, config string
		claims       map[string]any
		errors       map[string]string // nil: accepted
	}{
		{"missing", `{"claims_to_verify":["exp","nbf"]}`, nil,
			map[string]string{"exp": "must be a number", "nbf": "must be a number"}},
		{"not numbers", `{"claims_to_verify":["exp","nbf"]}`, map[string]any{"exp": "9999999999", "nbf": true},
			map[string]string{"exp": "must be a number", "nbf": "must be a number"}},
		{"expired", `{"claims_to_verify":["exp","nbf"]}`, map[string]any{"exp": now - 10, "nbf": now - 10},
			map[string]string{"exp": "token expired"}},
		{"expiring now", `{"claims_to_verify":["exp"]}`, map[string]any{"exp": now},
			map[string]string{"exp": "token expired"}},
		{"not valid yet", `{"claims_to_verify":["exp","nbf"]}`, map[string]any{"exp": now + 10, "nbf": now + 5},
			map[string]string{"nbf": "token not valid yet"}},
		{"valid", `{"claims_to_verify":["exp","nbf"]}`, map[string]any{"exp": now + 60, "nbf": now - 60}, nil},
		{"fractional", `{"claims_to_verify":["exp","nbf"]}`, map[string]any{"exp": float64(now) + 60.5, "nbf": float64(now) - 0.5}, nil},
		{"not verified", "", map[string]any{"exp": now - 10, "nbf": now + 60}, nil},
		{"only nbf verified", `{"claims_to_verify":["nbf"]}`, map[string]any{"exp": now - 10}, map[string]string{"nbf": "must be a number"}},
		{"beyond maximum_expiration", `{"claims_to_verify":["exp","nbf"],"maximum_expiration":300}`,
			map[string]any{"exp": now + 3600, "nbf": now - 30}, map[string]string{"exp": "exceeds maximum allowed expiration"}},
		{"within maximum_expiration", `{"claims_to_verify":["exp","nbf"],"maximum_expiration":300}`,
			map[string]any{"exp": now + 270, "nbf": now - 30}, nil},
		{"expired before the maximum", `{"claims_to_verify":["exp"],"maximum_expiration":300}`,
			map[string]any{"exp": now - 1}, map[string]string{"exp": "token expired"}},
	}
	envs := map[string]fixture{}
	for _, c := range cases {
		f, ok := envs[c.config]
		if !ok {
			f = setup(t, c.config)
			envs[c.config] = f
		}
		claims := map[string]any{"iss": aliceKey}
		maps.Copy(claims, c.claims)
		res, body := f.Do(plugintest.Request{Path: "/?jwt=" + aliceToken(t, claims)})
		if c.errors == nil {
			if res.StatusCode != 200 {
				t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			}
			continue
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != 401 || !maps.Equal(got, c.errors) ||
			res.Header.Get("WWW-Authenticate") != invalidToken {
			t.Errorf("%s: %d %q (%s), want 401 %v", c.name, res.StatusCode, body, res.Header.Get("WWW-Authenticate"), c.errors)
		}
	}
}
