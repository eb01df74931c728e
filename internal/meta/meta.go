// Package meta names the software: the Kong Gateway release whose behaviour
// Silverback reproduces, and Silverback's own name and version.
//
// KongVersion is what Kong's clients see wherever Kong reports its version
// (`kong version`, the Admin API's GET /, the Server header): tools such as
// decK choose their behaviour from it, so it names a real Kong release.
package meta

// KongVersion is the Kong Gateway OSS release Silverback implements.
const KongVersion = "3.9.1"

// Name is Silverback's product name.
const Name = "Silverback"

// Version is Silverback's own version. Release builds set it with
// -ldflags "-X github.com/silverback-gw/silverback/internal/meta.Version=v1.2.3".
var Version = "0.1.0-dev"
