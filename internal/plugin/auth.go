package plugin

import (
	"errors"
	"fmt"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/proxy"
)

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
// credential identifier is credential.Identifier, or its ID.
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
		if credential.Identifier != "" {
			cred = credential.Identifier
		}
	} else {
		anon = "true"
	}
	set(HeaderConsumerID, id)
	set(HeaderConsumerCustomID, custom)
	set(HeaderConsumerUsername, username)
	set(HeaderCredentialIdentifier, cred)
	set(HeaderAnonymousConsumer, anon)
}

// SetConsumer authenticates the request as consumer with credential (nil
// for the anonymous consumer): kong.client.authenticate plus the upstream
// headers, as Kong's auth plugins' set_consumer.
func SetConsumer(kong *PDK, consumer *entities.Consumer, credential *Credential) {
	SetConsumerHeaders(kong, consumer, credential)
	kong.Client.Authenticate(consumer, credential)
}

// Authenticate is the access phase Kong's auth plugins share. With
// anonymous set, several auth plugins combine as a logical OR: a request
// an earlier one authenticated passes untouched. Otherwise authenticate
// runs and returns its refusal's message, "" once it authenticated the
// request; a refused request gets the anonymous consumer when one is
// configured, else Kong's 401 with that message and the challenge header.
func Authenticate(kong *PDK, anonymous *string, challenge proxy.Header, authenticate func(*PDK) (string, error)) error {
	if AlreadyAuthenticated(kong, anonymous) {
		return nil
	}
	msg, err := authenticate(kong)
	if err != nil || msg == "" {
		return err
	}
	if ok, err := AuthenticateAnonymous(kong, anonymous); ok {
		return err
	}
	return kong.Response.Error(401, msg, challenge)
}

// AlreadyAuthenticated reports whether an auth plugin configured with
// anonymous can skip its check: with anonymous set, several auth plugins
// combine as a logical OR, and an earlier one authenticated the request.
func AlreadyAuthenticated(kong *PDK, anonymous *string) bool {
	return anonymous != nil && *anonymous != "" && kong.Client.Credential() != nil
}

// AuthenticateAnonymous attaches the consumer named by anonymous (its id
// or username) after an auth plugin refused the request, and reports
// true; with no anonymous configured it reports false and the plugin
// sends its refusal. A missing anonymous consumer is an error, hence
// Kong 3.9's 500 "An unexpected error occurred" (its set_consumer(nil)
// throws).
func AuthenticateAnonymous(kong *PDK, anonymous *string) (bool, error) {
	if anonymous == nil || *anonymous == "" {
		return false, nil
	}
	if kong.Cache == nil {
		return true, errors.New("no entity cache")
	}
	consumer, err := kong.Cache.Consumer(kong.Context(), *anonymous)
	if err != nil {
		return true, err
	}
	if consumer == nil {
		return true, fmt.Errorf("anonymous consumer %s is configured but doesn't exist", *anonymous)
	}
	SetConsumer(kong, consumer, nil)
	return true, nil
}
