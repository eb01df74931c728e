package declarative

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
)

// testPlugins stands in for the plugin registry with a few config schemas.
type testPlugins map[string]*schema.Subschema

func (p testPlugins) Subschema(name string) (*schema.Subschema, bool) {
	s, ok := p[name]
	return s, ok
}

var plugins = testPlugins{
	"key-auth": {Fields: []schema.Field{schema.RecordOf("config",
		schema.ArrayOf("key_names", schema.Str("")).Default([]any{"apikey"}),
		schema.Bool("hide_credentials").Default(false),
	)}},
	"http-log": {Fields: []schema.Field{schema.RecordOf("config",
		schema.URL.Named("http_endpoint").Required(),
		schema.Int("timeout").Default(10000),
	)}},
	"rate-limiting": {Fields: []schema.Field{schema.RecordOf("config",
		schema.Int("second"),
		schema.Int("minute"),
		schema.Str("policy").Default("local").OneOf("local", "cluster", "redis"),
	)}},
}

// Credential entities of auth plugins, declared as plugins declare them.
var (
	keyAuthCredentials = &schema.Entity{
		Name: "keyauth_credentials", AdminName: "key-auths", EndpointKey: "key",
		CacheKey: []string{"key"}, Workspaceable: true, TTL: true,
		Fields: []schema.Field{
			schema.ID, schema.CreatedAt,
			schema.ForeignKey("consumer", "consumers").Required().Cascade(),
			schema.Str("key").Unique().Auto(),
			schema.Tags,
		},
	}
	acls = &schema.Entity{
		Name: "acls", CacheKey: []string{"consumer", "group"}, Workspaceable: true,
		Fields: []schema.Field{
			schema.ID, schema.CreatedAt,
			schema.ForeignKey("consumer", "consumers").Required().Cascade(),
			schema.Str("group").Required(),
			schema.Tags,
		},
	}
	// sessions stands for the entities Kong never exports.
	sessions = &schema.Entity{
		Name: "sessions", EndpointKey: "session_id", NoExport: true,
		Fields: []schema.Field{schema.ID, schema.Str("session_id").Required().Unique(), schema.CreatedAt},
	}
)

func testCatalog() *entities.Catalog {
	return entities.NewCatalog(plugins, keyAuthCredentials, acls, sessions)
}

func mustParse(t testing.TB, text string) *Config {
	t.Helper()
	cfg, err := Parse(testCatalog(), []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func mustFail(t testing.TB, text string) *Error {
	t.Helper()
	_, err := Parse(testCatalog(), []byte(text))
	var derr *Error
	if !errors.As(err, &derr) {
		t.Fatalf("Parse error = %v (%T), want *Error", err, err)
	}
	return derr
}

// testCert returns a self-signed CA certificate and its key, PEM-encoded.
var testCert = sync.OnceValues(func() (string, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "example.com"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
})

// yamlBlock renders a multi-line text as a YAML literal block at indent.
func yamlBlock(text string, indent int) string {
	pad := strings.Repeat(" ", indent)
	return "|\n" + pad + strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+pad)
}
