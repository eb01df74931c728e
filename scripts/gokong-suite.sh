#!/usr/bin/env bash
# gokong-suite.sh — runs go-kong's own integration tests (package kong of
# github.com/kong/go-kong) against a fresh PostgreSQL-backed Silverback node.
#
#   scripts/gokong-suite.sh [go test -run pattern]
#
# Steps: build bin/silverback; copy go-kong from the module cache into a
# writable temp dir; create a fresh database gokong_<pid> on 127.0.0.1:5432
# (role postgres, trust auth: see scripts/test-services.sh); `migrations
# bootstrap`; start the node on free 127.0.0.1 ports; run
# `KONG_ADMIN_URL=... go test -json ./kong/`; print the pass/fail/skip counts
# and the failing tests. A trap stops the node, drops the database and removes
# the temp dir whatever happens. Not part of `make test` (slow; depends on the
# module cache). Results are described in docs/notes/go-kong-suite.md.
#
# Environment: GOKONG_VERSION (default v0.78.0), PGHOST_ (default 127.0.0.1),
# PGPORT_ (default 5432), GOKONG_BIN (use this binary instead of building
# bin/silverback), GOKONG_KEEP=1 keeps the temp dir (logs, JSON output),
# GOKONG_TIMEOUT (go test -timeout, default 20m),
# GOKONG_ISOLATE=0 skips re-running each failed test alone on a fresh node
# and database (done by default to tell real failures from ones caused by
# entities an earlier failing test left behind: go-kong's tests do not clean
# up after a failed require),
# GOKONG_SKIP (go test -skip pattern; GOKONG_SKIP=none runs everything).
# The default skip is computed from the node: the credential tests of plugins
# not in GET / plugins.available_on_server (acl, basic-auth, hmac-auth, jwt,
# key-auth, mtls-auth, oauth2), and keys, key-sets, filter chains when their
# endpoints answer 404. Such tests leave consumers behind that make later
# tests fail, and a nil dereference in a failing JWT test's cleanup aborts
# the whole package.
# Exit status: 0 when no test failed, 1 otherwise, 2 on setup errors.
set -euo pipefail

RUN="${1:-.}"
SKIP="${GOKONG_SKIP:-}"
[ "$SKIP" = none ] && SKIP='^$'
VERSION="${GOKONG_VERSION:-v0.78.0}"
PGH="${PGHOST_:-127.0.0.1}"
PGP="${PGPORT_:-5432}"
TIMEOUT="${GOKONG_TIMEOUT:-20m}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${GOKONG_BIN:-$ROOT/bin/silverback}"
DB="gokong_$$"
ADMIN=""

say() { echo "gokong-suite: $*" >&2; }
die() { say "ERROR: $*"; exit 2; }

