package gateway

import (
	"encoding/json"
	"net/http"
	"sync/atomic"

	"github.com/silverback-gw/silverback/internal/store"
)

// statusHandler serves the status listener: /status (the Admin API's
// node status), /status/ready (Kong's readiness probe,
// kong/status/ready.lua) and, with the prometheus plugin, /metrics.
type statusHandler struct {
	g        *Gateway
	admin    http.Handler
	metrics  http.Handler // nil without the prometheus plugin
	draining atomic.Bool
}

func (g *Gateway) newStatus(string) http.Handler {
	return &statusHandler{g: g, admin: g.admin, metrics: g.metricsHandler()}
}

func (h *statusHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/status", "/status/":
		h.admin.ServeHTTP(w, r)
	case "/status/ready", "/status/ready/":
		h.ready(w, r)
	case "/metrics", "/metrics/":
		switch {
		case h.metrics == nil:
			writeMessage(w, http.StatusNotFound, "Not found")
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			writeMessage(w, http.StatusMethodNotAllowed, "Method not allowed")
		default:
			h.metrics.ServeHTTP(w, r)
		}
	default:
		writeMessage(w, http.StatusNotFound, "Not found")
	}
}

func (h *statusHandler) ready(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost: // kong drain
		if err := r.ParseForm(); err == nil && r.Form.Get("status") == "draining" {
			h.draining.Store(true)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var body struct{ Status string }
		if json.NewDecoder(r.Body).Decode(&body) == nil && body.Status == "draining" {
			h.draining.Store(true)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeMessage(w, http.StatusBadRequest, "invalid status")
		return
	default:
		writeMessage(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	if msg, ok := h.readiness(r); !ok {
		writeMessage(w, http.StatusServiceUnavailable, msg)
		return
	}
	writeMessage(w, http.StatusOK, "ready")
}

func (h *statusHandler) readiness(r *http.Request) (string, bool) {
	if h.draining.Load() {
		return "draining", false
	}
	if h.g.holder.Load() == nil {
		return "router builds not yet complete", false
	}
	if h.g.dbless != nil {
		switch h.g.dbless.Hash() {
		case "":
			return "no configuration available (configuration hash is not initialized)", false
		case emptyHash:
			return "no configuration available (empty configuration present)", false
		}
		return "", true
	}
	if err := h.g.db.View(r.Context(), func(*store.Txn) error { return nil }); err != nil {
		return "failed to connect to database", false
	}
	return "", true
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
