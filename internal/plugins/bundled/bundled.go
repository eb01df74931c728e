// Package bundled imports every plugin shipped with the gateway, so that
// importing it registers them all: this is the one list of bundled
// plugins. A custom build adds its own plugins with another blank import.
package bundled

import (
	_ "github.com/silverback-gw/silverback/internal/plugins/acl"
	_ "github.com/silverback-gw/silverback/internal/plugins/cors"
	_ "github.com/silverback-gw/silverback/internal/plugins/iprestriction"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/requestsizelimiting"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttermination"
)
