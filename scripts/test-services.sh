#!/usr/bin/env bash
# test-services.sh — makes sure the services the tests use answer on
# 127.0.0.1: PostgreSQL on 5432 (role "postgres", trust authentication from
# 127.0.0.1, no password) and Redis on 6379. Whatever already answers is left
# alone; an installed but stopped server is started; a missing one is
# installed with apt-get (Debian/Ubuntu), started, and for PostgreSQL given a
# "trust" line for 127.0.0.1 in pg_hba.conf. OpenLDAP's slapd and
# ldap-utils are installed when missing, not started: the ldap-auth tests
# start private slapd processes (internal/testutil/ldaptest). Idempotent;
# prints nothing and returns at once when all is up; exits non-zero, saying
# why, on failure.
set -euo pipefail

PG_PORT=5432
REDIS_PORT="${REDIS_PORT:-6379}" # overridable, to try the script on a spare port

say() { echo "test-services: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# as_root runs a command as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root (or sudo) to run: $*"
	fi
}

apt_install() {
	command -v apt-get >/dev/null || die "$1 is missing and this is not a Debian-like system: install it by hand"
	say "installing $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_answers() {
	psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1
}

# pg_cluster prints the version of the first PostgreSQL cluster, or nothing.
pg_cluster() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

# pg_trust puts "host all all 127.0.0.1/32 trust" first in pg_hba.conf.
pg_trust() {
	local hba="/etc/postgresql/$1/main/pg_hba.conf"
	if ! as_root grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
		say "allowing trust authentication from 127.0.0.1 in $hba"
		as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
	fi
}

ensure_postgres() {
	pg_answers && return 0
	if [ -z "$(pg_cluster)" ] || ! command -v psql >/dev/null; then
		apt_install postgresql postgresql-client
	fi
	local v
	v="$(pg_cluster)"
	[ -n "$v" ] || die "postgresql is installed but has no cluster in /etc/postgresql"
	pg_trust "$v"
	if as_root pg_ctlcluster --skip-systemctl-redirect "$v" main status >/dev/null 2>&1; then
		as_root pg_ctlcluster --skip-systemctl-redirect "$v" main reload
	else
		say "starting PostgreSQL $v"
		as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start
	fi
	for _ in $(seq 50); do
		pg_answers && return 0
		sleep 0.2
	done
	die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT as postgres (see /var/log/postgresql/)"
}

# redis_answers sends PING over bash's /dev/tcp (no redis-cli needed).
redis_answers() {
	local reply=""
	{
		exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" &&
			printf 'PING\r\n' >&3 &&
			IFS= read -r -t 2 reply <&3
		exec 3>&-
	} 2>/dev/null
	[ "${reply%$'\r'}" = "+PONG" ]
}

ensure_redis() {
	redis_answers && return 0
	command -v redis-server >/dev/null || apt_install redis-server
	say "starting Redis"
	redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
	for _ in $(seq 50); do
		redis_answers && return 0
		sleep 0.1
	done
	die "Redis does not answer on 127.0.0.1:$REDIS_PORT"
}

# ensure_slapd installs Debian's slapd (the server binary, its schemas and
# modules) and ldap-utils; the tests run slapd themselves.
ensure_slapd() {
	[ -x /usr/sbin/slapd ] && [ -x /usr/sbin/slapadd ] && command -v ldapsearch >/dev/null && return 0
	apt_install slapd ldap-utils
	[ -x /usr/sbin/slapd ] || die "slapd is not at /usr/sbin/slapd after installing the slapd package"
}

ensure_postgres
ensure_redis
ensure_slapd
