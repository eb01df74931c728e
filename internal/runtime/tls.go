package runtime

import (
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// TLS is the snapshot's view of the certificates entities: certificates
// by id and by SNI name, and the CA certificates' PEM by id. Never modify
// one.
type TLS struct {
	// Certificates by id.
	Certificates map[string]*entities.Certificate
	// BySNI maps SNI names, wildcards included ("*.example.com",
	// "example.*", "*"), to their certificate.
	BySNI map[string]*entities.Certificate
	// CACertificates is the PEM of each ca_certificates entity, by id.
	CACertificates map[string]string
}

// Certificate returns the certificate for a TLS server name as Kong's
// certificate.lua finds it: the exact name, then the name with its
// leftmost label replaced by "*", then with its rightmost label replaced
// by "*", then the SNI "*". It returns nil when none matches (the
// listener's default certificate then answers).
func (t *TLS) Certificate(serverName string) *entities.Certificate {
	if t == nil || len(t.BySNI) == 0 {
		return nil
	}
	name := strings.ToLower(strings.TrimSuffix(serverName, "."))
	if name != "" {
		if c := t.BySNI[name]; c != nil {
			return c
		}
		if i := strings.IndexByte(name, '.'); i >= 0 {
			if c := t.BySNI["*"+name[i:]]; c != nil {
				return c
			}
		}
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			if c := t.BySNI[name[:i+1]+"*"]; c != nil {
				return c
			}
		}
	}
	return t.BySNI["*"]
}

// tlsModel is the model's part for certificates, snis and ca_certificates.
type tlsModel struct {
	certificates map[string]*entities.Certificate
	snis         map[string]*entities.SNI
	cas          map[string]string
	// upstreamCerts is each upstream's client_certificate id, when set.
	upstreamCerts map[string]string
}

func newTLSModel() tlsModel {
	return tlsModel{
		certificates:  map[string]*entities.Certificate{},
		snis:          map[string]*entities.SNI{},
		cas:           map[string]string{},
		upstreamCerts: map[string]string{},
	}
}

func (m *tlsModel) setUpstreamCert(upstreamID, certID string) {
	if certID == "" {
		delete(m.upstreamCerts, upstreamID)
		return
	}
	m.upstreamCerts[upstreamID] = certID
}

func (m *tlsModel) set(table string, r store.Row) {
	switch table {
	case "certificates":
		c := entities.CertificateFromRow(r)
		m.certificates[c.ID] = c
	case "snis":
		s := entities.SNIFromRow(r)
		m.snis[s.ID] = s
	case "ca_certificates":
		id, _ := r["id"].(string)
		pem, _ := r["cert"].(string)
		m.cas[id] = pem
	}
}

func (m *tlsModel) remove(table, id string) {
	switch table {
	case "certificates":
		delete(m.certificates, id)
	case "snis":
		delete(m.snis, id)
	case "ca_certificates":
		delete(m.cas, id)
	}
}

func (m *tlsModel) clear(table string) {
	switch table {
	case "certificates":
		clear(m.certificates)
	case "snis":
		clear(m.snis)
	case "ca_certificates":
		clear(m.cas)
	}
}

// compile copies the tables into an immutable TLS. The entity values are
// shared: an update replaces them in the model's maps.
func (m *tlsModel) compile() *TLS {
	t := &TLS{
		Certificates:   make(map[string]*entities.Certificate, len(m.certificates)),
		BySNI:          make(map[string]*entities.Certificate, len(m.snis)),
		CACertificates: make(map[string]string, len(m.cas)),
	}
	for id, c := range m.certificates {
		t.Certificates[id] = c
	}
	for _, s := range m.snis {
		if c := m.certificates[s.CertificateID]; c != nil {
			t.BySNI[strings.ToLower(s.Name)] = c
		}
	}
	for id, pem := range m.cas {
		t.CACertificates[id] = pem
	}
	return t
}
