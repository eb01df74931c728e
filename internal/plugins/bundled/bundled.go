// Package bundled imports every plugin shipped with the gateway, so that
// importing it registers them all: this is the one list of bundled
// plugins. A custom build adds its own plugins with another blank import.
package bundled

import (
	_ "github.com/silverback-gw/silverback/internal/plugins/acl"
	_ "github.com/silverback-gw/silverback/internal/plugins/basicauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/botdetection"
	_ "github.com/silverback-gw/silverback/internal/plugins/cors"
	_ "github.com/silverback-gw/silverback/internal/plugins/hmacauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/httplog"
	_ "github.com/silverback-gw/silverback/internal/plugins/iprestriction"
	_ "github.com/silverback-gw/silverback/internal/plugins/jwt"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/ldapauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/oauth2"
	_ "github.com/silverback-gw/silverback/internal/plugins/prometheus"
	_ "github.com/silverback-gw/silverback/internal/plugins/ratelimiting"
	_ "github.com/silverback-gw/silverback/internal/plugins/requestsizelimiting"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttermination"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttransformer"
	_ "github.com/silverback-gw/silverback/internal/plugins/responseratelimiting"
	_ "github.com/silverback-gw/silverback/internal/plugins/session"
)
