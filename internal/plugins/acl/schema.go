package acl

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	Allow                        []string `json:"allow"`
	Deny                         []string `json:"deny"`
	HideGroupsHeader             bool     `json:"hide_groups_header"`
	AlwaysUseAuthenticatedGroups bool     `json:"always_use_authenticated_groups"`
}

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.ArrayOf("allow", schema.Str("")),
		schema.ArrayOf("deny", schema.Str("")),
		schema.Bool("hide_groups_header").Required().Default(false),
		schema.Bool("always_use_authenticated_groups").Required().Default(false),
	},
	schema.OnlyOneOf("config.allow", "config.deny"),
	schema.AtLeastOneOf("config.allow", "config.deny"),
))

// Groups is Kong's acls entity (/acls, /consumers/{consumer}/acls): one
// group of a consumer, unique per consumer through its cache key.
var Groups = &schema.Entity{
	Name: "acls", CacheKey: []string{"consumer", "group"}, Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("group").Required(),
		schema.Tags,
	},
}
