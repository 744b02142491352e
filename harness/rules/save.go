package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Save appends r to the rules file of kind — User or Personal; the
// project's file is the user's to edit by hand, and session rules go
// through AddSession — and puts it in force in s. It returns the file
// written.
//
// r is validated, examples included, before anything is written. The file
// is re-read under an exclusive lock on a lock file beside it, the rule's
// text appended to the file's text as it is (comments and formatting kept),
// and the result written to a temporary file renamed over the old one: so
// several warden processes saving at once lose nothing, and a crash leaves
// the old file or the new one, never half of one. A file that does not load
// is left alone and is an error. Saving a rule the file already has writes
// nothing.
//
// The rules of kind in s become those of the file as just written, so they
// include what other processes saved meanwhile.
func (s *Set) Save(kind Kind, r Rule) (file string, err error) {
	if kind != User && kind != Personal {
		return "", fmt.Errorf("save rule: can save only user or personal rules, not %s ones", kind)
	}
	file = s.FileFor(kind)
	if file == "" {
		return "", fmt.Errorf("save rule: no project, so no %s rules file", kind)
	}
	r = r.normalized()
	if err := r.validate(); err != nil {
		return file, fmt.Errorf("save rule to %s: %w", file, err)
	}
	var rules []Rule
	err = lockedUpdate(file, func(text string) (string, bool, error) {
		old, err := parse(file, text, kind)
		if err != nil {
			return "", false, err
		}
		if slices.ContainsFunc(old, r.equal) {
			rules = old
			return "", false, nil
		}
		next := appendBlock(text, r.String())
		rules, err = parse(file, next, kind)
		if err != nil || len(rules) != len(old)+1 || !rules[len(old)].equal(r) {
			// Cannot happen unless String and parse disagree; never write
			// a file that would not read back as intended.
			return "", false, fmt.Errorf("internal error: the rule does not read back as written (%v)", err)
		}
		return next, true, nil
	})
	if err != nil {
		return file, fmt.Errorf("save rule to %s: %w", file, err)
	}
	s.setFile(kind, rules)
	return file, nil
}

// appendBlock adds block to text after a blank line.
func appendBlock(text, block string) string {
	switch {
	case text == "" || strings.HasSuffix(text, "\n\n"):
	case strings.HasSuffix(text, "\n"):
		text += "\n"
	default:
		text += "\n\n"
	}
	return text + block
}

// Remove deletes the rule whose [[rule]] header is at file:line (the address
// Rule.Where gives), under the same lock and as atomically as Save. Comment
// lines just before the next rule are kept, since they are more likely about
// that one. It is an error if no rule starts there. A Set holding the file's
// rules does not see the change until loaded again.
func Remove(file string, line int) error {
	return remove(file, line, nil)
}

// ErrFileChanged: a rule was to be removed from a file that changed since
// its rules were read. A Set has read the file again when it says so.
var ErrFileChanged = errors.New("the file changed since its rules were read; list the rules again")

// remove is Remove; when want is set, the rule at line must be it, or the
// file changed since want was read (another session removed a rule, or the
// user edited it) and line may now hold another rule, which must not go.
func remove(file string, line int, want *Rule) error {
	err := lockedUpdate(file, func(text string) (string, bool, error) {
		old, err := parse(file, text, "")
		if err != nil {
			return "", false, err
		}
		sc := scan(text)
		i := slices.IndexFunc(sc.rules, func(b ruleBlock) bool { return b.header == line })
		if i < 0 {
			return "", false, fmt.Errorf("no rule starts at line %d", line)
		}
		if want != nil && (i >= len(old) || !old[i].equal(*want)) {
			return "", false, fmt.Errorf("line %d holds another rule now: %w", line, ErrFileChanged)
		}
		next := cutBlock(sc, sc.rules[i])
		rules, err := parse(file, next, "")
		if err != nil || !slices.EqualFunc(rules, slices.Delete(slices.Clone(old), i, i+1), Rule.equal) {
			// Say, a rule with sub-tables scan cannot delimit: refuse
			// rather than damage the file.
			return "", false, fmt.Errorf("cannot remove the rule at line %d without disturbing the rest of the file; edit it by hand", line)
		}
		return next, true, nil
	})
	if err != nil {
		return fmt.Errorf("remove rule %s:%d: %w", file, line, err)
	}
	return nil
}

// cutBlock is the text of sc without rule b.
func cutBlock(sc scanned, b ruleBlock) string {
	lines := sc.lines
	end := b.end // 1-based line after the block
	for end-1 > b.header && sc.code[end-2] && isBlankOrComment(lines[end-2]) {
		end--
	}
	// Lines are 1-based: drop lines[b.header-1 : end-1].
	before, after := lines[:b.header-1], lines[end-1:]
	// Do not leave two blank lines where the rule was, nor one at the top.
	if n := len(before); n > 0 && strings.TrimSpace(before[n-1]) == "" &&
		(len(after) == 0 || strings.TrimSpace(after[0]) == "") {
		before = before[:n-1]
	}
	if len(before) == 0 {
		for len(after) > 1 && strings.TrimSpace(after[0]) == "" {
			after = after[1:]
		}
	}
	return strings.Join(slices.Concat(before, after), "\n")
}

func isBlankOrComment(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}

// lockedUpdate runs update on the current text of file ("" if there is
// none) while holding an exclusive flock on file+".lock", and writes what it
// returns atomically when it says to. The lock is on a file of its own
// because the rules file itself is replaced on every write: a lock on it
// would be a lock on a file no longer there.
//
// A symlinked file is written through the link, which stays in place.
func lockedUpdate(file string, update func(text string) (next string, write bool, err error)) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	lf, err := os.OpenFile(file+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close() // releases the lock
	if err := flock(lf); err != nil {
		return fmt.Errorf("lock %s: %w", lf.Name(), err)
	}

	target := file
	if t, err := filepath.EvalSymlinks(file); err == nil {
		target = t
	}
	mode := fs.FileMode(0o600)
	data, err := os.ReadFile(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if st, err := os.Stat(target); err == nil {
			mode = st.Mode().Perm()
		}
	}
	next, write, err := update(string(data))
	if err != nil || !write {
		return err
	}
	return writeAtomic(target, []byte(next), mode)
}

func flock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// writeAtomic replaces file with data: written to a temporary file in the
// same directory, synced, then renamed over it.
func writeAtomic(file string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(file)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	// Make the rename itself durable.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
