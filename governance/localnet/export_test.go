package localnet

// Tick steps the time-driven models once, as the ticker does, and waits
// until what it logged is on disk, so tests decide when ticks happen
// instead of sleeping.
func Tick(n *Network) error {
	n.tick()
	return n.wal.wait(n.wal.lastAppended())
}
