package artifact

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	hexA = strings.Repeat("a", 64)
	hexB = strings.Repeat("b", 64)
	hexC = "C" + strings.Repeat("0", 63)
)

func TestParseSums(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []SumsEntry
	}{
		{"text mode", hexA + "  update-img.tar.zst\n", []SumsEntry{{Hex: hexA, Name: "update-img.tar.zst", Line: 1}}},
		{"binary marker", hexA + " *update-img.tar.zst\n", []SumsEntry{{Hex: hexA, Name: "update-img.tar.zst", Binary: true, Line: 1}}},
		{"uppercase hex", hexC + "  f\n", []SumsEntry{{Hex: strings.ToLower(hexC), Name: "f", Line: 1}}},
		{"no final newline, CRLF", hexA + "  a\r\n" + hexB + "  b", []SumsEntry{
			{Hex: hexA, Name: "a", Line: 1}, {Hex: hexB, Name: "b", Line: 2}}},
		{"comments and blanks", "# SHA256 of the GuestOS update image\n\n   \n" + hexA + "  a\n#end\n", []SumsEntry{
			{Hex: hexA, Name: "a", Line: 4}}},
		{"name with spaces", hexA + "  my file.tar\n", []SumsEntry{{Hex: hexA, Name: "my file.tar", Line: 1}}},
		{"name starting with space", hexA + "   lead\n", []SumsEntry{{Hex: hexA, Name: " lead", Line: 1}}},
		{"name starting with star in text mode", hexA + "  *star\n", []SumsEntry{{Hex: hexA, Name: "*star", Line: 1}}},
		{"bsd reversed", hexA + " plain\n", []SumsEntry{{Hex: hexA, Name: "plain", Line: 1}}},
		{"escaped name", `\` + hexA + `  dir\\new\nline` + "\n", []SumsEntry{{Hex: hexA, Name: "dir\\new\nline", Line: 1}}},
		{"tagged", "SHA256 (update-img.tar.zst) = " + hexA + "\n", []SumsEntry{{Hex: hexA, Name: "update-img.tar.zst", Line: 1}}},
		{"tagged name with parens", "SHA256 (a) = b) = " + hexA + "\n", []SumsEntry{{Hex: hexA, Name: "a) = b", Line: 1}}},
		{"identical duplicate", hexA + "  a\n" + hexA + " *a\n", []SumsEntry{{Hex: hexA, Name: "a", Line: 1}}},
		{"relative paths", hexA + "  ./guest-os/update-img.tar.zst\n", []SumsEntry{{Hex: hexA, Name: "./guest-os/update-img.tar.zst", Line: 1}}},
		{"empty file", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSums(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSumsMalformed(t *testing.T) {
	in := strings.Join([]string{
		"# header",
		hexA + "  good",
		"deadbeef  short.tar",
		hexA,
		hexA + "  ",
		strings.Repeat("z", 64) + "  nothex",
		hexB + "  good",
		"MD5 (x) = " + strings.Repeat("0", 32),
		"SHA256 (x) " + hexA,
		`\` + hexA + `  bad\q`,
		hexB + "  other",
	}, "\n")
	sums, err := ParseSums(strings.NewReader(in))
	var se *SumsError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SumsError", err)
	}
	lines := make([]int, len(se.Problems))
	for i, p := range se.Problems {
		lines[i] = p.Line
	}
	if diff := cmp.Diff([]int{3, 4, 5, 6, 7, 8, 9, 10}, lines); diff != "" {
		t.Errorf("problem lines (-want +got):\n%s\nerror: %v", diff, err)
	}
	for _, s := range []string{
		`line 3: digest "deadbeef" is not 64 hex digits`,
		"line 5: file name is missing",
		`line 7: "good" is listed again with a different digest than on line 2`,
		`line 10: unknown escape "\q"`,
		"line 8: MD5 line: only SHA256 sums are supported",
	} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error lacks %q:\n%v", s, err)
		}
	}
	want := []SumsEntry{{Hex: hexA, Name: "good", Line: 2}, {Hex: hexB, Name: "other", Line: 11}}
	if diff := cmp.Diff(want, sums.Entries); diff != "" {
		t.Errorf("good entries (-want +got):\n%s", diff)
	}
}

func TestParseSumsLongLine(t *testing.T) {
	in := hexA + "  a\n" + hexA + "  " + strings.Repeat("x", maxSumsLine) + "\n"
	_, err := ParseSums(strings.NewReader(in))
	var se *SumsError
	if !errors.As(err, &se) || se.Problems[0].Line != 2 {
		t.Fatalf("err = %v, want a problem on line 2", err)
	}
}

func TestSumsLookup(t *testing.T) {
	sums, err := ParseSums(strings.NewReader(strings.Join([]string{
		hexA + "  update-img.tar.zst",
		hexB + "  update-img-test.tar.zst",
		hexA + "  a/dup.bin",
		hexB + "  b/dup.bin",
		hexC + "  ./guest-os/disk.img",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		wantLine int
		wantErr  string
	}{
		{"update-img.tar.zst", 1, ""},
		{"/tmp/dl/update-img.tar.zst", 1, ""},
		{"https://download.dfinity.systems/ic/0123/guest-os/update-img/update-img-test.tar.zst", 2, ""},
		{"a/dup.bin", 3, ""},
		{"guest-os/disk.img", 5, ""},
		{"dup.bin", 0, "matches lines 3 and 4"},
		{"missing.tar.zst", 0, "no SHA256SUMS entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := sums.Lookup(tt.name)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || e.Line != tt.wantLine {
				t.Fatalf("Lookup = %+v, %v; want line %d", e, err, tt.wantLine)
			}
		})
	}
	if _, err := sums.Lookup("nope"); !errors.Is(err, ErrNoEntry) {
		t.Errorf("missing name: err = %v, want ErrNoEntry", err)
	}
}

func TestSumsCheck(t *testing.T) {
	data := []byte("guestos image")
	good := sumHex(data)
	sums, err := ParseSums(strings.NewReader("# sums\n" + good + "  update-img.tar.zst\n" + hexB + "  other.tar.zst\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := Digest{Hex: good, Size: int64(len(data)), Source: "/dl/update-img.tar.zst"}
	if err := sums.Check("", d); err != nil {
		t.Errorf("Check by source: %v", err)
	}
	err = sums.Check("other.tar.zst", d)
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MismatchError", err)
	}
	want := MismatchError{Want: hexB, Got: good, Source: d.Source, WantFrom: "SHA256SUMS line 3"}
	if *me != want {
		t.Errorf("MismatchError = %+v, want %+v", *me, want)
	}
	if !strings.Contains(err.Error(), "(from SHA256SUMS line 3)") {
		t.Errorf("error %q does not say where the digest came from", err)
	}
}
