package governance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// Well-known NNS canister ids (domain.md §0).
var (
	GovernanceCanister = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	RegistryCanister   = principal.MustDecode("rwlgt-iiaaa-aaaaa-aaaaa-cai")
)

// DefaultIngressExpiry is how long a signed request stays valid.
const DefaultIngressExpiry = 5 * time.Minute

// Options tune a Client. The zero value is fine.
type Options struct {
	// IngressExpiry bounds each request's validity, the accepted age of a
	// certificate, and how long a call is polled. Default 5 minutes.
	IngressExpiry time.Duration
	// HTTPClient sends the requests; nil means a client that keeps
	// connections alive.
	HTTPClient *http.Client
	// RegistryCache is the directory under which registry stores live, one
	// subdirectory per network root key (RegistryCacheDir); "" keeps the
	// synced registry in memory for the Client's life.
	RegistryCache string
	// WriteLocks is the directory of the per-network write locks
	// (LockWrite) that make concurrent identical writes yield one; ""
	// locks nothing.
	WriteLocks string
}

// Client reads and writes NNS governance and reads the registry. Its
// fields are set by New and never change afterwards; it is safe for
// concurrent use.
type Client struct {
	// Network is where requests go and how answers are trusted.
	Network Network
	// Identity signs requests.
	Identity *Identity
	// Expiry is the ingress expiry in use.
	Expiry time.Duration

	t     transport
	at    *agentTransport
	reg   *registryCache
	locks string
}

// New connects to n as id (nil means anonymous). For a network with
// FetchRootKey it reads the root key now, so an unreachable network fails
// here with ErrUnreachable.
func New(ctx context.Context, n Network, id *Identity, opts Options) (*Client, error) {
	if id == nil {
		id = Anonymous()
	}
	if opts.IngressExpiry == 0 {
		opts.IngressExpiry = DefaultIngressExpiry
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second}}
	}
	u, err := url.Parse(n.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: parse URL of network %s: %w", ErrNetwork, n.Name, err)
	}
	at := &agentTransport{
		net:    n.Name,
		client: agent.NewClient(agent.WithHostURL(u), agent.WithHttpClient(opts.HTTPClient)),
		id:     id.Identity,
		expiry: opts.IngressExpiry,
		keys:   &nodeKeys{},
		// A network trusted for its key is trusted for its clock.
		followClock: n.FetchRootKey,
	}
	if err := at.loadRootKey(ctx, n); err != nil {
		return nil, err
	}
	return &Client{Network: n, Identity: id, Expiry: opts.IngressExpiry, t: at, at: at,
		reg: &registryCache{base: opts.RegistryCache}, locks: opts.WriteLocks}, nil
}

func (t *agentTransport) loadRootKey(ctx context.Context, n Network) error {
	t.rootKey = n.RootKey
	if !n.FetchRootKey {
		return nil
	}
	type result struct {
		s   *agent.Status
		err error
	}
	ch := make(chan result, 1)
	go func() { s, err := t.client.Status(); ch <- result{s, err} }()
	var r result
	select {
	case <-ctx.Done():
		return ctx.Err()
	case r = <-ch:
	}
	if r.err != nil {
		return &UnreachableError{Network: n.Name, URL: n.URL, Err: r.err}
	}
	if _, err := certification.PublicBLSKeyFromDER(r.s.RootKey); err != nil {
		return t.untrusted(fmt.Errorf("network advertised an invalid root key: %w", err))
	}
	t.rootKey = r.s.RootKey
	return nil
}

// RootKey returns the root key answers are verified against.
func (c *Client) RootKey() []byte { return c.at.rootKey }

// Sender returns the principal requests are sent as.
func (c *Client) Sender() principal.Principal { return c.Identity.Sender() }

func (c *Client) queryCandid(ctx context.Context, canister principal.Principal, method string, in, out []any) error {
	arg, err := candid.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s argument: %w", method, err)
	}
	raw, err := c.t.query(ctx, canister, method, arg)
	if err != nil {
		return err
	}
	return unmarshalReply(method, raw, out)
}

// encodeArgs encodes call arguments; a lone manage_neuron request takes
// EncodeManageNeuron's fast path for votes.
func encodeArgs(in []any) ([]byte, error) {
	if len(in) == 1 {
		if req, ok := in[0].(govdid.ManageNeuronRequest); ok {
			return EncodeManageNeuron(req)
		}
	}
	return candid.Marshal(in)
}

// unmarshalReply decodes a Candid reply with the fast decoder, falling back
// to agent-go's for shapes the fast one does not handle. The guard runs first:
// agent-go's decoder can be crashed (unrecoverably) by forged counts or
// recursive types, and a reply is bytes from the network.
func unmarshalReply(method string, raw []byte, out []any) error {
	if err := candidguard.Check(raw); err != nil {
		return fmt.Errorf("decode %s reply: %w", method, err)
	}
	if decodeCandid(raw, out...) == nil {
		return nil
	}
	for _, o := range out {
		v := reflect.ValueOf(o).Elem()
		v.Set(reflect.Zero(v.Type()))
	}
	if err := candidguard.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode %s reply: %w", method, err)
	}
	return nil
}

func (c *Client) callCandid(ctx context.Context, canister principal.Principal, method string, in, out []any) error {
	arg, err := encodeArgs(in)
	if err != nil {
		return fmt.Errorf("encode %s argument: %w", method, err)
	}
	raw, err := c.t.call(ctx, canister, method, arg)
	if err != nil {
		return err
	}
	return unmarshalReply(method, raw, out)
}
