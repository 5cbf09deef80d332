package localnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// ErrCorruptLog is returned when the write-ahead log is damaged before its
// last record (a damaged last record is a torn write and is truncated).
var ErrCorruptLog = errors.New("corrupt write-ahead log")

// CorruptLogError reports a write-ahead log damaged before its last record.
// The file is left untouched; it matches ErrCorruptLog with errors.Is.
type CorruptLogError struct {
	Path   string // the log file
	Offset int64  // byte offset of the first damaged record
	Size   int64  // size of the file in bytes
}

// Error names the file, the offset and what to do next.
func (e *CorruptLogError) Error() string {
	return fmt.Sprintf("%v: %s: bad record at byte %d of %d, followed by intact records; the file was left untouched: restore it from a backup or move the state directory aside to start afresh", ErrCorruptLog, e.Path, e.Offset, e.Size)
}

// Is makes errors.Is(err, ErrCorruptLog) true.
func (e *CorruptLogError) Is(target error) bool { return target == ErrCorruptLog }

// errWALClosed is returned by wait after close.
var errWALClosed = errors.New("write-ahead log closed")

// frameHeader is the size of a record's header: payload length and CRC32C,
// both little-endian uint32.
const frameHeader = 8

// maxRecord bounds a record's payload; larger lengths mean corruption.
const maxRecord = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// wal is an append-only log of length-prefixed, CRC32C-checked records with
// group commit: append only buffers, and one flusher goroutine writes and
// fsyncs whatever accumulated, so concurrent waiters share one fsync.
type wal struct {
	f *os.File

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	appended uint64 // sequence number of the last appended record
	durable  uint64 // sequence number of the last fsynced record
	err      error  // sticky write error
	closed   bool
	done     chan struct{}

	syncs uint64 // number of fsyncs, for tests and benchmarks
}

// openWAL opens (creating if needed) the log at path, passes every intact
// record's payload to apply in order, truncates a torn tail and starts the
// flusher. apply errors abort the open.
func openWAL(path string, apply func(payload []byte) error) (*wal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	end, err := replayFrames(f, apply)
	if err == nil {
		err = truncateTail(f, end)
	}
	var corrupt *CorruptLogError
	if errors.As(err, &corrupt) {
		corrupt.Path = path
		f.Close()
		return nil, corrupt
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w := &wal{f: f, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	go w.flushLoop()
	return w, nil
}

// replayFrames reads every intact record and returns the offset where the
// valid log ends.
func replayFrames(f *os.File, apply func([]byte) error) (int64, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return 0, fmt.Errorf("read log: %w", err)
	}
	var off int64
	for int(off) < len(data) {
		payload, next, ok := decodeFrame(data, off)
		if !ok {
			if isTornTail(data, off) {
				return off, nil
			}
			return 0, &CorruptLogError{Offset: off, Size: int64(len(data))}
		}
		if err := apply(payload); err != nil {
			return 0, fmt.Errorf("replay record at byte %d: %w", off, err)
		}
		off = next
	}
	return off, nil
}

// decodeFrame returns the payload of the frame at off and the next offset,
// or ok=false when the frame is incomplete or fails its checksum.
func decodeFrame(data []byte, off int64) (payload []byte, next int64, ok bool) {
	rest := data[off:]
	if len(rest) < frameHeader {
		return nil, 0, false
	}
	n := binary.LittleEndian.Uint32(rest)
	sum := binary.LittleEndian.Uint32(rest[4:])
	if n == 0 || n > maxRecord || int(n) > len(rest)-frameHeader {
		return nil, 0, false
	}
	payload = rest[frameHeader : frameHeader+int(n)]
	if crc32.Checksum(payload, castagnoli) != sum {
		return nil, 0, false
	}
	return payload, off + frameHeader + int64(n), true
}

// isTornTail reports whether the damaged frame at off is the log's tail: its
// declared length reaches past the end of the file, or nothing but zero
// bytes follows its declared end (a write cut short by a crash), and no
// intact record starts anywhere after it. The last condition keeps a damaged
// length field in the middle of the log (which can make the declared length
// reach past the end) from passing as a torn write.
func isTornTail(data []byte, off int64) bool {
	return damageReachesEnd(data, off) && !intactFrameAfter(data, off)
}

// intactFrameAfter reports whether a frame with a valid checksum starts at
// any offset after off.
func intactFrameAfter(data []byte, off int64) bool {
	for p := off + 1; p+frameHeader < int64(len(data)); p++ {
		if _, _, ok := decodeFrame(data, p); ok {
			return true
		}
	}
	return false
}

// damageReachesEnd reports whether the damaged frame at off plausibly runs
// to the end of the file.
func damageReachesEnd(data []byte, off int64) bool {
	rest := data[off:]
	if len(rest) < frameHeader {
		return true
	}
	n := int64(binary.LittleEndian.Uint32(rest))
	if n == 0 {
		return allZero(rest)
	}
	end := frameHeader + n
	if end >= int64(len(rest)) {
		return true
	}
	return allZero(rest[end:])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// truncateTail cuts the file at end and positions writes there.
func truncateTail(f *os.File, end int64) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat log: %w", err)
	}
	if st.Size() != end {
		if err := f.Truncate(end); err != nil {
			return fmt.Errorf("truncate torn tail: %w", err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync log: %w", err)
		}
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return fmt.Errorf("seek log: %w", err)
	}
	return nil
}

// appendRecord buffers one record and returns its sequence number. Records
// are written in the order appendRecord is called; call wait to learn when
// the record is durable.
func (w *wal) appendRecord(payload []byte) uint64 {
	var hdr [frameHeader]byte
	binary.LittleEndian.PutUint32(hdr[:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[4:], crc32.Checksum(payload, castagnoli))
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, hdr[:]...)
	w.buf = append(w.buf, payload...)
	w.appended++
	w.cond.Broadcast()
	return w.appended
}

// wait blocks until the record with sequence number seq is fsynced.
func (w *wal) wait(seq uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.durable < seq && w.err == nil {
		if w.closed && len(w.buf) == 0 && w.durable < seq {
			return errWALClosed
		}
		w.cond.Wait()
	}
	if w.durable >= seq {
		return nil
	}
	return w.err
}

// flushLoop writes and fsyncs accumulated records until close.
func (w *wal) flushLoop() {
	defer close(w.done)
	for {
		w.mu.Lock()
		for len(w.buf) == 0 && !w.closed {
			w.cond.Wait()
		}
		if len(w.buf) == 0 && w.closed {
			w.cond.Broadcast()
			w.mu.Unlock()
			return
		}
		buf, seq := w.buf, w.appended
		w.buf = nil
		w.mu.Unlock()

		err := w.write(buf)

		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = err
		}
		if err == nil {
			w.durable = seq
			w.syncs++
		}
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}

func (w *wal) write(buf []byte) error {
	if _, err := w.f.Write(buf); err != nil {
		return fmt.Errorf("write log: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync log: %w", err)
	}
	return nil
}

// close flushes what is buffered, stops the flusher and closes the file.
func (w *wal) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.done
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fsyncs returns how many fsyncs the flusher has done.
func (w *wal) fsyncs() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.syncs
}

// lastAppended returns the sequence number of the last appended record.
func (w *wal) lastAppended() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.appended
}
