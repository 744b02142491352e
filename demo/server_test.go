package demo

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestServerListsTheDemoModelAndClosesTwice(t *testing.T) {
	s, err := Serve()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.BaseURL, "http://127.0.0.1:") || !strings.HasSuffix(s.BaseURL, "/v1") {
		t.Errorf("BaseURL %q", s.BaseURL)
	}
	resp, err := http.Get(s.BaseURL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Data []struct{ ID string } }
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || len(list.Data) != 1 || list.Data[0].ID != Model {
		t.Errorf("models: %+v (%v)", list, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(s.BaseURL + "/models"); err == nil {
		t.Error("the server still answers after Close")
	}
}
