//go:build ignore

// gen.go regenerates the registrypb Go types from proto/*.proto with protoc
// and protoc-gen-go at the google.golang.org/protobuf version go.mod pins.
package main

import (
	"flag"
	"log"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	out := flag.String("out", ".", "directory to write the generated Go files to")
	flag.Parse()
	bin, err := os.MkdirTemp("", "registrypb-gen")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(bin)
	run("go", "build", "-o", filepath.Join(bin, "protoc-gen-go"), "google.golang.org/protobuf/cmd/protoc-gen-go")
	protos, err := filepath.Glob("proto/nnspatch/registry/*.proto")
	if err != nil {
		log.Fatal(err)
	}
	args := append([]string{"--plugin=protoc-gen-go=" + filepath.Join(bin, "protoc-gen-go"),
		"-I", "proto", "--go_out=" + *out, "--go_opt=module=github.com/nnspatch/nnspatch/governance/registrypb"}, protos...)
	run("protoc", args...)
}

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
}
