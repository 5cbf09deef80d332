package artifact

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// hashProcessEnv makes the test binary hash one file and exit (see
// TestMain), so a benchmark can measure a hashing process's peak RSS.
const hashProcessEnv = "NNSPATCH_ARTIFACT_HASH_PROCESS_FILE"

func TestMain(m *testing.M) {
	if p := os.Getenv(hashProcessEnv); p != "" {
		d, err := HashFile(context.Background(), p, Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(d.Hex)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// makeBenchFile writes size pseudo-random bytes to dir/name, 1 MiB at a time.
func makeBenchFile(b *testing.B, dir, name string, size int64) string {
	b.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	block := make([]byte, 1<<20)
	rng := rand.NewChaCha8([32]byte{'n', 'n', 's'})
	for written := int64(0); written < size; written += int64(len(block)) {
		rng.Read(block)
		if _, err := w.Write(block[:min(int64(len(block)), size-written)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkHashFile1GiB hashes one 1 GiB file with HashFile ("go") and,
// in the same run and on the same (page-cached) file, with coreutils
// sha256sum; it then measures the peak RSS of a process that hashes the
// file. The parent logs the throughput ratio. Run it with
//
//	go test ./proposals/artifact -run '^$' -bench HashFile1GiB -benchtime 3x
//
// The sha256sum line reports go/sha256sum-speed (its time over HashFile's;
// target >= 0.90) and the peak-rss line peak-RSS-MiB (target < 64).
func BenchmarkHashFile1GiB(b *testing.B) {
	const size = 1 << 30
	p := makeBenchFile(b, b.TempDir(), "update-img.tar.zst", size)
	var goHex string
	var goSec, sumSec float64
	b.Run("go", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			d, err := HashFile(context.Background(), p, Options{})
			if err != nil {
				b.Fatal(err)
			}
			goHex = d.Hex
		}
		goSec = b.Elapsed().Seconds() / float64(b.N)
	})
	b.Run("sha256sum", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			out, err := exec.Command("sha256sum", p).Output()
			if err != nil {
				b.Fatalf("sha256sum: %v", err)
			}
			if h, _, _ := strings.Cut(string(out), " "); h != goHex {
				b.Fatalf("sha256sum says %s, HashFile says %s", h, goHex)
			}
		}
		sumSec = b.Elapsed().Seconds() / float64(b.N)
		if goSec > 0 {
			b.ReportMetric(sumSec/goSec, "go/sha256sum-speed")
		}
	})
	b.Run("peak-rss", func(b *testing.B) {
		for b.Loop() {
			rss := hashProcessRSS(b, p, goHex)
			b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		}
		b.ReportMetric(0, "ns/op") // the time of a whole process is not the point here
	})
	if goSec > 0 && sumSec > 0 {
		b.Logf("throughput go %.0f MB/s, sha256sum %.0f MB/s, ratio go/sha256sum %.2f",
			size/goSec/1e6, size/sumSec/1e6, sumSec/goSec)
	}
}

// hashProcessRSS runs the test binary as a hashing process (TestMain) and
// returns its peak resident set size in KiB.
func hashProcessRSS(b *testing.B, path, wantHex string) int64 {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hashProcessEnv+"="+path)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("hash process: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != wantHex {
		b.Fatalf("hash process says %s, want %s", got, wantHex)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
}

// BenchmarkHashFileBuffer compares read sizes on a 256 MiB page-cached
// file; DefaultBufferSize was chosen from it.
func BenchmarkHashFileBuffer(b *testing.B) {
	const size = 256 << 20
	p := makeBenchFile(b, b.TempDir(), "pkg", size)
	for _, buf := range []int{32 << 10, 128 << 10, 1 << 20, 4 << 20, 16 << 20} {
		b.Run(fmt.Sprintf("%dKiB", buf>>10), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				if _, err := HashFile(context.Background(), p, Options{BufferSize: buf}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
