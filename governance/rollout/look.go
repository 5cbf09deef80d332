package rollout

import "context"

// lockedLook is every status read and the start of every advance: it takes the release lock, reads the
// ledger, derives the release's status with look (which may update the
// ledger's bookkeeping) and saves the ledger. On success the caller holds
// the lock and must unlock it; on an error it is released.
func lockedLook[S any](ctx context.Context, s Store, look func(context.Context, *Ledger) (S, error)) (*Locked, *Ledger, S, error) {
	var st S
	lk, err := s.Lock(ctx)
	if err != nil {
		return nil, nil, st, err
	}
	l, err := lk.Read()
	if err == nil {
		if st, err = look(ctx, l); err == nil {
			err = lk.Save(l)
		}
	}
	if err != nil {
		lk.Unlock()
		return nil, nil, st, err
	}
	return lk, l, st, nil
}