TMP="$(mktemp -d /tmp/gokong-suite.XXXXXX)"
NODE_PID=""
DB_CREATED=""
# stop_node stops the node and drops its database.
stop_node() {
	if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
		kill "$NODE_PID"
		for _ in $(seq 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$NODE_PID" 2>/dev/null && kill -9 "$NODE_PID"
		wait "$NODE_PID" 2>/dev/null
	fi
	NODE_PID=""
	if [ -n "$DB_CREATED" ]; then
		psql -h "$PGH" -p "$PGP" -U postgres -qc "drop database if exists $DB_CREATED with (force)" >/dev/null 2>&1
	fi
	DB_CREATED=""
}
cleanup() {
	set +e
	stop_node
	if [ "${GOKONG_KEEP:-}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a TCP port nothing listens on (127.0.0.1).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

command -v psql >/dev/null || die "psql not found (run make services)"
command -v jq >/dev/null || die "jq not found"

if [ -z "${GOKONG_BIN:-}" ]; then
	say "building $BIN"
	(cd "$ROOT" && go build -trimpath -o "$BIN" ./cmd/silverback) || die "build failed"
fi
[ -x "$BIN" ] || die "no binary $BIN"

SRC="$(cd "$ROOT" && go mod download -json "github.com/kong/go-kong@$VERSION" | jq -r .Dir)"
[ -d "$SRC/kong" ] || die "go-kong $VERSION not in the module cache"
cp -r "$SRC" "$TMP/go-kong"
chmod -R u+w "$TMP/go-kong"

# start_node NAME: fresh database $DB_NAME, bootstrap, node on free ports;
# sets ADMIN. Logs go to $TMP/NAME.*.
start_node() {
	local name="$1" db="${DB}_$1"
	psql -h "$PGH" -p "$PGP" -U postgres -qc "create database $db" >/dev/null || die "cannot create database $db"
	DB_CREATED="$db"
	export KONG_DATABASE=postgres KONG_PG_HOST="$PGH" KONG_PG_PORT="$PGP" KONG_PG_USER=postgres KONG_PG_DATABASE="$db"
	"$BIN" migrations bootstrap >"$TMP/$name.bootstrap.log" 2>&1 || { cat "$TMP/$name.bootstrap.log" >&2; die "migrations bootstrap failed"; }
	local p1 p2 p3
	p1="$(free_port)"; p2="$(free_port)"; p3="$(free_port)"
	mkdir -p "$TMP/prefix.$name"
	KONG_PREFIX="$TMP/prefix.$name" KONG_PROXY_LISTEN="127.0.0.1:$p1" KONG_ADMIN_LISTEN="127.0.0.1:$p2" \
		KONG_STATUS_LISTEN="127.0.0.1:$p3" "$BIN" start >"$TMP/$name.node.log" 2>&1 &
	NODE_PID=$!
	ADMIN="http://127.0.0.1:$p2"
	for i in $(seq 100); do
		curl -fsS "$ADMIN/" >/dev/null 2>&1 && return 0
		kill -0 "$NODE_PID" 2>/dev/null || { cat "$TMP/$name.node.log" >&2; die "node exited"; }
		sleep 0.1
	done
	die "node did not answer on $ADMIN"
}

# run_tests OUT RUN: go-kong's tests against $ADMIN, JSON events in OUT.
run_tests() {
	(cd "$TMP/go-kong" && KONG_ADMIN_URL="$ADMIN" go test -json -count=1 -timeout "$TIMEOUT" ./kong/ -run "$2" -skip "$SKIP") >"$1" 2>>"$TMP/test.stderr" || true
}

# default_skip prints the -skip pattern for what the node at $ADMIN lacks.
default_skip() {
	local root p
	local skip=()
	root="$(curl -fsS "$ADMIN/")"
	for p in acl:TestACLGroup basic-auth:TestBasicAuth hmac-auth:TestHMACAuth jwt:TestJWT key-auth:TestKeyAuth \
		mtls-auth:TestMTLS oauth2:TestOauth2Credential; do
		echo "$root" | jq -e --arg n "${p%%:*}" '.plugins.available_on_server | has($n)' >/dev/null || skip+=("${p#*:}")
	done
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/keys")" = 404 ] && skip+=(TestKeyService TestKeyWith TestKeyList)
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/key-sets")" = 404 ] && skip+=(TestKeySet)
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/filter-chains")" = 404 ] && skip+=(TestFilterChain TestUnknownFilterChain)
	if [ ${#skip[@]} = 0 ]; then echo '^$'; else (IFS='|'; echo "^(${skip[*]})"); fi
}

start_node full
[ -z "$SKIP" ] && SKIP="$(default_skip)"
say "node up on $ADMIN (database $DB_CREATED); running go-kong $VERSION tests (-run '$RUN' -skip '$SKIP')"
run_tests "$TMP/test.json" "$RUN"
stop_node

# Top-level tests only (subtests are counted within their parent).
top() { jq -r --arg a "$1" 'select(.Action==$a and .Test!=null and (.Test|contains("/")|not)) | .Test' "$TMP/test.json" | sort -u; }
PASSED="$(top pass)"; FAILED="$(top fail)"; SKIPPED="$(top skip)"
count() { [ -z "$1" ] && echo 0 || echo "$1" | wc -l; }
echo
echo "go-kong $VERSION against Silverback (PostgreSQL): passed $(count "$PASSED"), failed $(count "$FAILED"), skipped $(count "$SKIPPED")"
if [ -n "$FAILED" ] && [ "${GOKONG_ISOLATE:-1}" = 1 ]; then
	# Tests that fail often leave entities behind (no cleanup on FailNow) that
	# make later tests fail with 409s: re-run each failed test alone on a
	# fresh node and database to tell the two apart.
	say "re-running each failed test alone on a fresh node and database"
	ALONE_FAIL=""; ALONE_PASS=""
	for t in $FAILED; do
		start_node "alone_$(echo "$t" | tr -c 'A-Za-z0-9_\n' _ | tr 'A-Z' 'a-z')"
		run_tests "$TMP/alone.$t.json" "^$t\$"
		stop_node
		if jq -r --arg t "$t" 'select(.Action=="pass" and .Test==$t) | .Test' "$TMP/alone.$t.json" | grep -q .; then
			ALONE_PASS="$ALONE_PASS $t"
		else
			ALONE_FAIL="$ALONE_FAIL $t"
		fi
	done
fi
if [ -n "$FAILED" ]; then
	echo
	echo "failed:"
	for t in $FAILED; do
		case " ${ALONE_PASS:-} " in
		*" $t "*) echo "  $t (passes alone: fails only after other tests' leftovers)" ;;
		*) echo "  $t" ;;
		esac
	done
	echo
	echo "failure output (first lines of each):"
	for t in $FAILED; do
		echo "--- $t"
		jq -r --arg t "$t" 'select(.Action=="output" and .Test!=null and (.Test==$t or (.Test|startswith($t+"/")))) | .Output' "$TMP/test.json" |
			grep -vE '^\s*$|^=== |^\s*--- (PASS|SKIP)' | head -n 8 | sed 's/^/    /'
	done
fi
if grep -q '^panic: ' <(jq -r 'select(.Action=="output") | .Output' "$TMP/test.json"); then
	echo
	echo "the test binary panicked (later tests did not run):"
	jq -r 'select(.Action=="output") | .Output' "$TMP/test.json" | grep -A 12 '^panic: ' | head -n 14 | sed 's/^/    /'
fi
if grep -q . "$TMP/test.stderr"; then echo; echo "go test stderr:"; head -n 20 "$TMP/test.stderr"; fi
if [ -n "$FAILED" ] && [ "${GOKONG_ISOLATE:-1}" = 1 ]; then
	echo
	echo "alone on a fresh node: $(count "$(echo $ALONE_PASS | tr ' ' '\n' | grep .)") pass, $(count "$(echo $ALONE_FAIL | tr ' ' '\n' | grep .)") still fail:${ALONE_FAIL:- none}"
fi
[ -z "$FAILED" ] && ! jq -r 'select(.Action=="fail" and .Test==null) | .Action' "$TMP/test.json" | grep -q .
