package localnet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"
)

// Status is the JSON answer of the admin endpoints.
type Status struct {
	// Now is the virtual time.
	Now time.Time `json:"now"`
	// Offset is how far the virtual clock runs ahead of real time.
	Offset string `json:"offset"`
	// URL is the network's base URL.
	URL string `json:"url"`
	// RootKey is the advertised root key, DER, hex.
	RootKey string `json:"root_key"`
	// DeveloperIdentity is the path of the developer identity's PEM.
	DeveloperIdentity string `json:"developer_identity"`
	// DeveloperNeurons are the neurons the developer identity controls.
	DeveloperNeurons []uint64 `json:"developer_neurons"`
	// Faults are the faults in force.
	Faults []Fault `json:"faults"`
}

// Status returns the network's current admin status.
func (n *Network) Status() Status {
	f := n.Faults()
	if f == nil {
		f = []Fault{}
	}
	return Status{
		Now: n.clock.Now().UTC(), Offset: FormatDuration(n.clock.Offset()), URL: n.URL(),
		RootKey: hex.EncodeToString(n.RootKey()), DeveloperIdentity: n.devPath,
		DeveloperNeurons: n.topo.DeveloperNeurons(), Faults: f,
	}
}

func (n *Network) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_/admin/status", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, n.Status())
	})
	mux.HandleFunc("GET /_/admin/subnets", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, n.Subnets())
	})
	mux.HandleFunc("POST /_/admin/advance", n.handleAdvance)
	mux.HandleFunc("POST /_/admin/fault", n.handleFault)
	return mux
}

func (n *Network) handleAdvance(w http.ResponseWriter, r *http.Request) {
	d, err := ParseDuration(r.URL.Query().Get("d"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if _, err := n.Advance(d); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, n.Status())
}

func (n *Network) handleFault(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Fault{Version: q.Get("version"), Clear: q.Get("clear") == "1" || q.Get("clear") == "true"}
	if s := q.Get("subnets"); s != "" {
		f.Subnets = strings.Split(s, ",")
	}
	err := n.SetFault(f)
	switch {
	case errors.Is(err, ErrBadFault):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, n.Status())
	}
}

func (n *Network) handleMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	writeMetrics(w, n.Subnets(), n.Nodes(), n.clock.Now(), n.clock.Offset())
}

// loopbackOnly refuses requests that do not come from a loopback address.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		if err != nil || ip == nil || !ip.IsLoopback() {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "admin endpoints answer loopback clients only"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
