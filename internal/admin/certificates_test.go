package admin_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// genCert returns a self-signed certificate and its key in PEM.
func genCert(t *testing.T, cn string, isCA bool) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		DNSNames:              []string{cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

func TestCertificates(t *testing.T) {
	e := newEnv(t)
	cert, key := genCert(t, "a.com", false)
	c := e.must(201, "POST", "/certificates", map[string]any{"cert": cert, "key": key, "snis": []string{"b.com", "a.com"}})
	id := c["id"].(string)
	check(t, &resp{status: 200, body: c["snis"]}, 200, `["a.com","b.com"]`)
	check(t, e.req("GET", "/certificates/"+id, nil), 200, c)
	check(t, e.req("GET", "/certificates/a.com", nil), 200, c)
	list := e.must(200, "GET", "/certificates", nil)
	check(t, &resp{status: 200, body: list["data"].([]any)[0].(map[string]any)["snis"]}, 200, `["a.com","b.com"]`)

	missing := "9b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         any
	}{
		{"missing id is code 6", "GET", "/certificates/" + missing, nil, 404,
			`{"code":6,"name":"not found","message":"could not find the entity with primary key '{id=\"` + missing + `\"}'","fields":{"id":"` + missing + `"}}`},
		{"unknown sni", "GET", "/certificates/nope.com", nil, 404, `{"message":"SNI not found"}`},
		{"unknown sni patch", "PATCH", "/certificates/nope.com", map[string]any{}, 404, `{"message":"SNI not found"}`},
		{"unknown sni delete", "DELETE", "/certificates/nope.com", nil, 404, `{"message":"SNI not found"}`},
		{"duplicate sni", "POST", "/certificates", map[string]any{"cert": cert, "key": key, "snis": []string{"x.com", "x.com"}}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (snis: x.com is duplicated)","fields":{"snis":"x.com is duplicated"}}`},
		{"sni of another certificate", "POST", "/certificates", map[string]any{"cert": cert, "key": key, "snis": []string{"a.com"}}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (snis: a.com already associated with existing certificate '` + id + `')","fields":{"snis":"a.com already associated with existing certificate '` + id + `'"}}`},
		{"sni certificate disabled", "GET", "/snis/a.com/certificate", nil, 404, `{"message":"Not found"}`},
		{"nested snis by sni name", "GET", "/certificates/a.com/snis", nil, 200, skip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, e.req(tt.method, tt.path, tt.body), tt.status, tt.want)
		})
	}
	snis := e.must(200, "GET", "/certificates/a.com/snis", nil)["data"].([]any)
	if len(snis) != 2 {
		t.Errorf("nested snis = %v", snis)
	}
	sni := e.must(200, "GET", "/snis/a.com", nil)
	if sni["certificate"].(map[string]any)["id"] != id {
		t.Errorf("sni = %v", sni)
	}

	// PATCH without snis keeps them; a form value is a one-element list.
	p := e.must(200, "PATCH", "/certificates/"+id, map[string]any{"tags": []string{"t"}})
	check(t, &resp{status: 200, body: p["snis"]}, 200, `["a.com","b.com"]`)
	r := e.req("PATCH", "/certificates/b.com", "snis=c.com", "Content-Type", "application/x-www-form-urlencoded")
	check(t, &resp{status: r.status, body: r.obj()["snis"]}, 200, `["c.com"]`)
	check(t, e.req("GET", "/snis/a.com", nil), 404, `{"message":"Not found"}`)

	// PUT by SNI name: the name joins the given snis; without snis they all go.
	put := e.must(200, "PUT", "/certificates/c.com", map[string]any{"cert": cert, "key": key, "snis": []string{"d.com"}})
	if put["id"] != id {
		t.Errorf("PUT by sni changed the certificate: %v", put["id"])
	}
	check(t, &resp{status: 200, body: put["snis"]}, 200, `["c.com","d.com"]`)
	fresh := e.must(200, "PUT", "/certificates/new.com", map[string]any{"cert": cert, "key": key, "snis": "e.com"})
	if fresh["id"] == id {
		t.Errorf("PUT by unknown sni reused a certificate")
	}
	check(t, &resp{status: 200, body: fresh["snis"]}, 200, `["e.com","new.com"]`)
	cleared := e.must(200, "PUT", "/certificates/"+id, map[string]any{"cert": cert, "key": key})
	check(t, &resp{status: 200, body: cleared["snis"]}, 200, `[]`)

	// Deleting a certificate removes its SNIs.
	check(t, e.req("DELETE", "/certificates/new.com", nil), 204, nil)
	check(t, e.req("GET", "/snis/e.com", nil), 404, `{"message":"Not found"}`)
}

func TestCACertificates(t *testing.T) {
	e := newEnv(t)
	ca, _ := genCert(t, "ca", true)
	leaf, _ := genCert(t, "leaf", false)
	c := e.must(201, "POST", "/ca_certificates", map[string]any{"cert": ca})
	if d, _ := c["cert_digest"].(string); len(d) != 64 {
		t.Errorf("cert_digest = %v", c["cert_digest"])
	}
	check(t, e.req("POST", "/ca_certificates", map[string]any{"cert": leaf}), 400,
		`{"code":2,"name":"schema violation","message":"schema violation (cert: certificate does not appear to be a CA because it is missing the \"CA\" basic constraint)","fields":{"cert":"certificate does not appear to be a CA because it is missing the \"CA\" basic constraint"}}`)
	e.must(201, "POST", "/services", map[string]any{"name": "s", "url": "https://x.com", "ca_certificates": []string{c["id"].(string)}})
	check(t, e.req("DELETE", "/ca_certificates/"+c["id"].(string), nil), 400,
		`{"code":19,"name":"referenced by others","message":"ca certificate `+c["id"].(string)+` is still referenced by services (id = `+e.must(200, "GET", "/services/s", nil)["id"].(string)+`)"}`)
}
