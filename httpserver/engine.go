// Package httpserver runs kycflow's HTTP listener: a Gin engine with request
// logging, panic recovery and trusted-proxy handling, health endpoints, and a
// server with timeouts, optional TLS and graceful shutdown.
package httpserver

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

const annotationsKey = "kycflow.log"

// NewEngine returns a Gin engine whose ClientIP believes X-Forwarded-For
// only from trustedProxies (CIDRs or addresses): a direct caller cannot
// spoof its address.
func NewEngine(log *slog.Logger, trustedProxies []string) (*gin.Engine, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ForwardedByClientIP = true
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := e.SetTrustedProxies(nonEmpty(trustedProxies)); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	e.Use(requestLog(log), gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
		log.Error("panic while serving request", "method", c.Request.Method, "path", c.FullPath(), "panic", fmt.Sprint(v))
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
	}))
	e.NoRoute(func(c *gin.Context) { c.JSON(http.StatusNotFound, gin.H{"error": "not found"}) })
	e.NoMethod(func(c *gin.Context) { c.JSON(http.StatusMethodNotAllowed, gin.H{"error": "method not allowed"}) })
	return e, nil
}

// Annotate adds key/value pairs to the request's log line. Values must be
// IDs, types or statuses: never payload data.
func Annotate(c *gin.Context, kv ...any) {
	attrs, _ := c.Get(annotationsKey)
	list, _ := attrs.([]any)
	c.Set(annotationsKey, append(list, kv...))
}

// requestLog writes one structured line per request: no body, no query
// string, no headers.
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		path := c.FullPath()
		if path == "" {
			path = "unmatched"
		}
		level := slog.LevelInfo
		switch path {
		case "/healthz", "/readyz", "/metrics":
			level = slog.LevelDebug
		}
		if !log.Enabled(c.Request.Context(), level) {
			return
		}
		attrs := []any{
			"method", c.Request.Method, "path", path, "status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"bytes_in", c.Request.ContentLength, "remote_ip", c.ClientIP(),
		}
		if extra, ok := c.Get(annotationsKey); ok {
			attrs = append(attrs, extra.([]any)...)
		}
		log.Log(c.Request.Context(), level, "http request", attrs...)
	}
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
