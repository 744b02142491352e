package modelclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"warden/fakemodel"
	"warden/harness/model"
)

func TestListModelsReturnsTheProvidersModelsSorted(t *testing.T) {
	fm := fakemodel.New(fakemodel.Script{Models: []string{"gpt-5", "gpt-4.1", "o3"}})
	srv := httptest.NewServer(fm)
	defer srv.Close()
	defer fm.Close()
	got, err := ListModels(context.Background(), Config{BaseURL: srv.URL + "/v1", APIKey: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gpt-4.1", "gpt-5", "o3"}; !slices.Equal(got, want) {
		t.Fatalf("models = %v, want %v", got, want)
	}
	reqs := fm.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodGet || reqs[0].Path != "/v1/models" {
		t.Fatalf("requests = %+v", reqs)
	}
	if auth := reqs[0].Header.Get("Authorization"); auth != "Bearer sk-test" {
		t.Fatalf("Authorization = %q", auth)
	}
}

func TestListModelsSaysWhyItFailedWithoutTheKey(t *testing.T) {
	key := "sk-secret-0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"message":"no models route for ` + key + `","type":"invalid_request_error"}}`))
	}))
	defer srv.Close()
	_, err := ListModels(context.Background(), Config{BaseURL: srv.URL + "/v1", APIKey: key})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "list models at "+srv.URL) || !strings.Contains(msg, "HTTP 404") || strings.Contains(msg, key) {
		t.Fatalf("error = %q", msg)
	}
}

func TestListModelsRefusesABadURL(t *testing.T) {
	if _, err := ListModels(context.Background(), Config{BaseURL: "ftp://example"}); err == nil || !strings.Contains(err.Error(), "list models") {
		t.Fatalf("error = %v", err)
	}
}

// After a switch to a model without reasoning (no reasoning asked for),
// the reasoning items of the earlier model are not sent: such models
// reject them. With reasoning asked for they are.
func TestReasoningItemsAreSentOnlyWhenReasoningIs(t *testing.T) {
	input := []model.Item{
		model.UserMessage("hi"),
		{Type: model.ItemReasoning, ID: "rs_1", Summary: []string{"Plan."}, EncryptedContent: "enc-1"},
		{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "hello"},
	}
	without, err := buildResponsesBody(model.Request{Model: "gpt-4.1", Input: input})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(without), "enc-1") {
		t.Fatalf("reasoning sent to a model without it:\n%s", without)
	}
	with, err := buildResponsesBody(model.Request{Model: "o3", Input: input, IncludeReasoning: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(with), "enc-1") {
		t.Fatalf("reasoning dropped for a reasoning model:\n%s", with)
	}
}
