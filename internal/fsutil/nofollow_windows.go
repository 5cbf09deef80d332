//go:build windows

package fsutil

// noFollow: Windows has no O_NOFOLLOW; newFlock's Lstat check stands alone.
const noFollow = 0
