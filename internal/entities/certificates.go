package entities

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/silverback-gw/silverback/internal/schema"
)

// Certificates declares Kong's certificates entity. `snis` is transient: the
// Admin API turns it into rows of the snis entity.
var Certificates = &schema.Entity{
	Name:          "certificates",
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.Certificate.Required(),
		schema.Key.Required(),
		schema.Certificate.Named("cert_alt"),
		schema.Key.Named("key_alt"),
		schema.Tags,
		schema.ArrayOf("snis", schema.WildcardHost).Transient(),
	},
	Checks: []schema.Check{
		schema.MutuallyRequired("cert_alt", "key_alt"),
		schema.Custom([]string{"cert", "key", "cert_alt", "key_alt"}, checkCertificateKeys),
	},
}

func checkCertificateKeys(v map[string]any, _ schema.Op, errs schema.Errors) {
	cert, _ := v["cert"].(string)
	key, _ := v["key"].(string)
	if !certMatchesKey(cert, key) {
		errs.AddEntity("certificate does not match key")
		return
	}
	certAlt, _ := v["cert_alt"].(string)
	keyAlt, _ := v["key_alt"].(string)
	if certAlt == "" || keyAlt == "" {
		return
	}
	if !certMatchesKey(certAlt, keyAlt) {
		errs.AddEntity("alternative certificate does not match key")
		return
	}
	if keyType(cert) == keyType(certAlt) {
		errs.AddEntity("certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type")
	}
}

func certMatchesKey(certPEM, keyPEM string) bool {
	certs, err := schema.ParseCertificates(certPEM)
	if err != nil {
		return false
	}
	key, err := schema.ParsePrivateKey(keyPEM)
	if err != nil {
		return false
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return false
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := signer.Public().(equaler)
	return ok && pub.Equal(certs[0].PublicKey)
}

func keyType(certPEM string) string {
	certs, err := schema.ParseCertificates(certPEM)
	if err != nil {
		return ""
	}
	switch certs[0].PublicKey.(type) {
	case *rsa.PublicKey:
		return "rsa"
	case *ecdsa.PublicKey:
		return "ecdsa"
	case ed25519.PublicKey:
		return "ed25519"
	}
	return "other"
}

// SNIs declares Kong's snis entity. Deleting a certificate deletes its SNIs.
var SNIs = &schema.Entity{
	Name:          "snis",
	EndpointKey:   "name",
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.WildcardHost.Named("name").Required().Unique(),
		schema.Tags,
		schema.ForeignKey("certificate", "certificates").Required().Cascade(),
	},
}

// CACertificates declares Kong's ca_certificates entity (not workspaceable).
var CACertificates = &schema.Entity{
	Name: "ca_certificates",
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.Str("cert").Required().Custom(validateCACertificate).Referenceable(),
		schema.Str("cert_digest").Unique(),
		schema.Tags,
	},
	Transform: func(v map[string]any) {
		if certs, err := schema.ParseCertificates(v["cert"].(string)); err == nil {
			sum := sha256.Sum256(certs[0].Raw)
			v["cert_digest"] = hex.EncodeToString(sum[:])
		}
	},
}

func validateCACertificate(v any) error {
	certs, err := schema.ParseCertificates(v.(string))
	switch {
	case err != nil:
		return fmt.Errorf("invalid certificate: %s", err.Error())
	case len(certs) > 1:
		return fmt.Errorf("please submit only one certificate at a time")
	case time.Now().After(certs[0].NotAfter):
		return fmt.Errorf(`certificate expired, "Not After" time is in the past`)
	case !certs[0].BasicConstraintsValid || !certs[0].IsCA:
		return fmt.Errorf(`certificate does not appear to be a CA because it is missing the "CA" basic constraint`)
	}
	return nil
}

// Certificate is the runtime's view of a certificate with its SNIs.
type Certificate struct {
	ID      string
	Cert    string
	Key     string
	CertAlt string
	KeyAlt  string
	Tags    []string
}

// CertificateFromRow converts a stored certificates row.
func CertificateFromRow(r map[string]any) *Certificate {
	return &Certificate{ID: str(r, "id"), Cert: str(r, "cert"), Key: str(r, "key"),
		CertAlt: str(r, "cert_alt"), KeyAlt: str(r, "key_alt"), Tags: strs(r, "tags")}
}

// SNI is the runtime's view of an SNI.
type SNI struct {
	ID            string
	Name          string
	CertificateID string
}

// SNIFromRow converts a stored snis row.
func SNIFromRow(r map[string]any) *SNI {
	return &SNI{ID: str(r, "id"), Name: str(r, "name"), CertificateID: foreignID(r, "certificate")}
}
