package transcript

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"warden/harness/model"
)

func TestRoundTripAndPrivateFile(t *testing.T) {
	dir := t.TempDir()
	h := Header{SessionID: "abc", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Cwd: "/repo", Model: "gpt-5"}
	w, err := Create(dir, h)
	if err != nil {
		t.Fatal(err)
	}
	items := []model.Item{
		model.UserMessage("hi"),
		{Type: model.ItemReasoning, Summary: []string{"s"}, EncryptedContent: "enc"},
		{Type: model.ItemFunctionCall, CallID: "c1", Name: "shell", Arguments: `{"command":"ls"}`},
		{Type: model.ItemFunctionCallOutput, CallID: "c1", Output: "a\nb"},
	}
	w.TurnStart(1)
	for _, it := range items {
		w.Item(1, it)
	}
	w.Usage(1, model.Usage{InputTokens: 5})
	if err := w.TurnEnd(1, "completed"); err != nil {
		t.Fatal(err)
	}
	// Readable after TurnEnd without Close: it was synced.
	gotH, got, err := Read(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if gotH.SessionID != "abc" || gotH.Cwd != "/repo" || !reflect.DeepEqual(got, items) {
		t.Fatalf("header %+v items %+v", gotH, got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v: transcripts hold the user's code and must be private", fi.Mode())
	}
	if want := filepath.Join(dir, "2026", "01", "02"); filepath.Dir(w.Path()) != want {
		t.Fatalf("path %s, want under %s", w.Path(), want)
	}
}

func TestReadNamesTheBrokenLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.jsonl")
	os.WriteFile(path, []byte(`{"kind":"session","header":{"session_id":"x"}}`+"\n{broken\n"), 0o600)
	_, _, err := Read(path)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err %v", err)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	get := func(k string) string { return env[k] }
	if d, _ := Dir(get); d != "/home/u/.local/state/warden/sessions" {
		t.Fatalf("default %s", d)
	}
	env["XDG_STATE_HOME"] = "/xdg"
	if d, _ := Dir(get); d != "/xdg/warden/sessions" {
		t.Fatalf("xdg %s", d)
	}
	env["XDG_STATE_HOME"] = "relative/dir"
	if d, _ := Dir(get); d != "/home/u/.local/state/warden/sessions" {
		t.Fatalf("relative XDG_STATE_HOME used: %s", d)
	}
	if _, err := Dir(func(string) string { return "" }); err == nil {
		t.Fatal("no HOME accepted")
	}
}
