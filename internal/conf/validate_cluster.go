package conf

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// checkProxyServer validates the forward proxy URL (proxy_server).
func (v *validator) checkProxyServer() {
	s, ok := v.str("proxy_server")
	if !ok {
		return
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		v.errs.add("proxy_server", "proxy_server is invalid: %s", err)
	case u.Scheme == "":
		v.errs.add("proxy_server", "proxy_server missing scheme")
	case s[:len(u.Scheme)] != "http" && s[:len(u.Scheme)] != "https":
		v.errs.add("proxy_server", "proxy_server only supports \"http\" and \"https\", got %s", s[:len(u.Scheme)])
	case u.Host == "":
		v.errs.add("proxy_server", "proxy_server missing host")
	case u.Fragment != "" || u.RawQuery != "" || u.ForceQuery || strings.Contains(u.Path, ";"):
		v.errs.add("proxy_server", "fragments, query strings or parameters are meaningless in proxy configuration")
	}
}

// checkRole applies the hybrid mode rules of role = control_plane or
// data_plane, and refuses DP labels elsewhere.
func (v *validator) checkRole() {
	role, _ := v.str("role")
	if role == "control_plane" || role == "data_plane" {
		v.checkClusterCerts()
	}
	switch role {
	case "control_plane":
		if !listening(v.list("admin_listen")) {
			v.errs.add("admin_listen", "admin_listen must be specified when role = \"control_plane\"")
		}
		if mtls, _ := v.str("cluster_mtls"); mtls == "pki" {
			if _, ok := v.str("cluster_ca_cert"); !ok {
				v.errs.add("cluster_ca_cert", "cluster_ca_cert must be specified when cluster_mtls = \"pki\"")
			}
		}
		if !listening(v.list("cluster_listen")) {
			v.errs.add("cluster_listen", "cluster_listen must be specified when role = \"control_plane\"")
		}
		if db, _ := v.str("database"); db == "off" {
			v.errs.add("database", "in-memory storage can not be used when role = \"control_plane\"")
		}
		if v.flag("cluster_use_proxy") {
			v.errs.add("cluster_use_proxy", "cluster_use_proxy can not be used when role = \"control_plane\"")
		}
		if len(v.list("cluster_dp_labels")) > 0 {
			v.errs.add("cluster_dp_labels", "cluster_dp_labels can not be used when role = \"control_plane\"")
		}
	case "data_plane":
		if !listening(v.list("proxy_listen")) {
			v.errs.add("proxy_listen", "proxy_listen must be specified when role = \"data_plane\"")
		}
		if db, _ := v.str("database"); db != "off" {
			v.errs.add("database", "only in-memory storage can be used when role = \"data_plane\"\nHint: set database = off in your kong.conf")
		}
		// The data plane trusts the control plane's certificate (shared)
		// or its CA (pki) in addition to lua_ssl_trusted_certificate.
		trust := "cluster_cert"
		if mtls, _ := v.str("cluster_mtls"); mtls == "pki" {
			trust = "cluster_ca_cert"
		}
		if c, ok := v.str(trust); ok && !slices.Contains(v.list("lua_ssl_trusted_certificate"), c) {
			v.props["lua_ssl_trusted_certificate"] = append(v.list("lua_ssl_trusted_certificate"), c)
		}
		if _, ok := v.str("proxy_server"); v.flag("cluster_use_proxy") && !ok {
			v.errs.add("cluster_use_proxy", "cluster_use_proxy is turned on but no proxy_server is configured")
		}
		if err := validateLabels(v.list("cluster_dp_labels")); err != "" {
			v.errs.add("cluster_dp_labels", "%s", err)
		}
	default:
		if len(v.list("cluster_dp_labels")) > 0 {
			v.errs.add("cluster_dp_labels", "cluster_dp_labels can only be used when role = \"data_plane\"")
		}
	}
}

// checkClusterCerts requires and loads the hybrid mode certificate, key and
// optional CA.
func (v *validator) checkClusterCerts() {
	cert, hasCert := v.str("cluster_cert")
	key, hasKey := v.str("cluster_cert_key")
	if !hasCert || !hasKey {
		v.errs.add("cluster_cert", "cluster certificate and key must be provided to use Hybrid mode")
	} else {
		val, ok := loadPEM(cert, parseCertificate)
		v.props["cluster_cert"] = val
		if !ok {
			v.errs.add("cluster_cert", "cluster_cert: failed loading certificate from %s", val)
		}
		val, ok = loadPEM(key, parsePrivateKey)
		v.props["cluster_cert_key"] = val
		if !ok {
			v.errs.add("cluster_cert_key", "cluster_cert_key: failed loading key from %s", val)
		}
	}
	if ca, ok := v.str("cluster_ca_cert"); ok {
		val, ok := loadPEM(ca, parseCertificate)
		v.props["cluster_ca_cert"] = val
		if !ok {
			v.errs.add("cluster_ca_cert", "cluster_ca_cert: failed loading certificate from %s", val)
		}
	}
}

// Data plane label rules (Kong Labels AIP-129, kong/conf_loader/parse.lua).
const (
	maxLabels       = 10
	maxLabelSize    = 63
	labelValuePtrn  = `[a-z0-9]([\w\.:-]*[a-z0-9]|)$`
	labelKeyPtrn    = `(?!kong)(?!konnect)(?!insomnia)(?!mesh)(?!kic)` + labelValuePtrn
	labelKeyFailed  = "label key validation failed: "
	labelValFailed  = "label value validation failed: "
	labelsCountFail = "labels validation failed: count exceeded %d max elements"
)

// validateLabels checks "key:value" labels and returns Kong's message for
// the first invalid one, or "".
func validateLabels(labels []string) string {
	if len(labels) > maxLabels {
		return fmt.Sprintf(labelsCountFail, maxLabels)
	}
	for _, kv := range labels {
		k, val, found := strings.Cut(kv, ":")
		if !found {
			k = ""
		}
		if msg := validateLabel(k, true); msg != "" {
			return labelKeyFailed + msg
		}
		if msg := validateLabel(val, false); msg != "" {
			return labelValFailed + msg
		}
	}
	return ""
}

// validateLabel matches a label key or value against Kong's pattern
// (case-insensitive, anchored at the start).
func validateLabel(s string, key bool) string {
	pattern := labelValuePtrn
	if key {
		pattern = labelKeyPtrn
	}
	if s == "" || len(s) > maxLabelSize {
		return fmt.Sprintf("%s must have between 1 and %d characters", s, maxLabelSize)
	}
	lower := strings.ToLower(s)
	ok := isAlnum(s[0]) && isAlnum(s[len(s)-1])
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok = ok && (isAlnum(c) || c == '_' || c == '.' || c == ':' || c == '-')
	}
	if key {
		for _, reserved := range []string{"kong", "konnect", "insomnia", "mesh", "kic"} {
			ok = ok && !strings.HasPrefix(lower, reserved)
		}
	}
	if !ok {
		return fmt.Sprintf("%s is invalid. Must match pattern: %s", s, pattern)
	}
	return ""
}
