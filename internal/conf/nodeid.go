package conf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
)

// NodeIDFile is the name, under the prefix, of the file holding the node id.
const NodeIDFile = "kong.id"

// NodeID returns the node id persisted in <prefix>/kong.id, creating the
// prefix and the file with a new random (v4) UUID when the file is missing
// or does not hold a valid UUID (kong/pdk/private/node.lua). Surrounding
// whitespace in the file is tolerated. Kong 3.9 restores the id from this
// file on data planes only and draws a new one at each start otherwise;
// which nodes call NodeID is the caller's choice.
func NodeID(prefix string) (string, error) {
	path := filepath.Join(prefix, NodeIDFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if id := strings.TrimSpace(string(b)); validUUID(id) {
			return id, nil
		}
	case !os.IsNotExist(err):
		return "", fmt.Errorf("failed to access file %s: %w", path, err)
	}
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return "", fmt.Errorf("failed to create directory %s: %w", prefix, err)
	}
	id := uuid.NewString()
	if err := os.WriteFile(path, []byte(id), 0o644); err != nil {
		return "", fmt.Errorf("failed to persist node_id to %s: %w", path, err)
	}
	return id, nil
}
