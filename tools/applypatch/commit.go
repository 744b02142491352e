package applypatch

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Commit writes a Planned patch all-or-nothing. It first re-checks that
// every file it will replace or delete is as Plan saw it (the model may have
// run a command, or a person saved the file, while approval was pending);
// then it makes the changes in patch order, each file written to a
// temporary file beside it and renamed into place, and if any step fails it
// restores every original and removes what it created.
func (pl *Planned) Commit() (*Result, error) {
	if pl.done {
		return nil, errors.New("applypatch: Commit called twice on the same plan")
	}
	pl.done = true
	f, err := openFS(pl.opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	for _, o := range pl.origs {
		now, err := readState(f, o.name, maxFileSize)
		if err == nil && now.same(&o.state) {
			continue
		}
		reason := "the file changed on disk after the patch was checked"
		if err != nil {
			reason = "the file can no longer be read: " + err.Error()
		}
		return nil, &Failure{Path: o.path, Op: o.op, PatchLine: o.line, Reason: reason, Err: err,
			hint: "Re-read " + o.path + " and send the patch again against its current contents."}
	}

	c := &committer{fs: f, n: newNames(pl.opts.Dir, pl.opts.Confine), touched: map[string]bool{}}
	for i, st := range pl.steps {
		err := error(nil)
		if pl.beforeStep != nil {
			err = pl.beforeStep(i)
		}
		if err == nil {
			if st.remove {
				c.touched[st.name] = true
				err = f.Remove(st.name)
			} else {
				err = c.write(st.name, st.data, st.mode)
			}
		}
		if err != nil {
			verb := "write"
			if st.remove {
				verb = "delete"
			}
			return nil, &Failure{Path: st.path, Op: st.op, PatchLine: st.line,
				Reason: fmt.Sprintf("could not %s the file: %v", verb, err), Err: err,
				undoErr: c.undo(pl.origs),
				hint:    "Check that the location is writable, then send the patch again."}
		}
	}
	return &Result{Changes: pl.Changes()}, nil
}

type committer struct {
	fs      fsys
	n       names
	touched map[string]bool // names whose content Commit may have changed
	created []string        // directories Commit made, outermost first
}

// write replaces name atomically, creating its directory if needed.
func (c *committer) write(name string, data []byte, mode fs.FileMode) error {
	if err := c.mkdirs(c.n.parent(name)); err != nil {
		return err
	}
	tmp, err := c.writeTemp(name, data, mode)
	if err != nil {
		return err
	}
	c.touched[name] = true
	if err := c.fs.Rename(tmp, name); err != nil {
		_ = c.fs.Remove(tmp)
		return err
	}
	return nil
}

func (c *committer) mkdirs(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := c.fs.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := c.mkdirs(c.n.parent(dir)); err != nil {
		return err
	}
	if err := c.fs.Mkdir(dir, 0o755); err != nil {
		return err
	}
	c.created = append(c.created, dir)
	return nil
}

// writeTemp writes data to a new file beside name, so the final rename
// stays within one directory (and one file system) and is atomic.
func (c *committer) writeTemp(name string, data []byte, mode fs.FileMode) (string, error) {
	for range 10 {
		tmp := filepath.Join(filepath.Dir(name),
			"."+filepath.Base(name)+".applypatch-"+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		file, err := c.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = file.Write(data)
		if err == nil {
			// fchmod, not the create mode: the umask must not alter the
			// file's existing permission bits.
			err = file.Chmod(mode)
		}
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = c.fs.Remove(tmp)
			return "", err
		}
		return tmp, nil
	}
	return "", fmt.Errorf("could not create a temporary file beside %s", name)
}

// undo puts every touched name back as Plan found it, newest change first,
// then removes the directories Commit created.
func (c *committer) undo(origs []original) error {
	var errs []error
	for i := len(origs) - 1; i >= 0; i-- {
		o := origs[i]
		if !c.touched[o.name] {
			continue
		}
		if err := c.restore(o); err != nil {
			errs = append(errs, fmt.Errorf("restoring %s: %w", o.path, err))
		}
	}
	for i := len(c.created) - 1; i >= 0; i-- {
		if err := c.fs.Remove(c.created[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing created directory %s: %w", c.created[i], err))
		}
	}
	return errors.Join(errs...)
}

func (c *committer) restore(o original) error {
	s := o.state
	switch {
	case s.isLink:
		if err := c.fs.Remove(o.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return c.fs.Symlink(s.link, o.name)
	case s.exists:
		if err := c.mkdirs(c.n.parent(o.name)); err != nil {
			return err
		}
		tmp, err := c.writeTemp(o.name, s.data, s.mode)
		if err != nil {
			return err
		}
		if err := c.fs.Rename(tmp, o.name); err != nil {
			_ = c.fs.Remove(tmp)
			return err
		}
		return nil
	default:
		if err := c.fs.Remove(o.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
}
