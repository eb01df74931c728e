package router

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
)

// uuid is a route id in binary form. atc-router compares matcher keys
// (priority, uuid) byte-wise, which is what bytes.Compare on it does.
type uuid [16]byte

// splitNamespace is the UUIDv5 namespace Kong uses to name the sub-routes of
// a route whose paths are split (kong/router/transform.lua).
var splitNamespace = mustParseUUID("7f145bf9-0dce-4f91-98eb-debbce4b9f6b")

var errInvalidID = errors.New("invalid id: expected a UUID")

// parseUUID reads the canonical 8-4-4-4-12 hex form, in either case.
func parseUUID(s string) (uuid, error) {
	var u uuid
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, errInvalidID
	}
	var compact [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			compact[n] = s[i]
			n++
		}
	}
	if _, err := hex.Decode(u[:], compact[:]); err != nil {
		return u, errInvalidID
	}
	return u, nil
}

func mustParseUUID(s string) uuid {
	u, err := parseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// uuidV5 is RFC 4122's name-based UUID (SHA-1), as resty.jit-uuid computes it.
func uuidV5(ns uuid, name string) uuid {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u uuid
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (u uuid) compare(o uuid) int { return bytes.Compare(u[:], o[:]) }
