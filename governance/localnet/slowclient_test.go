package localnet_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// closedByServer reads conn until the server closes it; the deadline only
// keeps a broken server from hanging the test.
func closedByServer(t *testing.T, conn net.Conn, r io.Reader) {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, r)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server kept the connection of a stalled client open")
	}
}

// TestSlowClientIsCutOff: a client that sends half a request and stalls,
// and one that stays idle after a request, are disconnected by the
// server's read and idle timeouts instead of holding a connection.
func TestSlowClientIsCutOff(t *testing.T) {
	n := localnettest.Start(t, localnettest.WithConfig(func(c *localnet.Config) {
		c.HTTPReadTimeout = 300 * time.Millisecond
		c.HTTPIdleTimeout = 300 * time.Millisecond
	}))
	addr := strings.TrimPrefix(n.URL(), "http://")

	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := io.WriteString(stalled, "POST /api/v2/status HTTP/1.1\r\nHost: x\r\nContent-Le"); err != nil {
		t.Fatal(err)
	}
	closedByServer(t, stalled, stalled)

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if _, err := io.WriteString(idle, "GET /api/v2/status HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the server closed the connection right after the reply; want keep-alive until idle")
	}
	closedByServer(t, idle, br)
}
