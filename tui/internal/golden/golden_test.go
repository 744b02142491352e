package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps the failures it is told of, so the
// tests can read the messages a real test would print.
type recorder struct {
	testing.TB
	errors, fatals []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Fatalf stops the goroutine, as the real one does.
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// run calls f with a recorder on a goroutine of its own, which Fatalf
// may end, and returns the recorder once f is over.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// compareWith compares drawing with a golden file holding file, and
// returns what Compare reported and the file's path.
func compareWith(t *testing.T, file, drawing string) (*recorder, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	return run(t, func(tb testing.TB) { Compare(tb, path, drawing, false) }), path
}

func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, s)
		}
	}
}

// An update writes the file, folders included, and the same drawing then
// matches it without a word.
func TestUpdateThenCompare(t *testing.T) {
	path := filepath.Join(t.TempDir(), "testdata", "nested", "x.golden")
	drawing := "line one\n\x1b[1mbold\x1b[m\n"
	if r := run(t, func(tb testing.TB) { Compare(tb, path, drawing, true) }); len(r.errors)+len(r.fatals) > 0 {
		t.Fatalf("update failed: %v %v", r.errors, r.fatals)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != drawing {
		t.Fatalf("the file holds %q (%v), want %q", b, err, drawing)
	}
	if r := run(t, func(tb testing.TB) { Compare(tb, path, drawing, false) }); len(r.errors)+len(r.fatals) > 0 {
		t.Fatalf("an unchanged drawing failed: %v %v", r.errors, r.fatals)
	}
}

// A different drawing fails, naming the file, the command that rewrites
// it, the first line that differs and the diff; the file is left alone.
func TestCompareReportsTheDifference(t *testing.T) {
	want := "same\nold line\nend\n"
	r, path := compareWith(t, want, "same\nnew line\nend\n")
	if len(r.errors) != 1 || len(r.fatals) != 0 {
		t.Fatalf("want one error, got %q and fatal %q", r.errors, r.fatals)
	}
	mustContain(t, "message", r.errors[0], path+" differs", "go test ./tui/internal/golden -update",
		"first difference at line 2:", `want "old line"`, `got  "new line"`, "-old line", "+new line")
	if strings.Contains(r.errors[0], "only the styling") {
		t.Errorf("a change of text called a change of styling:\n%s", r.errors[0])
	}
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("a failed comparison rewrote the file: %q", b)
	}
}

// When only escape sequences differ, the message says so and quotes the
// line, where a terminal would show two identical lines.
func TestCompareNamesAStylingDifference(t *testing.T) {
	r, _ := compareWith(t, "\x1b[1mtitle\x1b[m", "\x1b[2mtitle\x1b[m")
	if len(r.errors) != 1 {
		t.Fatalf("want one error, got %q", r.errors)
	}
	mustContain(t, "message", r.errors[0], "only the styling", `\x1b[2mtitle`)
}

// A drawing longer than the file points at the first line the file lacks.
func TestCompareNamesAMissingLine(t *testing.T) {
	r, _ := compareWith(t, "a", "a\nb")
	if len(r.errors) != 1 {
		t.Fatalf("want one error, got %q", r.errors)
	}
	mustContain(t, "message", r.errors[0], "line 2:", "want (no such line)", `got  "b"`)
}

// A golden file that does not exist stops the test with the command that
// writes it.
func TestCompareWithoutAFile(t *testing.T) {
	r := run(t, func(tb testing.TB) {
		Compare(tb, filepath.Join(t.TempDir(), "none.golden"), "x", false)
		tb.Errorf("Compare went on after a missing file")
	})
	if len(r.fatals) != 1 || len(r.errors) != 0 {
		t.Fatalf("want one fatal, got %q and errors %q", r.fatals, r.errors)
	}
	mustContain(t, "message", r.fatals[0], "go test ./tui/internal/golden -update", "none.golden")
}

// CheckWidth counts terminal columns, not bytes, ignores escape
// sequences, and names every line that is too wide.
func TestCheckWidth(t *testing.T) {
	fits := "\x1b[1m日本語\x1b[m ok\n" + strings.Repeat("x", 10)
	r := run(t, func(tb testing.TB) {
		if !CheckWidth(tb, "fits", fits, 10) {
			tb.Errorf("CheckWidth said a fitting drawing does not fit")
		}
	})
	if len(r.errors) != 0 {
		t.Fatalf("a drawing 10 columns wide failed at width 10: %q", r.errors)
	}
	r = run(t, func(tb testing.TB) {
		if CheckWidth(tb, "status at 8", "short\n\x1b[1m日本語です\x1b[m\nok\n123456789", 8) {
			tb.Errorf("CheckWidth said a wide drawing fits")
		}
	})
	if len(r.errors) != 2 {
		t.Fatalf("want two errors, got %q", r.errors)
	}
	mustContain(t, "first message", r.errors[0], "status at 8: line 2 is 10 wide, more than 8", `"日本語です"`)
	mustContain(t, "second message", r.errors[1], "line 4 is 9 wide")
}
