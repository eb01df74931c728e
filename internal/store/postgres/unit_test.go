package postgres

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

func TestUniqueField(t *testing.T) {
	t.Parallel()
	tests := []struct{ table, constraint, want string }{
		{"services", "services_pkey", "id"},
		{"services", "services_id_ws_id_unique", "id"},
		{"services", "services_ws_id_name_unique", "name"},
		{"plugins", "plugins_cache_key_key", "cache_key"},
		{"plugins", "plugins_ws_id_instance_name_unique", "instance_name"},
		{"snis", "snis_name_key", "name"},
		{"ca_certificates", "ca_certificates_cert_digest_key", "cert_digest"},
		{"sm_vaults", "sm_vaults_prefix_ws_id_key", "prefix"},
		{"filter_chains", "filter_chains_name_idx", "name"},
		{"services", "routes_ws_id_name_unique", ""},
		{"services", "services_something", ""},
	}
	for _, tt := range tests {
		t.Run(tt.constraint, func(t *testing.T) {
			if got := uniqueField(tt.table, tt.constraint); got != tt.want {
				t.Errorf("uniqueField(%q, %q) = %q, want %q", tt.table, tt.constraint, got, tt.want)
			}
		})
	}
}

func TestTimestamps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		field schema.Field
		in    any
		text  any
		back  any
	}{
		{"seconds", schema.CreatedAt, int64(1700000000), "2023-11-14T22:13:20Z", int64(1700000000)},
		{"milliseconds", schema.CreatedAtMs, 1700000000.123, "2023-11-14T22:13:20.123Z", 1700000000.123},
		{"null", schema.CreatedAt, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := encodeTime(tt.in)
			if text != tt.text {
				t.Fatalf("encodeTime = %v, want %v", text, tt.text)
			}
			back, err := decodeTime(tt.field, text)
			if err != nil || back != tt.back {
				t.Errorf("decodeTime = %v, %v, want %v", back, err, tt.back)
			}
		})
	}
	// PostgreSQL's rendering of a timestamptz in to_jsonb.
	if got, err := decodeTime(schema.CreatedAt, "2023-11-14T22:13:20.9+00:00"); err != nil || got != int64(1700000000) {
		t.Errorf("decodeTime of PostgreSQL text = %v, %v", got, err)
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     any
		stored any
	}{
		{"plain", "abc", "abc"},
		{"nul", "a\x00b", "a\uE0000b"},
		{"escape rune", "\uE000", "\uE000\uE000"},
		{"escape rune then 0", "\uE0000", "\uE000\uE0000"},
		{"nested", map[string]any{"k\x00": []any{"\x00", int64(1), nil}, "same": []any{"x"}},
			map[string]any{"k\uE0000": []any{"\uE0000", int64(1), nil}, "same": []any{"x"}}},
		{"array, second element", []any{"a", "\x00"}, []any{"a", "\uE0000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := rowjson.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			stored := escape(tt.in)
			if after, _ := rowjson.Marshal(tt.in); string(after) != string(before) {
				t.Errorf("escape changed its argument: %s, was %s", after, before)
			}
			if diff := cmp.Diff(tt.stored, stored); diff != "" {
				t.Errorf("escape (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.in, unescape(stored)); diff != "" {
				t.Errorf("unescape (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsNotice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{ErrAlreadyBootstrapped, true},
		{ErrUpToDate, true},
		{ErrNothingToFinish, true},
		{ErrNothingToReset, true},
		{ErrNeedsBootstrap, false},
		{errCannotRun, false},
		{ErrLocked, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsNotice(tt.err); got != tt.want {
			t.Errorf("IsNotice(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if !strings.HasPrefix(errCannotRun.Error(), "Cannot run migrations: Database needs bootstrapping") {
		t.Errorf("errCannotRun = %q", errCannotRun)
	}
}

func TestKeyParts(t *testing.T) {
	cols := map[string]colInfo{}
	for _, c := range []string{"id", "created_at", "consumer_id", "group", "key", "tags"} {
		cols[c] = colInfo{typ: "text"}
	}
	tests := []struct {
		entity *schema.Entity
		key    string
		want   []string // nil: not a key of the entity
	}{
		{keyAuths, "keyauth_credentials:abc:::::", []string{"abc"}},
		{keyAuths, "keyauth_credentials:a:b:c:::::", []string{"a:b:c"}},
		{keyAuths, "acls:abc:::::", nil},
		{keyAuths, "keyauth_credentials:abc::::", nil},
		{acls, "acls:c1:admins::::", []string{"c1", "admins"}},
		{acls, "acls::admins::::", []string{"", "admins"}},
		{acls, "acls:c1:a:b::::", []string{"c1", "a:b"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			td, err := newTableDef(tt.entity, cols)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := td.keyParts(tt.key)
			if ok != (tt.want != nil) {
				t.Fatalf("keyParts = %q, %v", got, ok)
			}
			if diff := cmp.Diff(tt.want, got); ok && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMigrationListString(t *testing.T) {
	l := MigrationList{
		{Subsystem: "core", Migrations: []string{"000_base", "003_100_to_110"}},
		{Subsystem: "key-auth", Migrations: []string{"000_base_key_auth"}},
	}
	want := "    core: 000_base, 003_100_to_110\nkey-auth: 000_base_key_auth"
	if got := l.String(); got != want {
		t.Errorf("String =\n%s\nwant\n%s", got, want)
	}
}
