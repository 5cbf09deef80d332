package artifact

import (
	"context"
	"errors"
	"sync"
)

// HashAll hashes every source (files or URLs, e.g. the download mirrors of
// one release package) concurrently and returns their digests in the order
// given. If any source fails, the others are cancelled and the first
// failure (in source order) is returned. If all succeed but differ, the
// digests come back together with a *MirrorMismatchError.
func HashAll(ctx context.Context, opts Options, sources ...string) ([]Digest, error) {
	if len(sources) == 0 {
		return nil, errors.New("hash: no sources given; pass at least one file or URL")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts.Progress = serialized(opts.Progress)
	digests := make([]Digest, len(sources))
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() {
			digests[i], errs[i] = Hash(ctx, src, opts)
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := firstRealError(ctx, errs); err != nil {
		return nil, err
	}
	return digests, Agree(digests)
}

// Agree returns a *MirrorMismatchError if the digests are not all equal
// (same hex and size), and nil otherwise.
func Agree(digests []Digest) error {
	if len(digests) < 2 {
		return nil
	}
	for _, d := range digests[1:] {
		if d.Hex != digests[0].Hex || d.Size != digests[0].Size {
			return &MirrorMismatchError{Digests: digests}
		}
	}
	return nil
}

// firstRealError prefers a source's own failure over the cancellations it
// caused in its siblings.
func firstRealError(ctx context.Context, errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !isContextErr(err) || ctx.Err() == nil {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

func serialized(f ProgressFunc) ProgressFunc {
	if f == nil {
		return nil
	}
	var mu sync.Mutex
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		f(p)
	}
}
