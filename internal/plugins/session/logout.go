package session

import (
	"net/url"
	"slices"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// bodyMethods are the methods whose body may carry the logout argument.
var bodyMethods = []string{"DELETE", "PATCH", "POST", "PUT"}

// isLogout reports whether the request asks to end the session: its
// method is one of logout_methods and it has the logout_query_arg query
// argument, or with read_body_for_logout the logout_post_arg body
// argument (any value but false).
func (h *handler) isLogout(kong *plugin.PDK) bool {
	c := &h.c
	method := kong.Request.Method()
	if !slices.Contains(c.LogoutMethods, method) {
		return false
	}
	if c.LogoutQueryArg != "" {
		query, _ := url.ParseQuery(kong.Request.RawQuery()) // the arguments before a malformed one count
		if _, ok := query[c.LogoutQueryArg]; ok {
			kong.Log.Debug("logout by query argument")
			return true
		}
	}
	if c.ReadBodyForLogout && c.LogoutPostArg != "" && slices.Contains(bodyMethods, method) {
		args, err := kong.BodyArgs()
		if err != nil {
			return false
		}
		if v, ok := args[c.LogoutPostArg]; ok && v != false {
			kong.Log.Debug("logout by post argument")
			return true
		}
	}
	return false
}
