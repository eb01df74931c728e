package requesttransformer

import "github.com/silverback-gw/silverback/internal/plugin"

// transformQuery applies the querystring entries to the query arguments
// as the templates first saw them; once any is configured, the query
// string is re-encoded (sorted) even when nothing changed.
func (h *handler) transformQuery(kong *plugin.PDK, env *env) error {
	if h.query.empty() {
		return nil
	}
	args := cloneArgs(env.queryArgs())
	if _, err := h.query.apply(args, env, false, isPresent); err != nil {
		return err
	}
	q, err := encodeArgs(args)
	if err != nil {
		return err
	}
	kong.ServiceRequest.SetRawQuery(q)
	return nil
}

// cloneArgs copies decoded arguments, their arrays included.
func cloneArgs(args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if list, ok := v.([]any); ok {
			v = append([]any(nil), list...)
		}
		out[k] = v
	}
	return out
}
