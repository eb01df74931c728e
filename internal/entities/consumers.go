package entities

import "github.com/silverback-gw/silverback/internal/schema"

// Consumers declares Kong's consumers entity.
var Consumers = &schema.Entity{
	Name:          "consumers",
	EndpointKey:   "username",
	Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt, schema.UpdatedAt,
		schema.Str("username").Unique(),
		schema.Str("custom_id").Unique(),
		schema.Tags,
	},
	Checks: []schema.Check{schema.AtLeastOneOf("custom_id", "username")},
}

// Consumer is the runtime's view of a consumer.
type Consumer struct {
	ID       string
	Username string
	CustomID string
	Tags     []string
}

// ConsumerFromRow converts a stored consumers row.
func ConsumerFromRow(r map[string]any) *Consumer {
	return &Consumer{ID: str(r, "id"), Username: str(r, "username"), CustomID: str(r, "custom_id"), Tags: strs(r, "tags")}
}
