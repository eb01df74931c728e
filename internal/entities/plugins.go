package entities

import "github.com/silverback-gw/silverback/internal/schema"

// newPlugins declares Kong's plugins entity; its config is the subschema of
// the plugin named by `name`, looked up in subschemas (the plugins loaded on
// this node).
func newPlugins(subschemas schema.SubschemaSource) *schema.Entity {
	return &schema.Entity{
		Name:          "plugins",
		EndpointKey:   "instance_name",
		CacheKey:      []string{"name", "route", "service", "consumer"},
		Workspaceable: true,
		Fields: []schema.Field{
			schema.ID,
			schema.Str("name").Required(),
			schema.UTF8Name.Named("instance_name"),
			schema.CreatedAt, schema.UpdatedAt,
			schema.ForeignKey("route", "routes").Cascade(),
			schema.ForeignKey("service", "services").Cascade(),
			schema.ForeignKey("consumer", "consumers").Cascade(),
			schema.RecordOf("config").Abstract(),
			schema.Protocols,
			schema.Bool("enabled").Required().Default(true),
			schema.Tags,
		},
		SubschemaKey: "name",
		Subschemas:   subschemas,
		UnknownSubschema: func(name string) string {
			return "plugin '" + name + "' not enabled; add it to the 'plugins' configuration property"
		},
	}
}

// Plugin is the runtime's view of a plugin instance.
type Plugin struct {
	ID           string
	Name         string
	InstanceName string
	RouteID      string
	ServiceID    string
	ConsumerID   string
	Config       map[string]any
	Protocols    []string
	Enabled      bool
	Tags         []string
}

// PluginFromRow converts a stored plugins row.
func PluginFromRow(r map[string]any) *Plugin {
	cfg, _ := r["config"].(map[string]any)
	return &Plugin{
		ID:           str(r, "id"),
		Name:         str(r, "name"),
		InstanceName: str(r, "instance_name"),
		RouteID:      foreignID(r, "route"),
		ServiceID:    foreignID(r, "service"),
		ConsumerID:   foreignID(r, "consumer"),
		Config:       cfg,
		Protocols:    strs(r, "protocols"),
		Enabled:      boolean(r, "enabled"),
		Tags:         strs(r, "tags"),
	}
}
