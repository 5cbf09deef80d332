package localnet

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLoopbackOnly(t *testing.T) {
	h := loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	tests := []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:5555", http.StatusNoContent},
		{"[::1]:5555", http.StatusNoContent},
		{"10.1.2.3:5555", http.StatusForbidden},
		{"192.168.0.7:80", http.StatusForbidden},
		{"garbage", http.StatusForbidden},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodPost, "/_/admin/advance?d=1d", nil)
		req.RemoteAddr = tt.remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: status %d, want %d", tt.remote, rec.Code, tt.want)
		}
	}
}

// TestAdminClientNamesForeignServers checks that a server that is not a
// local network is named as such instead of yielding an empty refusal.
func TestAdminClientNamesForeignServers(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := Admin{URL: srv.URL}.Advance(context.Background(), time.Hour)
	if !errors.Is(err, ErrAdminRefused) || !errors.Is(err, ErrNotAdmin) ||
		!strings.Contains(err.Error(), srv.URL) {
		t.Errorf("advance against a foreign server: %v", err)
	}
}
