// Package httplog implements Kong's http-log plugin: in the log phase the
// request, serialized as kong.log.serialize() does (plugin.LogEntry.JSON),
// joins a queue (package queue, Kong's kong.tools.queue) whose worker
// sends it to the configured HTTP endpoint, alone or in batches, retrying
// failures with backoff. Clients never wait for the log server.
package httplog
