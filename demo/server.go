package demo

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"warden/fakemodel"
)

// Server plays a script as an OpenAI-compatible server on 127.0.0.1, for
// the session to reach over real HTTP like any provider.
type Server struct {
	// BaseURL is where the session points its client, like
	// http://127.0.0.1:PORT/v1.
	BaseURL string

	model  *fakemodel.Server
	http   *http.Server
	served chan error // the result of http.Server.Serve

	// pushMu makes "out of replies? add the epilogue" one step, so two
	// requests arriving together cannot both add one.
	pushMu sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// Serve serves Script on a free port of 127.0.0.1.
func Serve() (*Server, error) { return ServeScript(Script()) }

// ServeScript serves script on a free port of 127.0.0.1. Once the script
// has played, every further request is answered with a short message
// saying the demo is over, rather than a server error.
func ServeScript(script fakemodel.Script) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the demo model on 127.0.0.1: %w", err)
	}
	s := &Server{
		BaseURL: "http://" + ln.Addr().String() + "/v1",
		model:   fakemodel.New(script),
		served:  make(chan error, 1),
	}
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/responses") || strings.HasSuffix(r.URL.Path, "/chat/completions")) {
		s.pushMu.Lock()
		if s.model.Pending() == 0 {
			s.model.Push(epilogue())
		}
		s.pushMu.Unlock()
	}
	s.model.ServeHTTP(w, r)
}

// Close stops the server at once, dropping any reply still streaming.
// Closing twice is harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.model.Close()
		err := s.http.Close()
		if served := <-s.served; !errors.Is(served, http.ErrServerClosed) {
			err = errors.Join(err, served)
		}
		if err != nil {
			s.closeErr = fmt.Errorf("stop the demo model server: %w", err)
		}
	})
	return s.closeErr
}
