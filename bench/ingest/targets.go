package ingest

import (
	"context"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"kycflow/bench"
	"kycflow/idenfy"
	"kycflow/workflows"
)

// bare is the HTTP ceiling: a Gin handler that reads the body and answers
// 200.
func bare() http.Handler {
	h := gin.New()
	h.POST("/webhooks/idenfy/kyc", func(c *gin.Context) {
		io.Copy(io.Discard, http.MaxBytesReader(c.Writer, c.Request.Body, 5<<20))
		c.JSON(http.StatusOK, gin.H{"status": "accepted"})
	})
	return h
}

// naive is the naive synchronous design: a handler that verifies and
// classifies the webhook and signals Temporal before acknowledging.
func naive(tc client.Client) http.Handler {
	h := gin.New()
	h.POST("/webhooks/idenfy/kyc", func(c *gin.Context) {
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 5<<20))
		if err != nil || !idenfy.Verify(body, c.GetHeader(idenfy.SignatureHeader), [][]byte{[]byte(bench.Key)}) {
			c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid signature"})
			return
		}
		cl, err := idenfy.Classify(idenfy.KindKYC, "", body)
		if err != nil {
			c.JSON(http.StatusAccepted, gin.H{"status": "quarantined"})
			return
		}
		sum, _ := idenfy.Summarize(body)
		e := workflows.Event{Kind: "kyc", EventType: cl.EventType, ScanRef: cl.Subject, ReceivedAt: time.Now(), Summary: sum}
		_, err = tc.SignalWithStartWorkflow(c.Request.Context(), "naive-"+cl.Subject, workflows.SignalEvent, e,
			client.StartWorkflowOptions{TaskQueue: "naive"}, workflows.VerificationWorkflow, workflows.Input{ScanRef: cl.Subject})
		if err != nil {
			c.JSON(http.StatusServiceUnavailable, gin.H{"error": "temporal"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "accepted"})
	})
	return h
}

// serveAndDrive serves h on a loopback port while it sends it the load.
func serveAndDrive(ctx context.Context, name string, h http.Handler, l load) bench.Result {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{Name: name, Errors: len(l.bodies)}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	return l.post(ctx, name, "http://"+ln.Addr().String())
}
