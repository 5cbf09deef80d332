package localnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrUnreachable is returned by the admin client when no network answers.
var ErrUnreachable = errors.New("local network unreachable")

// ErrAdminRefused is returned when a running network refuses an admin request.
var ErrAdminRefused = errors.New("local network refused the request")

// ErrNotAdmin is returned, with ErrAdminRefused, when the URL answers but
// not as a local network's admin endpoint.
var ErrNotAdmin = errors.New("not a local network's admin endpoint")

// Admin talks to the admin endpoints of a running network.
type Admin struct {
	// URL is the network's base URL, e.g. http://127.0.0.1:4949.
	URL string
	// HTTP is the client to use; nil means a client with a 30s timeout.
	HTTP *http.Client
}

// Status fetches the network's status.
func (a Admin) Status(ctx context.Context) (Status, error) {
	return a.status(ctx, http.MethodGet, "/_/admin/status", nil)
}

// Subnets fetches every subnet's derived state (running version, height, stall).
func (a Admin) Subnets(ctx context.Context) ([]SubnetStatus, error) {
	var out []SubnetStatus
	return out, a.do(ctx, http.MethodGet, "/_/admin/subnets", nil, &out)
}

// Advance moves the network's virtual clock forward by d.
func (a Admin) Advance(ctx context.Context, d time.Duration) (Status, error) {
	return a.status(ctx, http.MethodPost, "/_/admin/advance", url.Values{"d": {FormatDuration(d)}})
}

// SetFault sets or clears a fault on the running network.
func (a Admin) SetFault(ctx context.Context, f Fault) (Status, error) {
	q := url.Values{"version": {f.Version}}
	if len(f.Subnets) > 0 {
		q.Set("subnets", strings.Join(f.Subnets, ","))
	}
	if f.Clear {
		q.Set("clear", "1")
	}
	return a.status(ctx, http.MethodPost, "/_/admin/fault", q)
}

func (a Admin) status(ctx context.Context, method, path string, q url.Values) (Status, error) {
	var st Status
	return st, a.do(ctx, method, path, q, &st)
}

// do sends one admin request and decodes the JSON answer into out.
func (a Admin) do(ctx context.Context, method, path string, q url.Values, out any) error {
	u := strings.TrimRight(a.URL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return fmt.Errorf("build admin request: %w", err)
	}
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, a.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
			return fmt.Errorf("%w: %s answered %s, %w", ErrAdminRefused, a.URL, resp.Status, ErrNotAdmin)
		}
		return fmt.Errorf("%w: %s: %s", ErrAdminRefused, resp.Status, e.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode admin answer: %w", err)
	}
	return nil
}
