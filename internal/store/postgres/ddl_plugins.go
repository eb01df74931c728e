package postgres

// pluginDDL creates the tables of Kong's bundled plugins that have any, by
// subsystem (the plugin name), as Kong 3.9 leaves them after bootstrap.
var pluginDDL = map[string]string{
	"acl": `
CREATE TABLE IF NOT EXISTS acls (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  consumer_id uuid, "group" text, cache_key text UNIQUE, tags text[], ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT acls_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT acls_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS acls_consumer_id_idx ON acls (consumer_id);
CREATE INDEX IF NOT EXISTS acls_group_idx ON acls ("group");
CREATE INDEX IF NOT EXISTS acls_tags_idex_tags_idx ON acls USING gin (tags);
`,
	"acme": `
CREATE TABLE IF NOT EXISTS acme_storage (
  id uuid PRIMARY KEY, key text UNIQUE, value text, created_at timestamp with time zone, ttl timestamp with time zone
);
CREATE INDEX IF NOT EXISTS acme_storage_ttl_idx ON acme_storage (ttl);
CREATE TRIGGER acme_storage_ttl_trigger AFTER INSERT ON acme_storage
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');
`,
	"basic-auth": `
CREATE TABLE IF NOT EXISTS basicauth_credentials (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  consumer_id uuid, username text, password text, tags text[], ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT basicauth_credentials_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT basicauth_credentials_ws_id_username_unique UNIQUE (ws_id, username),
  CONSTRAINT basicauth_credentials_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS basicauth_consumer_id_idx ON basicauth_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS basicauth_tags_idex_tags_idx ON basicauth_credentials USING gin (tags);
`,
	"hmac-auth": `
CREATE TABLE IF NOT EXISTS hmacauth_credentials (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  consumer_id uuid, username text, secret text, tags text[], ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT hmacauth_credentials_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT hmacauth_credentials_ws_id_username_unique UNIQUE (ws_id, username),
  CONSTRAINT hmacauth_credentials_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS hmacauth_credentials_consumer_id_idx ON hmacauth_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS hmacauth_tags_idex_tags_idx ON hmacauth_credentials USING gin (tags);
`,
	"jwt": `
CREATE TABLE IF NOT EXISTS jwt_secrets (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  consumer_id uuid, key text, secret text, algorithm text, rsa_public_key text, tags text[],
  ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT jwt_secrets_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT jwt_secrets_ws_id_key_unique UNIQUE (ws_id, key),
  CONSTRAINT jwt_secrets_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS jwt_secrets_consumer_id_idx ON jwt_secrets (consumer_id);
CREATE INDEX IF NOT EXISTS jwt_secrets_secret_idx ON jwt_secrets (secret);
CREATE INDEX IF NOT EXISTS jwtsecrets_tags_idex_tags_idx ON jwt_secrets USING gin (tags);
`,
	"key-auth": `
CREATE TABLE IF NOT EXISTS keyauth_credentials (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  consumer_id uuid, key text, tags text[], ttl timestamp with time zone, ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT keyauth_credentials_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT keyauth_credentials_ws_id_key_unique UNIQUE (ws_id, key),
  CONSTRAINT keyauth_credentials_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS keyauth_credentials_consumer_id_idx ON keyauth_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS keyauth_credentials_ttl_idx ON keyauth_credentials (ttl);
CREATE INDEX IF NOT EXISTS keyauth_tags_idex_tags_idx ON keyauth_credentials USING gin (tags);
CREATE TRIGGER keyauth_credentials_ttl_trigger AFTER INSERT ON keyauth_credentials
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');
`,
	"oauth2": `
CREATE TABLE IF NOT EXISTS oauth2_credentials (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  name text, consumer_id uuid, client_id text, client_secret text, redirect_uris text[], tags text[],
  client_type text, hash_secret boolean, ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT oauth2_credentials_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT oauth2_credentials_ws_id_client_id_unique UNIQUE (ws_id, client_id),
  CONSTRAINT oauth2_credentials_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS oauth2_credentials_consumer_id_idx ON oauth2_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS oauth2_credentials_secret_idx ON oauth2_credentials (client_secret);
CREATE INDEX IF NOT EXISTS oauth2_credentials_tags_idex_tags_idx ON oauth2_credentials USING gin (tags);

CREATE TABLE IF NOT EXISTS oauth2_authorization_codes (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  credential_id uuid, service_id uuid, code text, authenticated_userid text, scope text,
  ttl timestamp with time zone, challenge text, challenge_method text, ws_id uuid REFERENCES workspaces (id),
  plugin_id uuid REFERENCES plugins (id) ON DELETE CASCADE,
  CONSTRAINT oauth2_authorization_codes_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT oauth2_authorization_codes_ws_id_code_unique UNIQUE (ws_id, code),
  CONSTRAINT oauth2_authorization_codes_credential_id_fkey FOREIGN KEY (credential_id, ws_id) REFERENCES oauth2_credentials (id, ws_id) ON DELETE CASCADE,
  CONSTRAINT oauth2_authorization_codes_service_id_fkey FOREIGN KEY (service_id, ws_id) REFERENCES services (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS oauth2_authorization_codes_authenticated_userid_idx ON oauth2_authorization_codes (authenticated_userid);
CREATE INDEX IF NOT EXISTS oauth2_authorization_codes_ttl_idx ON oauth2_authorization_codes (ttl);
CREATE INDEX IF NOT EXISTS oauth2_authorization_credential_id_idx ON oauth2_authorization_codes (credential_id);
CREATE INDEX IF NOT EXISTS oauth2_authorization_service_id_idx ON oauth2_authorization_codes (service_id);
CREATE TRIGGER oauth2_authorization_codes_ttl_trigger AFTER INSERT ON oauth2_authorization_codes
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');

CREATE TABLE IF NOT EXISTS oauth2_tokens (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  credential_id uuid, service_id uuid, access_token text, refresh_token text, token_type text,
  expires_in integer, authenticated_userid text, scope text, ttl timestamp with time zone,
  ws_id uuid REFERENCES workspaces (id),
  CONSTRAINT oauth2_tokens_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT oauth2_tokens_ws_id_access_token_unique UNIQUE (ws_id, access_token),
  CONSTRAINT oauth2_tokens_ws_id_refresh_token_unique UNIQUE (ws_id, refresh_token),
  CONSTRAINT oauth2_tokens_credential_id_fkey FOREIGN KEY (credential_id, ws_id) REFERENCES oauth2_credentials (id, ws_id) ON DELETE CASCADE,
  CONSTRAINT oauth2_tokens_service_id_fkey FOREIGN KEY (service_id, ws_id) REFERENCES services (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS oauth2_tokens_authenticated_userid_idx ON oauth2_tokens (authenticated_userid);
CREATE INDEX IF NOT EXISTS oauth2_tokens_credential_id_idx ON oauth2_tokens (credential_id);
CREATE INDEX IF NOT EXISTS oauth2_tokens_service_id_idx ON oauth2_tokens (service_id);
CREATE INDEX IF NOT EXISTS oauth2_tokens_ttl_idx ON oauth2_tokens (ttl);
CREATE TRIGGER oauth2_tokens_ttl_trigger AFTER INSERT ON oauth2_tokens
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');
`,
	"rate-limiting": `
CREATE TABLE IF NOT EXISTS ratelimiting_metrics (
  identifier text NOT NULL, period text NOT NULL, period_date timestamp with time zone NOT NULL,
  service_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'::uuid,
  route_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'::uuid,
  value integer, ttl timestamp with time zone,
  PRIMARY KEY (identifier, period, period_date, service_id, route_id)
);
CREATE INDEX IF NOT EXISTS ratelimiting_metrics_idx ON ratelimiting_metrics (service_id, route_id, period_date, period);
CREATE INDEX IF NOT EXISTS ratelimiting_metrics_ttl_idx ON ratelimiting_metrics (ttl);
CREATE TRIGGER ratelimiting_metrics_ttl_trigger AFTER INSERT ON ratelimiting_metrics
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');
`,
	"response-ratelimiting": `
CREATE TABLE IF NOT EXISTS response_ratelimiting_metrics (
  identifier text NOT NULL, period text NOT NULL, period_date timestamp with time zone NOT NULL,
  service_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'::uuid,
  route_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'::uuid,
  value integer,
  PRIMARY KEY (identifier, period, period_date, service_id, route_id)
);
`,
	"session": `
CREATE TABLE IF NOT EXISTS sessions (
  id uuid PRIMARY KEY, session_id text UNIQUE, expires integer, data text,
  created_at timestamp with time zone, ttl timestamp with time zone
);
CREATE INDEX IF NOT EXISTS session_sessions_expires_idx ON sessions (expires);
CREATE INDEX IF NOT EXISTS sessions_ttl_idx ON sessions (ttl);
CREATE TRIGGER sessions_ttl_trigger AFTER INSERT ON sessions
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');
`,
}

// syncTagsTriggers maps each tagged table to the name Kong gives its
// sync_tags trigger.
var syncTagsTriggers = map[string]string{
	"certificates": "certificates_sync_tags_trigger", "snis": "snis_sync_tags_trigger",
	"ca_certificates": "ca_certificates_sync_tags_trigger", "services": "services_sync_tags_trigger",
	"routes": "routes_sync_tags_trigger", "consumers": "consumers_sync_tags_trigger",
	"upstreams": "upstreams_sync_tags_trigger", "targets": "targets_sync_tags_trigger",
	"plugins": "plugins_sync_tags_trigger", "sm_vaults": "sm_vaults_sync_tags_trigger",
	"key_sets": "key_sets_sync_tags_trigger", "keys": "keys_sync_tags_trigger",
	"filter_chains": "filter_chains_sync_tags_trigger",
	"acls":          "acls_sync_tags_trigger", "basicauth_credentials": "basicauth_sync_tags_trigger",
	"hmacauth_credentials": "hmacauth_sync_tags_trigger", "jwt_secrets": "jwtsecrets_sync_tags_trigger",
	"keyauth_credentials": "keyauth_sync_tags_trigger", "oauth2_credentials": "oauth2_credentials_sync_tags_trigger",
}
