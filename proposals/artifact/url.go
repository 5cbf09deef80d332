package artifact

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HashURL downloads rawURL and hashes the body as it streams, in constant
// memory. Only https is accepted unless opts.AllowHTTP is set, also for
// redirects. A body shorter than its Content-Length is an ErrTruncated
// error, never a digest.
func HashURL(ctx context.Context, rawURL string, opts Options) (Digest, error) {
	if err := checkScheme(rawURL, opts.AllowHTTP); err != nil {
		return Digest{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Digest{}, &SourceError{Source: rawURL, Err: err, Hint: "check the URL"}
	}
	resp, err := opts.httpClient().Do(req)
	if err != nil {
		return Digest{}, requestError(ctx, rawURL, err)
	}
	defer resp.Body.Close()
	if err := statusError(rawURL, resp); err != nil {
		return Digest{}, err
	}
	body := &countingReader{r: resp.Body}
	d, err := HashReader(ctx, body, rawURL, resp.ContentLength, opts)
	if err != nil {
		return Digest{}, bodyError(ctx, rawURL, body.n, resp.ContentLength, err)
	}
	if resp.ContentLength >= 0 && d.Size != resp.ContentLength {
		return Digest{}, truncatedError(rawURL, d.Size, resp.ContentLength, io.ErrUnexpectedEOF)
	}
	return d, nil
}

func checkScheme(rawURL string, allowHTTP bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return &SourceError{Source: rawURL, Err: err, Hint: "check the URL"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if allowHTTP {
			return nil
		}
		return &SourceError{Source: rawURL, Kind: ErrInsecureURL, Err: errors.New("plain http is not allowed"),
			Hint: "use the https URL (plain http is only enabled explicitly, for local test servers)"}
	}
	return &SourceError{Source: rawURL, Kind: ErrInsecureURL, Err: fmt.Errorf("unsupported URL scheme %q", u.Scheme),
		Hint: "use an https URL or a file path"}
}

func (o Options) httpClient() *http.Client {
	c := http.Client{Transport: defaultTransport}
	if o.Client != nil {
		c = *o.Client
	}
	next := c.CheckRedirect
	allowHTTP := o.AllowHTTP
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkScheme(req.URL.String(), allowHTTP); err != nil {
			return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// defaultTransport bounds the phases that can hang (dial, TLS, headers)
// but not the body, since release packages are large.
var defaultTransport = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   15 * time.Second,
	ResponseHeaderTimeout: 60 * time.Second,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          10,
	IdleConnTimeout:       90 * time.Second,
}

func requestError(ctx context.Context, rawURL string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("hash %s: %w", rawURL, ctxErr)
	}
	var (
		certErr    *tls.CertificateVerificationError
		unknownErr x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		recErr     tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownErr), errors.As(err, &hostErr), errors.As(err, &recErr):
		return &SourceError{Source: rawURL, Kind: ErrTLS, Err: unwrapURLError(err),
			Hint: "the server's TLS certificate could not be verified; check the URL's host and the system CA certificates"}
	case errors.Is(err, ErrInsecureURL):
		return &SourceError{Source: rawURL, Kind: ErrInsecureURL, Err: unwrapURLError(err), Hint: "use an https mirror"}
	}
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.As(err, &netErr) {
		return &SourceError{Source: rawURL, Kind: ErrNetwork, Err: unwrapURLError(err),
			Hint: "check the network connection and the URL's host, or try another mirror"}
	}
	return &SourceError{Source: rawURL, Err: unwrapURLError(err), Hint: "retry or try another mirror"}
}

// unwrapURLError drops *url.Error's "Get "<url>":" prefix, since
// SourceError already names the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func statusError(rawURL string, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	err := fmt.Errorf("HTTP %s", resp.Status)
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusGone:
		return &SourceError{Source: rawURL, Kind: ErrNotFound, Err: err,
			Hint: "check the version's commit in the URL, or wait until the artifact is published"}
	}
	hint := "retry later or try another mirror"
	if resp.StatusCode < 500 {
		hint = "check the URL"
	}
	return &SourceError{Source: rawURL, Kind: ErrHTTPStatus, Err: err, Hint: hint}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func bodyError(ctx context.Context, rawURL string, got, want int64, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("hash %s: %w", rawURL, ctxErr)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return truncatedError(rawURL, got, want, err)
	}
	return &SourceError{Source: rawURL, Kind: ErrNetwork, Err: fmt.Errorf("read body: %w", err),
		Hint: "retry or try another mirror"}
}

func truncatedError(rawURL string, got, want int64, err error) error {
	msg := fmt.Errorf("body ended after %d of its Content-Length of %d bytes: %w", got, want, err)
	return &SourceError{Source: rawURL, Kind: ErrTruncated, Err: msg, Hint: "retry or try another mirror"}
}
