package harness_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/modelclient"
	"warden/harness/tool"
	"warden/harness/transcript"
)

// The key never reaching a transcript is checked where a leak could happen,
// in harness/launch (which holds the settings) and in cmd/warden.
func TestTranscriptHoldsEveryItem(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		_, url := fake(t,
			reply(fakemodel.Output{Reasoning: &fakemodel.Reasoning{Summary: []string{"plan"}, EncryptedContent: "gAAAA-opaque"}},
				call("call_1", "echo", `{"text":"one"}`)),
			reply(text("finished")),
		)
		tw, err := transcript.Create(t.TempDir(), transcript.Header{SessionID: "s1", Created: time.Now(), Model: "gpt-5", Wire: w.name})
		if err != nil {
			t.Fatal(err)
		}
		reg, _ := tool.NewRegistry(echoTool{})
		sess, err := harness.New(harness.Options{
			Client:          w.newClient(modelclient.Config{BaseURL: url, APIKey: "sk-test"}),
			Model:           "gpt-5",
			Context:         []model.Item{model.UserMessage("<environment_context>cwd</environment_context>")},
			Tools:           reg,
			Transcript:      tw,
			ReasoningEffort: "low",
		})
		if err != nil {
			t.Fatal(err)
		}
		if res := sess.RunTurn(waitCtx(t), "do it"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		// Synced at turn end: readable before Close.
		_, items, err := transcript.Read(tw.Path())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(items, sess.History()) {
			t.Fatalf("transcript items differ from history:\n%+v\n%+v", items, sess.History())
		}
		if len(items) < 5 {
			t.Fatalf("only %d items", len(items))
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(tw.Path())
		for _, kind := range []string{`"kind":"session"`, `"kind":"turn_start"`, `"kind":"usage"`, `"kind":"turn_end"`} {
			if !bytes.Contains(raw, []byte(kind)) {
				t.Errorf("no %s line", kind)
			}
		}
	})
}
