package postgres

// coreDDL creates the tables, functions and seed rows a Kong 3.9
// `kong migrations bootstrap` leaves for the core subsystem, with Kong's
// column types, constraint, index and trigger names.
const coreDDL = `
CREATE OR REPLACE FUNCTION batch_delete_expired_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE FORMAT('WITH rows AS (SELECT ctid FROM %s WHERE %s < CURRENT_TIMESTAMP AT TIME ZONE ''UTC'' ORDER BY %s LIMIT 2 FOR UPDATE SKIP LOCKED) DELETE FROM %s WHERE ctid IN (TABLE rows)', TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0], TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TABLE IF NOT EXISTS cluster_events (
  id uuid PRIMARY KEY, node_id uuid NOT NULL, at timestamp with time zone NOT NULL,
  nbf timestamp with time zone, expire_at timestamp with time zone NOT NULL, channel text, data text
);
CREATE INDEX IF NOT EXISTS cluster_events_at_idx ON cluster_events (at);
CREATE INDEX IF NOT EXISTS cluster_events_channel_idx ON cluster_events (channel);
CREATE INDEX IF NOT EXISTS cluster_events_expire_at_idx ON cluster_events (expire_at);
CREATE TRIGGER cluster_events_ttl_trigger AFTER INSERT ON cluster_events
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('expire_at');

CREATE TABLE IF NOT EXISTS tags (entity_id uuid PRIMARY KEY, entity_name text, tags text[]);
CREATE INDEX IF NOT EXISTS tags_entity_name_idx ON tags (entity_name);
CREATE INDEX IF NOT EXISTS tags_tags_idx ON tags USING gin (tags);

CREATE OR REPLACE FUNCTION sync_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_OP = 'TRUNCATE') THEN
    DELETE FROM tags WHERE entity_name = TG_TABLE_NAME;
    RETURN NULL;
  ELSIF (TG_OP = 'DELETE') THEN
    DELETE FROM tags WHERE entity_id = OLD.id;
    RETURN OLD;
  ELSE
    INSERT INTO tags (entity_id, entity_name, tags) VALUES (NEW.id, TG_TABLE_NAME, NEW.tags)
      ON CONFLICT (entity_id) DO UPDATE SET tags = EXCLUDED.tags;
    RETURN NEW;
  END IF;
END;
$$;

CREATE TABLE IF NOT EXISTS workspaces (
  id uuid PRIMARY KEY, name text UNIQUE, comment text,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  meta jsonb, config jsonb,
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC')
);
INSERT INTO workspaces (id, name) VALUES (gen_random_uuid(), 'default') ON CONFLICT (name) DO NOTHING;

CREATE TABLE IF NOT EXISTS parameters (key text PRIMARY KEY, value text NOT NULL, created_at timestamp with time zone);
INSERT INTO parameters (key, value) VALUES ('cluster_id', gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING;

CREATE TABLE IF NOT EXISTS certificates (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  cert text, key text, tags text[], ws_id uuid REFERENCES workspaces (id), cert_alt text, key_alt text,
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  CONSTRAINT certificates_id_ws_id_unique UNIQUE (id, ws_id)
);
CREATE INDEX IF NOT EXISTS certificates_tags_idx ON certificates USING gin (tags);

CREATE TABLE IF NOT EXISTS snis (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  name text NOT NULL UNIQUE, certificate_id uuid, tags text[], ws_id uuid REFERENCES workspaces (id),
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  CONSTRAINT snis_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT snis_certificate_id_fkey FOREIGN KEY (certificate_id, ws_id) REFERENCES certificates (id, ws_id)
);
CREATE INDEX IF NOT EXISTS snis_certificate_id_idx ON snis (certificate_id);
CREATE INDEX IF NOT EXISTS snis_tags_idx ON snis USING gin (tags);

CREATE TABLE IF NOT EXISTS ca_certificates (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  cert text NOT NULL, tags text[], cert_digest text NOT NULL UNIQUE,
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC')
);

CREATE TABLE IF NOT EXISTS services (
  id uuid PRIMARY KEY, created_at timestamp with time zone, updated_at timestamp with time zone,
  name text, retries bigint, protocol text, host text, port bigint, path text,
  connect_timeout bigint, write_timeout bigint, read_timeout bigint, tags text[],
  client_certificate_id uuid, tls_verify boolean, tls_verify_depth smallint, ca_certificates uuid[],
  ws_id uuid REFERENCES workspaces (id), enabled boolean DEFAULT true,
  CONSTRAINT services_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT services_ws_id_name_unique UNIQUE (ws_id, name),
  CONSTRAINT services_client_certificate_id_fkey FOREIGN KEY (client_certificate_id, ws_id) REFERENCES certificates (id, ws_id)
);
CREATE INDEX IF NOT EXISTS services_fkey_client_certificate ON services (client_certificate_id);
CREATE INDEX IF NOT EXISTS services_tags_idx ON services USING gin (tags);

CREATE TABLE IF NOT EXISTS routes (
  id uuid PRIMARY KEY, created_at timestamp with time zone, updated_at timestamp with time zone,
  name text, service_id uuid, protocols text[], methods text[], hosts text[], paths text[], snis text[],
  sources jsonb[], destinations jsonb[], regex_priority bigint, strip_path boolean, preserve_host boolean,
  tags text[], https_redirect_status_code integer, headers jsonb, path_handling text DEFAULT 'v0',
  ws_id uuid REFERENCES workspaces (id), request_buffering boolean, response_buffering boolean,
  expression text, priority bigint,
  CONSTRAINT routes_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT routes_ws_id_name_unique UNIQUE (ws_id, name),
  CONSTRAINT routes_service_id_fkey FOREIGN KEY (service_id, ws_id) REFERENCES services (id, ws_id)
);
CREATE INDEX IF NOT EXISTS routes_service_id_idx ON routes (service_id);
CREATE INDEX IF NOT EXISTS routes_tags_idx ON routes USING gin (tags);

CREATE TABLE IF NOT EXISTS consumers (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  username text, custom_id text, tags text[], ws_id uuid REFERENCES workspaces (id),
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  CONSTRAINT consumers_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT consumers_ws_id_custom_id_unique UNIQUE (ws_id, custom_id),
  CONSTRAINT consumers_ws_id_username_unique UNIQUE (ws_id, username)
);
CREATE INDEX IF NOT EXISTS consumers_tags_idx ON consumers USING gin (tags);
CREATE INDEX IF NOT EXISTS consumers_username_idx ON consumers (lower(username));

CREATE TABLE IF NOT EXISTS upstreams (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC'),
  name text, hash_on text, hash_fallback text, hash_on_header text, hash_fallback_header text,
  hash_on_cookie text, hash_on_cookie_path text, slots integer NOT NULL, healthchecks jsonb, tags text[],
  algorithm text, host_header text, client_certificate_id uuid REFERENCES certificates (id),
  ws_id uuid REFERENCES workspaces (id), hash_on_query_arg text, hash_fallback_query_arg text,
  hash_on_uri_capture text, hash_fallback_uri_capture text, use_srv_name boolean DEFAULT false,
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  CONSTRAINT upstreams_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT upstreams_ws_id_name_unique UNIQUE (ws_id, name)
);
CREATE INDEX IF NOT EXISTS upstreams_fkey_client_certificate ON upstreams (client_certificate_id);
CREATE INDEX IF NOT EXISTS upstreams_tags_idx ON upstreams USING gin (tags);

CREATE TABLE IF NOT EXISTS targets (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC'),
  upstream_id uuid, target text NOT NULL, weight integer NOT NULL, tags text[],
  ws_id uuid REFERENCES workspaces (id), cache_key text UNIQUE,
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC'),
  CONSTRAINT targets_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT targets_upstream_id_fkey FOREIGN KEY (upstream_id, ws_id) REFERENCES upstreams (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS targets_tags_idx ON targets USING gin (tags);
CREATE INDEX IF NOT EXISTS targets_target_idx ON targets (target);
CREATE INDEX IF NOT EXISTS targets_upstream_id_idx ON targets (upstream_id);

CREATE TABLE IF NOT EXISTS plugins (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  name text NOT NULL, consumer_id uuid, service_id uuid, route_id uuid, config jsonb NOT NULL,
  enabled boolean NOT NULL, cache_key text UNIQUE, protocols text[], tags text[],
  ws_id uuid REFERENCES workspaces (id), instance_name text,
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  CONSTRAINT plugins_id_ws_id_unique UNIQUE (id, ws_id),
  CONSTRAINT plugins_ws_id_instance_name_unique UNIQUE (ws_id, instance_name),
  CONSTRAINT plugins_consumer_id_fkey FOREIGN KEY (consumer_id, ws_id) REFERENCES consumers (id, ws_id) ON DELETE CASCADE,
  CONSTRAINT plugins_route_id_fkey FOREIGN KEY (route_id, ws_id) REFERENCES routes (id, ws_id) ON DELETE CASCADE,
  CONSTRAINT plugins_service_id_fkey FOREIGN KEY (service_id, ws_id) REFERENCES services (id, ws_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS plugins_consumer_id_idx ON plugins (consumer_id);
CREATE INDEX IF NOT EXISTS plugins_name_idx ON plugins (name);
CREATE INDEX IF NOT EXISTS plugins_route_id_idx ON plugins (route_id);
CREATE INDEX IF NOT EXISTS plugins_service_id_idx ON plugins (service_id);
CREATE INDEX IF NOT EXISTS plugins_tags_idx ON plugins USING gin (tags);

CREATE TABLE IF NOT EXISTS sm_vaults (
  id uuid PRIMARY KEY, ws_id uuid REFERENCES workspaces (id), prefix text UNIQUE, name text NOT NULL,
  description text, config jsonb NOT NULL,
  created_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  updated_at timestamp with time zone, tags text[],
  CONSTRAINT sm_vaults_id_ws_id_key UNIQUE (id, ws_id),
  CONSTRAINT sm_vaults_prefix_ws_id_key UNIQUE (prefix, ws_id)
);
CREATE INDEX IF NOT EXISTS sm_vaults_tags_idx ON sm_vaults USING gin (tags);

CREATE TABLE IF NOT EXISTS key_sets (
  id uuid PRIMARY KEY, name text UNIQUE, tags text[], ws_id uuid REFERENCES workspaces (id),
  created_at timestamp with time zone, updated_at timestamp with time zone
);
CREATE INDEX IF NOT EXISTS key_sets_tags_idx ON key_sets USING gin (tags);

CREATE TABLE IF NOT EXISTS keys (
  id uuid PRIMARY KEY, set_id uuid REFERENCES key_sets (id) ON DELETE CASCADE, name text UNIQUE,
  cache_key text UNIQUE, ws_id uuid REFERENCES workspaces (id), kid text, jwk text, pem jsonb, tags text[],
  created_at timestamp with time zone, updated_at timestamp with time zone,
  CONSTRAINT keys_kid_set_id_key UNIQUE (kid, set_id)
);
CREATE INDEX IF NOT EXISTS keys_fkey_key_sets ON keys (set_id);
CREATE INDEX IF NOT EXISTS keys_tags_idx ON keys USING gin (tags);

CREATE TABLE IF NOT EXISTS filter_chains (
  id uuid PRIMARY KEY, name text UNIQUE, enabled boolean DEFAULT true,
  route_id uuid REFERENCES routes (id) ON DELETE CASCADE, service_id uuid REFERENCES services (id) ON DELETE CASCADE,
  ws_id uuid REFERENCES workspaces (id) ON DELETE CASCADE, cache_key text UNIQUE, filters jsonb[], tags text[],
  created_at timestamp with time zone, updated_at timestamp with time zone
);
CREATE UNIQUE INDEX IF NOT EXISTS filter_chains_cache_key_idx ON filter_chains (cache_key);
CREATE UNIQUE INDEX IF NOT EXISTS filter_chains_name_idx ON filter_chains (name);
CREATE INDEX IF NOT EXISTS filter_chains_tags_idx ON filter_chains USING gin (tags);

CREATE TABLE IF NOT EXISTS clustering_data_planes (
  id uuid PRIMARY KEY, hostname text NOT NULL, ip text NOT NULL,
  last_seen timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  config_hash text NOT NULL, ttl timestamp with time zone, version text, sync_status text NOT NULL DEFAULT 'unknown',
  updated_at timestamp with time zone DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC'),
  labels jsonb, cert_details jsonb, rpc_capabilities text[]
);
CREATE INDEX IF NOT EXISTS clustering_data_planes_ttl_idx ON clustering_data_planes (ttl);
CREATE TRIGGER clustering_data_planes_ttl_trigger AFTER INSERT ON clustering_data_planes
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');

CREATE TABLE IF NOT EXISTS clustering_rpc_requests (
  id bigserial PRIMARY KEY, node_id uuid NOT NULL, reply_to uuid NOT NULL,
  ttl timestamp with time zone NOT NULL, payload json NOT NULL
);
CREATE INDEX IF NOT EXISTS clustering_rpc_requests_node_id_idx ON clustering_rpc_requests (node_id);

CREATE TABLE IF NOT EXISTS clustering_sync_version (version serial PRIMARY KEY);
CREATE TABLE IF NOT EXISTS clustering_sync_delta (
  version integer NOT NULL REFERENCES clustering_sync_version (version) ON DELETE CASCADE,
  type text NOT NULL, pk json NOT NULL, ws_id uuid NOT NULL, entity json
);
CREATE INDEX IF NOT EXISTS clustering_sync_delta_version_idx ON clustering_sync_delta (version);
`
