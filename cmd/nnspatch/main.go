package main

import (
	"os"

	// Sets lipgloss's background before bubbletea's init would query the
	// terminal for it; see the package doc.
	_ "early.nnspatch.invalid/termquery"
)

func main() {
	tuneGC()
	os.Exit(Main(os.Args[1:], System()))
}
