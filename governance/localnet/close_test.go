package localnet

import (
	"context"
	"net"
	"strings"
	"testing"
)

// TestCloseWithAnIdleConnection: a client that opened a connection but sent
// no request yet (a transport's spare keep-alive connection) must not make
// Close fail; net/http alone would wait five seconds for it and time out.
func TestCloseWithAnIdleConnection(t *testing.T) {
	n, err := Start(context.Background(), Config{StateDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := n.Close(); err != nil {
		t.Fatalf("close with an idle connection: %v", err)
	}
}
