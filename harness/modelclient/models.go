package modelclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/openai/openai-go/v3"
)

// maxListedModels bounds what ListModels keeps: a gateway listing every
// model of every vendor must not make a picker unusable.
const maxListedModels = 2000

// ListModels asks the provider which models it serves (GET {base}/models),
// for the TUI's model picker. The names are sorted; a server that does not
// offer the endpoint (many local ones) is an error the caller shows while
// still letting the user type a name.
func ListModels(ctx context.Context, cfg Config) ([]string, error) {
	t := newTransport(cfg)
	if t.badURL != nil {
		return nil, fmt.Errorf("list models at %s: %w", t.shown, t.badURL)
	}
	// The transport's client is built from explicit options only (see
	// newTransport), so its services are made from the same options.
	models := openai.NewModelService(t.client.Options...)
	pager := models.ListAutoPaging(ctx)
	var names []string
	for pager.Next() {
		if id := pager.Current().ID; id != "" {
			names = append(names, id)
		}
		if len(names) >= maxListedModels {
			break
		}
	}
	if err := pager.Err(); err != nil {
		var ae *openai.Error
		if errors.As(err, &ae) {
			msg := cmp.Or(strings.TrimSpace(ae.Message), http.StatusText(ae.StatusCode))
			return nil, fmt.Errorf("list models at %s: HTTP %d: %s", t.shown, ae.StatusCode, t.scrub(msg))
		}
		return nil, fmt.Errorf("list models at %s: %s", t.shown, t.scrub(err.Error()))
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
