#!/usr/bin/env bash
# build-deck.sh: build Kong's declarative CLI decK, pinned to one release, into
# <repo>/.cache/bin/deck, from the Go module proxy only (no GitHub downloads).
#
# Idempotent: when .cache/bin/deck already reports the pinned version it does
# nothing. decK cannot be `go install`ed (its go.mod has replace directives),
# so the module is downloaded with `go mod download`, copied to a scratch
# directory under .cache/ and built there with GOFLAGS=-mod=mod. The project's
# own go.mod/go.sum are never touched.
#
# Needs only: go, bash, coreutils, and the Go module proxy. A cold build
# (empty Go caches) takes ~6 minutes on 2 cores, up to ~11 when the machine is
# busy, and adds ~2.6 GB to GOCACHE and ~1.3 GB to GOMODCACHE; it runs under
# `nice -n 19` so it does not starve other work. With a warm Go cache a rebuild
# takes seconds.
#
# Usage: scripts/build-deck.sh        (prints the binary's path on success)
set -euo pipefail

DECK_MODULE=github.com/kong/deck
DECK_VERSION=v1.64.0
# Short hash of the v1.64.0 tag, stamped into the binary like upstream does.
DECK_COMMIT=0225ff3
# github.com/pb33f/doctor v0.0.72 (required by decK v1.64.0) is refused by the
# public module proxy (403); v0.0.78 is the nearest version it serves.
DOCTOR_MODULE=github.com/pb33f/doctor
DOCTOR_PINNED=v0.0.72
DOCTOR_FALLBACK=v0.0.78

export DECK_ANALYTICS=off

log() { printf 'build-deck: %s\n' "$*" >&2; }
die() {
	printf '\nbuild-deck: ERROR: %s\n' "$*" >&2
	printf 'build-deck: ERROR: could not build decK %s into %s\n\n' "$DECK_VERSION" "${out:-.cache/bin/deck}" >&2
	exit 1
}

command -v go >/dev/null 2>&1 || die "the 'go' command is not on PATH; install Go (>= 1.26) first"

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$script_dir/.." && pwd -P)
[ -f "$root/go.mod" ] || die "cannot find the repository root (no go.mod in $root)"
out="$root/.cache/bin/deck"

# version_ok BINARY: does BINARY report the pinned version?
# Expected output of `deck version`: "decK v1.64.0 (0225ff3) ".
version_ok() {
	local v
	[ -x "$1" ] || return 1
	v=$("$1" version 2>/dev/null) || return 1
	[[ "$v" == "decK ${DECK_VERSION} "* ]]
}

if version_ok "$out"; then
	log "$out is already decK $DECK_VERSION; nothing to do"
	printf '%s\n' "$out"
	exit 0
fi
if [ -e "$out" ]; then
	log "$out exists but does not report decK $DECK_VERSION ($("$out" version 2>&1 | head -c 200 || true)); rebuilding"
fi

start=$SECONDS
mkdir -p "$root/.cache/bin" || die "cannot create $root/.cache/bin"
work=$(mktemp -d "$root/.cache/deck-build.XXXXXX") || die "cannot create a scratch directory under $root/.cache"
tmpbin="$out.tmp.$$"
build_pid=
cleanup() {
	# Stop an unfinished `go build` (a backgrounded go ignores SIGINT). Its
	# temporary files are under $work/tmp (GOTMPDIR), removed below; a
	# compile it had started dies once that directory is gone.
	if [ -n "$build_pid" ]; then
		kill -TERM "$build_pid" 2>/dev/null || true
		wait "$build_pid" 2>/dev/null || true
	fi
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work" "$tmpbin"
}
trap cleanup EXIT
trap 'log "interrupted; stopping"; exit 130' INT TERM

# All go commands below run in directories under $work that have their own
# go.mod, never in the project's module, so the project's go.mod/go.sum are
# never read or written. GOFLAGS is replaced (not extended) for these
# commands only.
goenv=(env GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off GO111MODULE=on CGO_ENABLED=0 GOTMPDIR="$work/tmp")

# json_field NAME: print the first "NAME": "value" of go's -json output on stdin.
json_field() {
	local line re="^[[:space:]]*\"$1\": \"(.*)\",?$"
	while IFS= read -r line; do
		if [[ "$line" =~ $re ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; return 0; fi
	done
	return 1
}

# A throwaway module to run `go mod download` from.
mkdir -p "$work/dl" "$work/src" "$work/tmp"
printf 'module silverback.local/deck-download\n\ngo 1.21\n' >"$work/dl/go.mod"

log "downloading $DECK_MODULE@$DECK_VERSION from the Go module proxy ($(go env GOPROXY))"
dl=$(cd "$work/dl" && "${goenv[@]}" go mod download -json "$DECK_MODULE@$DECK_VERSION" 2>&1) || true
if err=$(json_field Error <<<"$dl"); then
	die "go mod download $DECK_MODULE@$DECK_VERSION failed: $err"
fi
src=$(json_field Dir <<<"$dl") || die "go mod download $DECK_MODULE@$DECK_VERSION gave no Dir: $dl"
[ -f "$src/go.mod" ] || die "downloaded module has no go.mod at $src"

log "copying $src to $work/src"
cp -R "$src/." "$work/src/" || die "cannot copy the decK source"
chmod -R u+w "$work/src"
cd "$work/src"

if dd=$(cd "$work/dl" && "${goenv[@]}" go mod download -json "$DOCTOR_MODULE@$DOCTOR_PINNED" 2>&1) &&
	! json_field Error <<<"$dd" >/dev/null; then
	log "$DOCTOR_MODULE@$DOCTOR_PINNED is available; building with decK's go.mod unchanged"
else
	log "$DOCTOR_MODULE@$DOCTOR_PINNED is not served by the proxy; replacing it with $DOCTOR_FALLBACK in the copied go.mod"
	"${goenv[@]}" go mod edit -replace="$DOCTOR_MODULE@$DOCTOR_PINNED=$DOCTOR_MODULE@$DOCTOR_FALLBACK" ||
		die "go mod edit -replace for $DOCTOR_MODULE failed"
fi

log "building decK $DECK_VERSION (nice -n 19, GOFLAGS=-mod=mod; from cold Go caches this takes 6-11 min on 2 cores)"
ldflags="-s -w -X $DECK_MODULE/cmd.VERSION=$DECK_VERSION -X $DECK_MODULE/cmd.COMMIT=$DECK_COMMIT"
# In the background and waited for, so that INT/TERM reach the trap at once
# and the EXIT trap stops the build.
"${goenv[@]}" nice -n 19 go build -trimpath -ldflags "$ldflags" -o "$tmpbin" . &
build_pid=$!
build_rc=0
wait "$build_pid" || build_rc=$?
build_pid=
[ "$build_rc" -eq 0 ] || die "go build failed with exit status $build_rc (see the go output above)"

version_ok "$tmpbin" ||
	die "the freshly built binary does not report decK $DECK_VERSION: $("$tmpbin" version 2>&1 | head -c 200 || true)"
mv -f "$tmpbin" "$out" || die "cannot move the binary to $out"

log "built $("$out" version) into $out in $((SECONDS - start))s"
printf '%s\n' "$out"
