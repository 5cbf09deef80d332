package artifact

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// serveBytes starts a loopback HTTP server that serves data at every path
// and counts requests.
func serveBytes(t *testing.T, data []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// rawServer starts a loopback TCP server that answers every connection
// with the literal bytes resp and then closes it, for responses net/http
// refuses to produce (a body shorter or longer than its Content-Length).
func rawServer(t *testing.T, resp string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for { // read the request head
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				c.Write([]byte(resp))
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/update-img.tar.zst"
}

func TestHashURL(t *testing.T) {
	data := pattern(300_000)
	srv, _ := serveBytes(t, data)
	u := srv.URL + "/ic/abc/guest-os/update-img/update-img.tar.zst"
	var rec recorder
	d, err := HashURL(context.Background(), u, Options{AllowHTTP: true, Progress: rec.fn, BufferSize: 8192})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Digest{Hex: sumHex(data), Size: int64(len(data)), Source: u}); d != want {
		t.Errorf("HashURL = %+v, want %+v", d, want)
	}
	checkProgress(t, rec.got, u, int64(len(data)), int64(len(data)))
}

func TestHashURLChunked(t *testing.T) {
	data := pattern(50_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(data); i += 10_000 {
			w.Write(data[i : i+10_000])
			w.(http.Flusher).Flush() // no Content-Length: chunked
		}
	}))
	defer srv.Close()
	var rec recorder
	d, err := Hash(context.Background(), srv.URL, Options{AllowHTTP: true, Progress: rec.fn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Hex != sumHex(data) || d.Size != int64(len(data)) {
		t.Errorf("digest = %+v", d)
	}
	checkProgress(t, rec.got, srv.URL, -1, int64(len(data)))
}

func TestHashURLRefusesPlainHTTP(t *testing.T) {
	srv, hits := serveBytes(t, []byte("x"))
	for _, u := range []string{srv.URL + "/a", "ftp://127.0.0.1/a"} {
		_, err := HashURL(context.Background(), u, Options{})
		if !errors.Is(err, ErrInsecureURL) || !strings.Contains(err.Error(), u) {
			t.Errorf("HashURL(%s) = %v, want ErrInsecureURL naming the URL", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}

func TestHashURLStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/forbidden":
			w.WriteHeader(http.StatusForbidden)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	tests := []struct {
		path, status, hint string
		kind               error
	}{
		{"/missing", "HTTP 404 Not Found", "check the version's commit", ErrNotFound},
		{"/gone", "HTTP 410 Gone", "check the version's commit", ErrNotFound},
		{"/forbidden", "HTTP 403 Forbidden", "check the URL", ErrHTTPStatus},
		{"/bad", "HTTP 502 Bad Gateway", "retry later or try another mirror", ErrHTTPStatus},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			u := srv.URL + tt.path
			_, err := HashURL(context.Background(), u, Options{AllowHTTP: true})
			want := fmt.Sprintf("hash %s: %s; %s", u, tt.status, tt.hint)
			if !errors.Is(err, tt.kind) || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("err = %v, want %q (%v)", err, want, tt.kind)
			}
		})
	}
}

func TestHashURLContentLength(t *testing.T) {
	t.Run("truncated body", func(t *testing.T) {
		u := rawServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"+strings.Repeat("a", 400))
		var rec recorder
		_, err := HashURL(context.Background(), u, Options{AllowHTTP: true, Progress: rec.fn})
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("err = %v, want ErrTruncated", err)
		}
		if !strings.Contains(err.Error(), "after 400 of its Content-Length of 1000 bytes") {
			t.Errorf("error %q does not give the byte counts", err)
		}
	})
	t.Run("body longer than announced", func(t *testing.T) {
		// HTTP/1.1 framing ends the body at Content-Length; the rest is not
		// part of the artifact.
		u := rawServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhellojunk")
		d, err := HashURL(context.Background(), u, Options{AllowHTTP: true})
		if err != nil {
			t.Fatal(err)
		}
		if d.Size != 5 || d.Hex != sumHex([]byte("hello")) {
			t.Errorf("digest = %+v, want the 5 announced bytes", d)
		}
	})
	t.Run("connection closed without length", func(t *testing.T) {
		u := rawServer(t, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc")
		d, err := HashURL(context.Background(), u, Options{AllowHTTP: true})
		if err != nil || d.Hex != sumHex([]byte("abc")) {
			t.Fatalf("HashURL = %+v, %v", d, err)
		}
	})
}

func TestHashURLTLS(t *testing.T) {
	data := []byte("over tls")
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(data)
	}))
	defer srv.Close()
	t.Run("untrusted certificate", func(t *testing.T) {
		_, err := HashURL(context.Background(), srv.URL, Options{})
		if !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err = %v, want ErrTLS", err)
		}
	})
	t.Run("trusted certificate", func(t *testing.T) {
		d, err := HashURL(context.Background(), srv.URL, Options{Client: srv.Client()})
		if err != nil || d.Hex != sumHex(data) {
			t.Fatalf("HashURL = %+v, %v", d, err)
		}
	})
	t.Run("redirect to plain http", func(t *testing.T) {
		plain, hits := serveBytes(t, data)
		redir := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/pkg", http.StatusFound))
		defer redir.Close()
		_, err := HashURL(context.Background(), redir.URL, Options{Client: redir.Client()})
		if !errors.Is(err, ErrInsecureURL) || hits.Load() != 0 {
			t.Fatalf("err = %v (plain hits %d), want ErrInsecureURL and no request", err, hits.Load())
		}
	})
}

func TestHashURLUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String() + "/pkg"
	ln.Close()
	_, err = HashURL(context.Background(), u, Options{AllowHTTP: true})
	if !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want ErrNetwork", err)
	}
}

func TestHashURLCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		select { // stall until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // runs before srv.Close, which waits for handlers
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := Options{AllowHTTP: true, Progress: func(p Progress) {
		if p.Done > 0 {
			cancel()
		}
	}}
	_, err := HashURL(ctx, srv.URL, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrTruncated) {
		t.Errorf("cancellation reported as truncation: %v", err)
	}
}
