// Command fakemodel serves a fakemodel script over HTTP, so shell-level and
// manual tests can point a real client at a scripted OpenAI-compatible API.
//
//	fakemodel -script FILE [-addr 127.0.0.1:0]
//
// The first stdout line is "listening on http://HOST:PORT/v1", for scripts to
// read the base URL from; requests are logged on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"warden/fakemodel"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakemodel:", err)
		os.Exit(1)
	}
}

func run() error {
	scriptPath := flag.String("script", "", "JSON script to serve (required)")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on; port 0 picks a free one")
	flag.Parse()
	if *scriptPath == "" || flag.NArg() > 0 {
		flag.Usage()
		return errors.New("usage: fakemodel -script FILE [-addr HOST:PORT]")
	}
	script, err := fakemodel.LoadScript(*scriptPath)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	fmt.Printf("listening on http://%s/v1\n", displayAddr(ln.Addr().(*net.TCPAddr)))

	logger := log.New(os.Stderr, "fakemodel: ", log.LstdFlags|log.Lmicroseconds)
	fake := fakemodel.New(script)
	srv := &http.Server{
		Handler:           logRequests(logger, fake),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Print("shutting down")
	// Hanging and gated streams would otherwise hold Shutdown until timeout.
	fake.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// displayAddr makes a wildcard listen address usable as a URL to connect to.
func displayAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}

func logRequests(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		completed := false
		defer func() {
			outcome := fmt.Sprint(rec.status)
			if !completed {
				// A scripted cut or an abandoned hang aborts the handler.
				outcome += " (connection dropped)"
			}
			logger.Printf("%s %s -> %s in %s", r.Method, r.URL.Path, outcome, time.Since(start).Round(time.Millisecond))
		}()
		next.ServeHTTP(rec, r)
		completed = true
	})
}

// statusRecorder remembers the status for the log line; Unwrap keeps
// http.ResponseController (flushing) working through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
