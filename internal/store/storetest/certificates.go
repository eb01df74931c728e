package storetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// certificateBody returns the JSON of a certificates entity with a fresh
// self-signed ECDSA certificate and its key, plus extra members.
func certificateBody(t *testing.T, extra string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "storetest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _ := json.Marshal(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyPEM, _ := json.Marshal(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	body := `{"cert":` + string(certPEM) + `,"key":` + string(keyPEM)
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

// sniNames returns the names of the SNI rows pointing at a certificate.
func sniNames(h *harness, certID string) []string {
	h.t.Helper()
	var names []string
	for _, r := range h.all("snis", store.Query{ForeignField: "certificate", ForeignID: certID}) {
		names = append(names, r["name"].(string))
	}
	return names
}

// testCertificates: a certificate's transient snis become SNI rows;
// output lists them sorted; PUT replaces them, PATCH without snis keeps
// them, PATCH with snis replaces them.
func testCertificates(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	cert := h.insert("certificates", certificateBody(t, `"snis":["b.test","a.test","*.c.test"]`))
	id := cert["id"].(string)
	steps := []struct {
		name string
		op   func(tx *store.Txn) (store.Row, error)
		want []any
	}{
		{"insert", func(*store.Txn) (store.Row, error) { return cert, nil },
			[]any{"*.c.test", "a.test", "b.test"}},
		{"get", func(tx *store.Txn) (store.Row, error) { return tx.Get(h.ctx, "certificates", id) },
			[]any{"*.c.test", "a.test", "b.test"}},
		{"put replaces", func(tx *store.Txn) (store.Row, error) {
			return tx.Upsert(h.ctx, "certificates", id, obj(t, certificateBody(t, `"snis":["d.test","a.test"]`)))
		}, []any{"a.test", "d.test"}},
		{"patch without snis keeps", func(tx *store.Txn) (store.Row, error) {
			return tx.Update(h.ctx, "certificates", id, obj(t, `{"tags":["t"]}`))
		}, []any{"a.test", "d.test"}},
		{"patch with snis replaces", func(tx *store.Txn) (store.Row, error) {
			return tx.Update(h.ctx, "certificates", id, obj(t, `{"snis":["e.test"]}`))
		}, []any{"e.test"}},
		{"patch with empty snis clears", func(tx *store.Txn) (store.Row, error) {
			return tx.Update(h.ctx, "certificates", id, obj(t, `{"snis":[]}`))
		}, []any{}},
		{"put again", func(tx *store.Txn) (store.Row, error) {
			return tx.Upsert(h.ctx, "certificates", id, obj(t, certificateBody(t, `"snis":["f.test"]`)))
		}, []any{"f.test"}},
		{"put without snis keeps", func(tx *store.Txn) (store.Row, error) {
			return tx.Upsert(h.ctx, "certificates", id, obj(t, certificateBody(t, "")))
		}, []any{"f.test"}},
		{"put with null snis clears", func(tx *store.Txn) (store.Row, error) {
			return tx.Upsert(h.ctx, "certificates", id, obj(t, certificateBody(t, `"snis":null`)))
		}, []any{}},
		{"put with snis", func(tx *store.Txn) (store.Row, error) {
			return tx.Upsert(h.ctx, "certificates", id, obj(t, certificateBody(t, `"snis":["f.test"]`)))
		}, []any{"f.test"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var got store.Row
			err := h.write(func(tx *store.Txn) (err error) {
				got, err = st.op(tx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st.want, got["snis"]); diff != "" {
				t.Errorf("snis (-want +got):\n%s", diff)
			}
			var names []any
			for _, n := range sniNames(h, id) {
				names = append(names, n)
			}
			if diff := cmp.Diff(st.want, names, sortAny, emptyAny); diff != "" {
				t.Errorf("sni rows (-want +got):\n%s", diff)
			}
			for _, n := range st.want {
				if sni := h.getBy("snis", "name", n); sni == nil || sni["certificate"].(map[string]any)["id"] != id {
					t.Errorf("sni %s = %v", n, sni)
				}
			}
		})
	}
	t.Run("page lists snis", func(t *testing.T) {
		p, err := h.page("certificates", store.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != 1 || !cmp.Equal(p.Rows[0]["snis"], []any{"f.test"}) {
			t.Errorf("page = %v", p.Rows)
		}
	})
}

// testCertificateErrors: SNIs listed twice (first reported in list order)
// or owned by another certificate (first in name order) are schema
// violations on the snis field, duplicates first, and nothing is written.
func testCertificateErrors(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	owner := h.insert("certificates", certificateBody(t, `"snis":["taken.test","a-taken.test"]`))
	mine := h.insert("certificates", certificateBody(t, `"snis":["mine.test"]`))
	violation := func(msg string) kongError {
		return kongError{Code: store.CodeSchemaViolation, Name: "schema violation",
			Message: "schema violation (snis: " + msg + ")", Fields: map[string]any{"snis": msg}}
	}
	taken := func(name string) kongError {
		return violation(name + " already associated with existing certificate '" + owner["id"].(string) + "'")
	}
	tests := []struct {
		name string
		op   func(tx *store.Txn) error
		want kongError
	}{
		{"insert duplicated", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "certificates", obj(t, certificateBody(t, `"snis":["x.test","x.test"]`)))
			return err
		}, violation("x.test is duplicated")},
		{"duplicates before owners", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "certificates", obj(t, certificateBody(t, `"snis":["taken.test","y.test","x.test","y.test","x.test"]`)))
			return err
		}, violation("y.test is duplicated")},
		{"insert owned by other", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "certificates", obj(t, certificateBody(t, `"snis":["new.test","taken.test","a-taken.test"]`)))
			return err
		}, taken("a-taken.test")},
		{"put owned by other", func(tx *store.Txn) error {
			_, err := tx.Upsert(h.ctx, "certificates", mine["id"].(string), obj(t, certificateBody(t, `"snis":["taken.test"]`)))
			return err
		}, taken("taken.test")},
		{"patch owned by other", func(tx *store.Txn) error {
			_, err := tx.Update(h.ctx, "certificates", mine["id"].(string), obj(t, `{"snis":["mine.test","taken.test"]}`))
			return err
		}, taken("taken.test")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.write(tt.op), tt.want)
		})
	}
	if got := sniNames(h, mine["id"].(string)); !cmp.Equal(got, []string{"mine.test"}) {
		t.Errorf("snis of the unchanged certificate = %v", got)
	}
	if got := h.all("snis", store.Query{}); len(got) != 3 {
		t.Errorf("%d sni rows, want 3", len(got))
	}
	if got := h.all("certificates", store.Query{}); len(got) != 2 {
		t.Errorf("%d certificates, want 2", len(got))
	}
}
