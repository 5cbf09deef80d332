package artifact

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHashAll(t *testing.T) {
	data := pattern(200_000)
	a, _ := serveBytes(t, data)
	b, _ := serveBytes(t, data)
	file := writeFile(t, "update-img.tar.zst", data)
	sources := []string{a.URL + "/pkg", b.URL + "/pkg", file}
	seen := map[string]int64{}
	opts := Options{AllowHTTP: true, BufferSize: 4096, Progress: func(p Progress) {
		if p.Done < seen[p.Source] {
			t.Errorf("%s went backwards", p.Source)
		}
		seen[p.Source] = p.Done // unsynchronized map: -race proves HashAll serializes calls
	}}
	ds, err := HashAll(context.Background(), opts, sources...)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Source != sources[i] || d.Hex != sumHex(data) || d.Size != int64(len(data)) {
			t.Errorf("digest %d = %+v", i, d)
		}
		if seen[sources[i]] != int64(len(data)) {
			t.Errorf("progress for %s ended at %d", sources[i], seen[sources[i]])
		}
	}
}

func TestHashAllMirrorMismatch(t *testing.T) {
	good, evil := []byte("release package"), []byte("release packagE")
	a, _ := serveBytes(t, good)
	b, _ := serveBytes(t, evil)
	ds, err := HashAll(context.Background(), Options{AllowHTTP: true}, a.URL+"/pkg", b.URL+"/pkg")
	var mm *MirrorMismatchError
	if !errors.As(err, &mm) || !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("err = %v, want *MirrorMismatchError", err)
	}
	if len(ds) != 2 || len(mm.Digests) != 2 {
		t.Fatalf("digests = %v / %v, want both sources", ds, mm.Digests)
	}
	for _, s := range []string{a.URL + "/pkg sha256 " + sumHex(good), b.URL + "/pkg sha256 " + sumHex(evil)} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func TestHashAllFailureCancelsOthers(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(ended)
		w.Header().Set("Content-Length", "1000000")
		w.Write(make([]byte, 10))
		w.(http.Flusher).Flush()
		close(started)
		select { // only ends when HashAll cancels the download
		case <-r.Context().Done():
		case <-time.After(time.Minute):
			t.Error("the stalled download was not cancelled")
		}
	}))
	defer slow.Close()
	missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-started // fail only once the other download is under way
		http.NotFound(w, r)
	}))
	defer missing.Close()
	_, err := HashAll(context.Background(), Options{AllowHTTP: true}, slow.URL+"/pkg", missing.URL+"/pkg")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), missing.URL) {
		t.Fatalf("err = %v, want the mirror's 404 rather than the cancellation", err)
	}
	<-ended
}

func TestHashAllCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := writeFile(t, "a", []byte("a"))
	_, err := HashAll(ctx, Options{}, p, p)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestHashAllNoSources(t *testing.T) {
	if _, err := HashAll(context.Background(), Options{}); err == nil {
		t.Fatal("HashAll with no sources succeeded")
	}
}

func TestAgreeSizeOnly(t *testing.T) {
	// Same hex but different sizes cannot happen with SHA-256 in practice,
	// but Agree compares both so a bug in a caller cannot mask a short copy.
	ds := []Digest{{Hex: hexA, Size: 1, Source: "a"}, {Hex: hexA, Size: 2, Source: "b"}}
	if err := Agree(ds); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("Agree = %v, want a mismatch", err)
	}
	if err := Agree(nil); err != nil {
		t.Fatalf("Agree(nil) = %v", err)
	}
	if err := Agree(ds[:1]); err != nil {
		t.Fatalf("Agree(one) = %v", err)
	}
}
