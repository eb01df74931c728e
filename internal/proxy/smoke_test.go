package proxy_test

import "testing"

func TestSmoke(t *testing.T) {
	e := newEnv(t)
	up := newEcho(t, "a")
	svc := e.service(up.URL+"/base", nil)
	e.route(svc, map[string]any{"paths": []any{"/x"}})
	res, body := e.do(request{path: "/x/y?q=1"})
	t.Logf("%d %v %s", res.StatusCode, res.Header, body)
	res, body = e.do(request{path: "/nothing"})
	t.Logf("%d %v %s", res.StatusCode, res.Header, body)
}
