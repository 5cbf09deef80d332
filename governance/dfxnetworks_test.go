package governance

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadDFXNetworks(t *testing.T) {
	home := t.TempDir()
	root := filepath.Join(home, ".config", "dfx")
	must(t, os.MkdirAll(root, 0o700))
	must(t, os.WriteFile(filepath.Join(root, "networks.json"), []byte(`{
  "local": {"bind": "127.0.0.1:8080", "type": "ephemeral"},
  "staging": {"providers": ["https://staging.example.org/"], "type": "persistent"},
  "shared": {"providers": ["https://user.example.org"]},
  "empty": {"type": "persistent"}
}`), 0o600))
	project := filepath.Join(t.TempDir(), "proj")
	sub := filepath.Join(project, "src", "deep")
	must(t, os.MkdirAll(sub, 0o700))
	must(t, os.WriteFile(filepath.Join(project, "dfx.json"), []byte(`{"canisters": {}, "networks": {
  "shared": {"providers": ["https://project.example.org"]},
  "devbox": {"bind": "0.0.0.0:4999"}
}}`), 0o600))

	files := DFXNetworkFilesFromOS(IdentityEnv{Home: home}, sub)
	if files.User != filepath.Join(root, "networks.json") || files.Project != filepath.Join(project, "dfx.json") {
		t.Fatalf("files = %+v", files)
	}
	nets, err := LoadDFXNetworks(files)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]NetworkConfig{
		"local":   {URL: "http://127.0.0.1:8080", RootKey: "fetch"},
		"staging": {URL: "https://staging.example.org"},
		"shared":  {URL: "https://project.example.org"},
		"devbox":  {URL: "http://127.0.0.1:4999", RootKey: "fetch"},
	}
	if len(nets) != len(want) {
		t.Errorf("networks = %+v", nets)
	}
	for name, w := range want {
		if nets[name] != w {
			t.Errorf("%s = %+v, want %+v", name, nets[name], w)
		}
	}
	r := Resolver{Networks: nets}
	if n, err := r.Resolve("local", ""); err != nil || n.URL != "http://127.0.0.1:8080" || !n.FetchRootKey {
		t.Errorf("resolve local = %+v, %v", n, err)
	}
	if _, err := r.Resolve("staging", ""); !errors.Is(err, ErrNetwork) {
		t.Errorf("a remote dfx network still needs a root key: %v", err)
	}

	must(t, os.WriteFile(filepath.Join(project, "dfx.json"), []byte(`{"networks": [`), 0o600))
	if _, err := LoadDFXNetworks(files); !errors.Is(err, ErrDFXNetworks) {
		t.Errorf("malformed dfx.json: err = %v", err)
	}
	if nets, err := LoadDFXNetworks(DFXNetworkFiles{User: filepath.Join(home, "absent.json")}); err != nil || len(nets) != 0 {
		t.Errorf("missing files: %v %v", nets, err)
	}
}
