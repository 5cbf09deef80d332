package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewCmdArtifactCheck(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    artifactCheckOptions
		wantErr string
	}{
		{name: "sha256 normalized", args: []string{"--sha256", " " + strings.ToUpper(testSHA) + " ", "f"},
			want: artifactCheckOptions{SHA256: testSHA, Sources: []string{"f"}}},
		{name: "sums and mirrors", args: []string{"--sums", "S", "https://a/x", "https://b/x", "--allow-http"},
			want: artifactCheckOptions{SumsFile: "S", Sources: []string{"https://a/x", "https://b/x"}, AllowHTTP: true}},
		{name: "no expectation", args: []string{"f"}, wantErr: "pass --sha256 <hex> or --sums <file>"},
		{name: "bad hex", args: []string{"--sha256", "xyz", "f"}, wantErr: "--sha256: "},
		{name: "no source", args: []string{"--sha256", testSHA}, wantErr: "at least one file or URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := TestStreams()
			var got *artifactCheckOptions
			cmd := newCmdArtifactCheck(NewFactory(ios), func(o *artifactCheckOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				var fe *FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a FlagError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.SHA256 != tt.want.SHA256 || got.SumsFile != tt.want.SumsFile || got.AllowHTTP != tt.want.AllowHTTP ||
				strings.Join(got.Sources, ",") != strings.Join(tt.want.Sources, ",") {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// TestProgressOnlyOnTerminal checks that the hashing progress bar is drawn
// on a terminal stderr and never when stderr is redirected, and that
// stdout carries the same data either way.
func TestProgressOnlyOnTerminal(t *testing.T) {
	isolateConfig(t)
	file := writeTestFile(t, t.TempDir(), "pkg", genBytes(3<<20))
	var outs [2]string
	for i, tty := range []bool{false, true} {
		ios, _, out, errOut := TestStreams()
		ios.SetTTY(false, false, tty)
		if code := Main([]string{"artifact", "hash", file}, ios); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		outs[i] = out.String()
		if drawn := strings.Contains(errOut.String(), "100%"); drawn != tty {
			t.Errorf("stderr TTY %v: progress drawn = %v (stderr %q)", tty, drawn, errOut)
		}
	}
	if outs[0] != outs[1] {
		t.Errorf("stdout differs with a terminal: %q vs %q", outs[0], outs[1])
	}
}

// TestArtifactURLs hashes a package served by a loopback HTTP server,
// the way release mirrors are checked.
func TestArtifactURLs(t *testing.T) {
	isolateConfig(t)
	body := genBytes(1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/update-img.tar.zst" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	file := writeTestFile(t, t.TempDir(), "update-img.tar.zst", body)
	url := srv.URL + "/update-img.tar.zst"

	r := runCLI(t, "artifact", "check", "--allow-http", "--sha256", testSHA, url, file)
	if r.Code != ExitOK || !strings.Contains(r.Stdout, testSHA+"  "+url) {
		t.Errorf("check URL and file: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := runCLI(t, "artifact", "hash", url); r.Code != ExitError || !strings.Contains(r.Stderr, "http") {
		t.Errorf("plain http without --allow-http: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if r := runCLI(t, "artifact", "hash", "--allow-http", srv.URL+"/missing"); r.Code != ExitError {
		t.Errorf("404: exit %d, stderr %q", r.Code, r.Stderr)
	}
}
