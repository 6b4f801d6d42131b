package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Options configure the server.
type Options struct {
	// TLSCertFile and TLSKeyFile, when both set, serve HTTPS.
	TLSCertFile, TLSKeyFile string
	// ShutdownTimeout bounds how long in-flight requests may finish after
	// the context ends (default 25 s).
	ShutdownTimeout time.Duration
	Log             *slog.Logger
}

// Timeouts. The read timeouts stop slow senders from holding connections;
// the write timeout sits above iDenfy's 10-second budget so a slow database
// still gets its 503 out.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 15 * time.Second
	WriteTimeout      = 20 * time.Second
	IdleTimeout       = 90 * time.Second
	MaxHeaderBytes    = 64 << 10
)

// Serve serves h on ln until ctx ends, then stops accepting connections and
// waits for in-flight requests to finish. It returns nil after a clean
// shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts Options) error {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 25 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(opts.Log.Handler(), slog.LevelDebug),
	}
	tls := opts.TLSCertFile != "" && opts.TLSKeyFile != ""
	errc := make(chan error, 1)
	go func() {
		if tls {
			errc <- srv.ServeTLS(ln, opts.TLSCertFile, opts.TLSKeyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	opts.Log.Info("listening", "addr", ln.Addr().String(), "tls", tls)
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	opts.Log.Info("shutting down: finishing in-flight requests", "timeout", opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}
