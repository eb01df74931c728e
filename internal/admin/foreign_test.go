package admin_test

import "testing"

// Kong validates a foreign key by its primary key only and ignores the
// referenced entity's other fields (go-kong sends whole objects, e.g.
// route.service = the service it just created); only the id is stored.
func TestForeignKeyGivenAsWholeEntity(t *testing.T) {
	e := newEnv(t)
	svc := e.must(201, "POST", "/services", map[string]any{"name": "s", "url": "http://example.com"})
	r := e.must(201, "POST", "/routes", map[string]any{"paths": []string{"/a"}, "service": svc})
	if got, _ := r["service"].(map[string]any); len(got) != 1 || got["id"] != svc["id"] {
		t.Errorf("route.service = %v", r["service"])
	}
	r = e.must(200, "PATCH", "/routes/"+r["id"].(string), map[string]any{"service": svc})
	if got, _ := r["service"].(map[string]any); len(got) != 1 || got["id"] != svc["id"] {
		t.Errorf("patched route.service = %v", r["service"])
	}

	cert, key := genCert(t, "a.com", false)
	c := e.must(201, "POST", "/certificates", map[string]any{"cert": cert, "key": key})
	s := e.must(201, "POST", "/snis", map[string]any{"name": "a.com", "certificate": c})
	if got, _ := s["certificate"].(map[string]any); len(got) != 1 || got["id"] != c["id"] {
		t.Errorf("sni.certificate = %v", s["certificate"])
	}
}
