package main

import (
	"io"
	"kycflow/service"

	"github.com/spf13/cobra"
)

const configHelp = `Environment:
  KYCFLOW_LISTEN_ADDR              webhook + API listen address (default :8080)
  KYCFLOW_DATABASE_URL             postgres://… URL; empty = embedded SQLite in KYCFLOW_DATA_DIR
  KYCFLOW_DATA_DIR                 embedded database directory (default ./kycflow-data)
  KYCFLOW_IDENFY_KYC_KEYS          signing keys of /webhooks/idenfy/kyc, comma-separated
  KYCFLOW_IDENFY_KYB_KEYS          signing keys of /webhooks/idenfy/kyb
  KYCFLOW_IDENFY_AML_KEYS          signing keys of /webhooks/idenfy/aml
  KYCFLOW_IDENFY_KEYS              keys for routes that have none of their own
  KYCFLOW_INSECURE_SKIP_SIGNATURE  true = accept unsigned requests on routes without keys (dev only)
  KYCFLOW_ALLOWED_IPS              source CIDRs allowed to post webhooks (default: any)
  KYCFLOW_ALLOWLIST_MODE           enforce (403) or report (log only) (default enforce)
  KYCFLOW_TRUSTED_PROXIES          proxy CIDRs whose X-Forwarded-For is believed (default none)
  KYCFLOW_MAX_BODY_BYTES           body limit (default 5242880)
  KYCFLOW_TLS_CERT_FILE / _KEY_FILE  serve HTTPS directly
  KYCFLOW_INGEST_TIMEOUT           inbox write budget before 503 (default 1s)
  KYCFLOW_SHUTDOWN_TIMEOUT         time to finish in-flight requests (default 25s)
  KYCFLOW_MIGRATE_ON_START         apply migrations when serve starts (default true)
  KYCFLOW_DB_MAX_CONNS             PostgreSQL pool size (default 20)
  KYCFLOW_DB_PREPARE               prepare inbox statements on PostgreSQL; false behind PgBouncer < 1.21 in transaction mode (default true)
  KYCFLOW_LOG_LEVEL / _LOG_FORMAT  debug|info|warn|error / json|text (default info / json)
  TEMPORAL_ADDRESS                 Temporal frontend (default 127.0.0.1:7233)
  TEMPORAL_NAMESPACE               Temporal namespace (default default)
  KYCFLOW_TASK_QUEUE               task queue of the lifecycles (default kycflow)
  KYCFLOW_API_TOKEN                bearer token of the operator API (/v1); empty = API refuses all
  KYCFLOW_SUSPECTED_POLICY         SUSPECTED final results: review|approve|reject (default review)
  KYCFLOW_REVIEW_SLA               wait for iDenfy's manual review before "stuck" (default 24h)
  KYCFLOW_LATE_EVENT_WINDOW        decided lifecycles stay open this long for late events (default 168h)`

func newServeCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the webhook receiver, the relay into Temporal and the operator API",
		Long: `serve receives iDenfy webhooks on POST /webhooks/idenfy/{kyc,kyb,aml}, verifies the
Idenfy-Signature, stores every authentic delivery in the inbox and acknowledges.
Its relay delivers every stored event to the event's Temporal lifecycle (SignalWithStart),
retrying while Temporal is away; the acknowledgement never waits for Temporal.
It also serves the operator API (GET /v1/verifications, GET /v1/verifications/{scanRef},
bearer token KYCFLOW_API_TOKEN), GET /healthz, GET /readyz (database reachable) and
GET /metrics. It is stateless: run as many replicas as you need against one PostgreSQL.

` + configHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(environ, stderr)
			if err != nil {
				return err
			}
			return ignoreCanceled(service.Serve(cmd.Context(), cfg, log, nil))
		},
	}
}
