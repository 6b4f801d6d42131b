package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one dependency /readyz reports. A failing required check makes
// the process not ready (503); a failing optional one is reported in the
// body only: for serve, Temporal is optional, because webhooks are still
// stored and acknowledged without it (the relay delivers them later), and
// taking serve out of a load balancer then would lose them.
type Check struct {
	Name     string
	Optional bool
	Probe    func(context.Context) error
}

// Health adds GET /healthz (the process serves) and GET /readyz (its
// dependencies answer: ready is the database, each probe gets a 2-second
// deadline): {"status":"ready"|"degraded"|"unavailable","checks":{name:"ok"|"unreachable"}}.
func Health(r gin.IRoutes, ready func(context.Context) error, checks ...Check) {
	checks = append([]Check{{Name: "database", Probe: ready}}, checks...)
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", func(c *gin.Context) {
		status, code := "ready", http.StatusOK
		results := gin.H{}
		for _, ch := range checks {
			ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
			err := ch.Probe(ctx)
			cancel()
			results[ch.Name] = "ok"
			if err == nil {
				continue
			}
			results[ch.Name] = "unreachable"
			if ch.Optional {
				if code == http.StatusOK {
					status = "degraded"
				}
				continue
			}
			status, code = "unavailable", http.StatusServiceUnavailable
		}
		c.JSON(code, gin.H{"status": status, "checks": results})
	})
}
