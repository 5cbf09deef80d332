package governance

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// tamperProxy is an HTTP proxy in front of upstream that rewrites the
// replies of get_certified_changes_since queries with edit (nil passes them
// through), as a compromised boundary node could.
func tamperProxy(t *testing.T, upstream string, edit func(*registrypb.CertifiedResponse)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.Path, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if edit != nil && strings.HasSuffix(r.URL.Path, "/query") && queryMethod(body) == "get_certified_changes_since" {
			out = tamperQueryReply(out, edit)
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// queryMethod returns the method name of a query envelope.
func queryMethod(envelope []byte) string {
	var env struct {
		Content struct {
			MethodName string `cbor:"method_name"`
		} `cbor:"content"`
	}
	if cbor.Unmarshal(envelope, &env) != nil {
		return ""
	}
	return env.Content.MethodName
}

// tamperQueryReply rewrites the CertifiedResponse inside a query response,
// leaving the rest (and the now stale node signatures) as they were.
func tamperQueryReply(raw []byte, edit func(*registrypb.CertifiedResponse)) []byte {
	var resp map[string]cbor.RawMessage
	if cbor.Unmarshal(raw, &resp) != nil {
		return raw
	}
	var reply struct {
		Arg []byte `cbor:"arg"`
	}
	if cbor.Unmarshal(resp["reply"], &reply) != nil {
		return raw
	}
	var cr registrypb.CertifiedResponse
	if proto.Unmarshal(reply.Arg, &cr) != nil {
		return raw
	}
	edit(&cr)
	reply.Arg, _ = proto.Marshal(&cr)
	resp["reply"], _ = cbor.Marshal(reply)
	out, _ := cbor.Marshal(resp)
	return out
}

// A delta altered on the wire by a proxy is refused as untrusted and
// nothing is written; the same proxy passing replies through syncs.
func TestRegistrySyncRejectsTamperingProxy(t *testing.T) {
	net := startRegistry(t, 10, 0)
	ctx := testCtx(t)
	connect := func(url, base string) *Client {
		c, err := New(ctx, Network{Name: "local", URL: url, FetchRootKey: true}, nil, Options{RegistryCache: base})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	flipValue := func(r *registrypb.CertifiedResponse) {
		leaf, _ := firstDelta(r.HashTree)
		data := leaf.GetLabeled().Subtree.GetLeafData()
		data[len(data)-1] ^= 1
	}
	base := t.TempDir()
	c := connect(tamperProxy(t, net.URL(), flipValue).URL, base)
	_, err := c.SyncRegistry(ctx, nil)
	var untrusted *UntrustedError
	if !errors.As(err, &untrusted) {
		t.Fatalf("sync through a tampering proxy: err = %v; want an UntrustedError", err)
	}
	if _, err := os.Stat(filepath.Join(RegistryCacheDir(base, c.RootKey()), "snapshot.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("snapshot written after a refused page (stat err %v)", err)
	}
	honest := connect(tamperProxy(t, net.URL(), nil).URL, base)
	stats, err := honest.SyncRegistry(ctx, nil)
	if err != nil || stats.From != 0 || stats.To != 10 {
		t.Fatalf("sync through a pass-through proxy: %+v, %v", stats, err)
	}
}
