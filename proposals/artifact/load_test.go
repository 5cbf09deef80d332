package artifact

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSums(t *testing.T) {
	body := "# sums\n" + hexA + "  update-img.tar.zst\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/SHA256SUMS":
			w.Write([]byte(body))
		case "/bad/SHA256SUMS":
			w.Write([]byte("nonsense\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	file := writeFile(t, "SHA256SUMS", []byte(body))
	for _, src := range []string{file, srv.URL + "/SHA256SUMS"} {
		sums, err := LoadSums(context.Background(), src, Options{AllowHTTP: true})
		if err != nil {
			t.Fatalf("LoadSums(%s): %v", src, err)
		}
		if e, err := sums.Lookup("update-img.tar.zst"); err != nil || e.Hex != hexA {
			t.Errorf("LoadSums(%s) lookup = %+v, %v", src, e, err)
		}
	}
	_, err := LoadSums(context.Background(), srv.URL+"/bad/SHA256SUMS", Options{AllowHTTP: true})
	var se *SumsError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "parse "+srv.URL+"/bad/SHA256SUMS: SHA256SUMS line 1:") {
		t.Errorf("bad sums: err = %v", err)
	}
	if _, err := LoadSums(context.Background(), srv.URL+"/missing", Options{AllowHTTP: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing sums: err = %v, want ErrNotFound", err)
	}
	if _, err := LoadSums(context.Background(), srv.URL+"/SHA256SUMS", Options{}); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("plain http without AllowHTTP: err = %v, want ErrInsecureURL", err)
	}
}

func TestLoadLaunchMeasurements(t *testing.T) {
	data, err := os.ReadFile("testdata/launch-measurements.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := serveBytes(t, data)
	m, err := LoadLaunchMeasurements(context.Background(), srv.URL+"/launch-measurements.json", Options{AllowHTTP: true})
	if err != nil || len(m.GuestLaunchMeasurements) != 2 {
		t.Fatalf("LoadLaunchMeasurements = %d measurements, %v", len(m.GuestLaunchMeasurements), err)
	}
	bad := writeFile(t, "launch-measurements.json", []byte("{\n  \"guest_launch_measurements\": [,]\n}"))
	_, err = LoadLaunchMeasurements(context.Background(), bad, Options{})
	var je *JSONError
	if !errors.As(err, &je) || je.Line != 2 || !strings.HasPrefix(err.Error(), "parse "+bad+": line 2 column 33:") {
		t.Errorf("err = %v, want a JSONError at line 2 naming the file", err)
	}
	_, err = LoadLaunchMeasurements(context.Background(), filepath.Join(t.TempDir(), "nope.json"), Options{})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: err = %v, want ErrNotFound", err)
	}
}

func TestReadSourceLimit(t *testing.T) {
	data := pattern(5000)
	srv, _ := serveBytes(t, data)
	file := writeFile(t, "big", data)
	for _, src := range []string{file, srv.URL + "/big"} {
		if _, err := ReadSource(context.Background(), src, 4999, Options{AllowHTTP: true}); err == nil || !strings.Contains(err.Error(), "larger than 4999 bytes") {
			t.Errorf("ReadSource(%s, 4999) = %v, want a size error", src, err)
		}
		got, err := ReadSource(context.Background(), src, 5000, Options{AllowHTTP: true})
		if err != nil || string(got) != string(data) {
			t.Errorf("ReadSource(%s, 5000) = %d bytes, %v", src, len(got), err)
		}
	}
}
