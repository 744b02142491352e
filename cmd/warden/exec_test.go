package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"warden/fakemodel"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
)

// askingTool asks for approval the way the shell tool will when a command
// wants to leave the sandbox, and reports what it was told.
type askingTool struct{}

func (askingTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "escalate", Description: "Needs approval.", Parameters: []byte(`{"type":"object"}`)}
}
func (askingTool) ParallelSafe() bool { return false }
func (askingTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	d, err := env.RequestApproval(ctx, event.ApprovalRequested{Kind: "command", Command: []string{"curl", "example.com"}})
	if err != nil {
		return tool.Result{}, err
	}
	if d.Approved {
		return tool.Result{Output: "ran"}, nil
	}
	return tool.Result{Status: "denied", Output: "denied: " + d.Message}, nil
}

func TestExecRefusesApprovalRequestsAndTellsTheModel(t *testing.T) {
	for _, jsonOut := range []bool{false, true} {
		fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{
			{Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{CallID: "call_1", Name: "escalate", Arguments: `{}`}}}},
			{Output: []fakemodel.Output{{Text: "I could not run it."}}},
		}})
		srv := httptest.NewServer(fm)
		defer srv.Close()
		reg, _ := tool.NewRegistry(askingTool{})
		home := t.TempDir()
		env := map[string]string{"HOME": home, "OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": srv.URL + "/v1",
			"XDG_CONFIG_HOME": filepath.Join(home, "c"), "XDG_STATE_HOME": filepath.Join(home, "s")}
		var stdout, stderr bytes.Buffer
		err := runExec(context.Background(), execRun{
			prompt: "fetch it", json: jsonOut, stdout: &stdout, stderr: &stderr,
			getenv: func(k string) string { return env[k] }, tools: reg,
		})
		if err != nil {
			t.Fatalf("json=%v: %v\n%s", jsonOut, err, stderr.String())
		}
		sent := string(fm.Requests()[1].Body)
		if !strings.Contains(sent, "denied: warden exec runs without a user to ask") {
			t.Fatalf("json=%v: the model was not told of the refusal: %s", jsonOut, sent)
		}
		shown := stderr.String()
		if jsonOut {
			shown = stdout.String()
		}
		if !strings.Contains(shown, "approval") {
			t.Fatalf("json=%v: the approval request was not shown:\n%s", jsonOut, shown)
		}
	}
}
