package basicauth

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
)

// HashPassword is how Kong stores a basic-auth password
// (kong/plugins/basic-auth/crypto.lua): the hex SHA-1 of the password
// followed by the id of the credential's consumer.
func HashPassword(consumerID, password string) string {
	sum := sha1.Sum([]byte(password + consumerID))
	return hex.EncodeToString(sum[:])
}

// Kong hashes the password with a transformation of the entity (input
// password, needs consumer.id) that runs on every write whose input has a
// password: on an insert or upsert, which a declarative file with
// _transform: false skips so that exported hashes load unchanged, and on
// an update only when the PATCH body has a password, which must then come
// with consumer.id. The schema's hooks split this in three:
//
//   - Transform hashes the password of an insert or upsert;
//   - Normalize sees a PATCH body alone: it hashes a new password with the
//     body's consumer, or marks it when the body has no consumer;
//   - an entity check, which knows the operation, refuses a marked password
//     with Kong's message and tells Transform to leave an update's
//     password as the PATCH left it (already hashed, or the stored hash).
const (
	// unpairedPassword prefixes a PATCH body's password given without
	// consumer.id; validation always fails on it, so it is never stored.
	unpairedPassword = "\x00basic-auth password without consumer.id\x00"
	// keepPassword is set on a validated update for Transform, which
	// removes it.
	keepPassword = "\x00basic-auth keep password"

	msgUnpaired = "all or none of these fields must be set: 'password', 'consumer.id'"
)

// normalizeCredential hashes the password of a PATCH body with the body's
// consumer.id, or marks it when the body has none.
func normalizeCredential(in map[string]any, op schema.Op) {
	password, _ := in["password"].(string)
	if op != schema.OpUpdate || password == "" {
		return
	}
	if id := entities.ForeignID(in, "consumer"); id != "" {
		in["password"] = HashPassword(strings.ToLower(id), password)
	} else {
		in["password"] = unpairedPassword + password
	}
}

// passwordCheck refuses an update changing the password without
// consumer.id and marks the other updates for hashPassword.
var passwordCheck = schema.Custom([]string{"password", "consumer"},
	func(values map[string]any, op schema.Op, errs schema.Errors) {
		if op != schema.OpUpdate {
			return
		}
		if password, _ := values["password"].(string); strings.HasPrefix(password, unpairedPassword) {
			errs.AddEntity(msgUnpaired)
			return
		}
		values[keepPassword] = true
	})

// hashPassword stores the password of an inserted or upserted credential
// hashed.
func hashPassword(values map[string]any) {
	if _, ok := values[keepPassword]; ok {
		delete(values, keepPassword)
		return
	}
	password, _ := values["password"].(string)
	if id := entities.ForeignID(values, "consumer"); password != "" && id != "" {
		values["password"] = HashPassword(id, password)
	}
}
