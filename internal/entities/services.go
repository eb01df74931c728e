package entities

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/silverback-gw/silverback/internal/schema"
)

// Services declares Kong's services entity.
var Services = &schema.Entity{
	Name:          "services",
	EndpointKey:   "name",
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.UTF8Name,
		schema.Int("retries").Default(5).Between(0, 32767),
		schema.Protocol.Required().Default("http"),
		schema.Host.Required(),
		schema.Port.Required().Default(80),
		schema.Path,
		timeoutField("connect_timeout"),
		timeoutField("write_timeout"),
		timeoutField("read_timeout"),
		schema.Tags,
		schema.ForeignKey("client_certificate", "certificates"),
		schema.Bool("tls_verify"),
		schema.Int("tls_verify_depth").NullDefault().Between(0, 64),
		schema.ArrayOf("ca_certificates", schema.Str("").UUID()),
		schema.Bool("enabled").Required().Default(true),
	},
	Checks: []schema.Check{
		schema.Conditional("protocol", schema.Cond{OneOf: []any{"tcp", "tls", "tls_passthrough", "udp", "grpc", "grpcs"}},
			"path", schema.Cond{Null: true}),
		notTLSThenNull("client_certificate"),
		notTLSThenNull("tls_verify"),
		notTLSThenNull("tls_verify_depth"),
		notTLSThenNull("ca_certificates"),
	},
	Shorthands: []schema.Shorthand{{Field: schema.Str("url"), Expand: expandServiceURL}},
}

func timeoutField(name string) schema.Field {
	return schema.Int(name).Default(60000).Between(1, 1<<31-2)
}

func notTLSThenNull(field string) schema.Check {
	return schema.Conditional("protocol", schema.Cond{NotOneOf: []any{"https", "tls"}},
		field, schema.Cond{Null: true})
}

// expandServiceURL implements the services `url` shorthand: protocol, host,
// port and path from one URL, as Kong's services.lua does.
func expandServiceURL(v any, into map[string]any) error {
	u, err := url.Parse(v.(string))
	if err != nil || u.Host == "" {
		return errors.New("invalid url: " + v.(string))
	}
	into["protocol"] = u.Scheme
	into["host"] = u.Hostname()
	port, explicit := strconv.Atoi(u.Port())
	switch {
	case explicit == nil:
		into["port"] = int64(port)
	case u.Scheme == "https" || u.Scheme == "grpcs" || u.Scheme == "tls":
		into["port"] = int64(443)
	default:
		into["port"] = int64(80)
	}
	if u.Scheme == "" {
		into["protocol"] = "http"
	}
	if p := u.EscapedPath(); p != "" {
		into["path"] = p
	} else {
		into["path"] = nil
	}
	return nil
}

// Service is the runtime's view of a service.
type Service struct {
	ID             string
	Name           string
	Retries        int
	Protocol       string
	Host           string
	Port           int
	Path           string
	ConnectTimeout int // milliseconds
	WriteTimeout   int
	ReadTimeout    int
	Tags           []string
	ClientCertID   string
	TLSVerify      *bool
	TLSVerifyDepth *int
	CACertificates []string
	Enabled        bool
}

// ServiceFromRow converts a stored services row.
func ServiceFromRow(r map[string]any) *Service {
	return &Service{
		ID:             str(r, "id"),
		Name:           str(r, "name"),
		Retries:        integer(r, "retries"),
		Protocol:       str(r, "protocol"),
		Host:           str(r, "host"),
		Port:           integer(r, "port"),
		Path:           str(r, "path"),
		ConnectTimeout: integer(r, "connect_timeout"),
		WriteTimeout:   integer(r, "write_timeout"),
		ReadTimeout:    integer(r, "read_timeout"),
		Tags:           strs(r, "tags"),
		ClientCertID:   foreignID(r, "client_certificate"),
		TLSVerify:      optBool(r, "tls_verify"),
		TLSVerifyDepth: optInt(r, "tls_verify_depth"),
		CACertificates: strs(r, "ca_certificates"),
		Enabled:        boolean(r, "enabled"),
	}
}
