package plugin

import "github.com/silverback-gw/silverback/internal/entities"

// Upstream headers the auth plugins set (Kong's set_consumer).
const (
	HeaderConsumerID           = "X-Consumer-ID"
	HeaderConsumerCustomID     = "X-Consumer-Custom-ID"
	HeaderConsumerUsername     = "X-Consumer-Username"
	HeaderCredentialIdentifier = "X-Credential-Identifier"
	HeaderAnonymousConsumer    = "X-Anonymous-Consumer"
)

// SetConsumerHeaders sets the upstream headers describing who the request
// authenticated as, clearing those that do not apply so that a client
// cannot supply them: credential nil means the anonymous consumer. The
// credential identifier is credential.ID (the plugin chooses what it
// holds).
func SetConsumerHeaders(kong *PDK, consumer *entities.Consumer, credential *Credential) {
	sr := kong.ServiceRequest
	set := func(name, value string) {
		if value != "" {
			sr.SetHeader(name, value)
		} else {
			sr.ClearHeader(name)
		}
	}
	var id, custom, username, cred, anon string
	if consumer != nil {
		id, custom, username = consumer.ID, consumer.CustomID, consumer.Username
	}
	if credential != nil {
		cred = credential.ID
	} else {
		anon = "true"
	}
	set(HeaderConsumerID, id)
	set(HeaderConsumerCustomID, custom)
	set(HeaderConsumerUsername, username)
	set(HeaderCredentialIdentifier, cred)
	set(HeaderAnonymousConsumer, anon)
}
