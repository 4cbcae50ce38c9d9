/**
 * Names of the product's own metrics, recorded through the Temporal SDK's metric meter (workflow
 * and activity), so they are exported with the SDK's metrics on the worker's Prometheus endpoint.
 * One list for the recorders, the Grafana dashboard and its test (docs/operations.md#metrics).
 * Counters are exported without a `_total` suffix; durations are in seconds.
 */
export const PRODUCT_METRICS = {
  /** Counter: publish runs started. */
  runsStarted: 'publish_runs_started',
  /** Counter by `result` (Succeeded, Failed, Canceled) and `step` (where it ended). */
  runsEnded: 'publish_runs_ended',
  /** Histogram (s) by `step` and `outcome` (Complete, Failed, Canceled): a step's time from start to end, waits included. */
  stepDuration: 'publish_step_duration_seconds',
  /** Counter by `step`: steps that ran past their time frame. */
  stepsOverdue: 'publish_steps_overdue',
  /** Counter: bytes certification read from images (cache misses: what crossed the network). */
  certificationBytesRead: 'publish_certification_bytes_read',
  /** Histogram (s) by `outcome` (Passed, Failed, Error): one certifyImages attempt. */
  certificationDuration: 'publish_certification_duration_seconds',
  /** Counter by `region` and `outcome` (Copied, Skipped, Error): one region's copy attempt's disks. */
  replicaCopies: 'publish_replica_copies',
  /** Histogram (s) by `region`: one region's copy attempt (replicateRegions or replicateRegion). */
  replicaCopyDuration: 'publish_replica_copy_duration_seconds',
  /** Counter by `destination_type` and `outcome`: test leads sent to lead destinations. */
  testLeads: 'publish_test_leads',
  /** Counter by `event`: notification e-mails sent. */
  emailsSent: 'publish_emails_sent',
  /** Counter by `event`: notification e-mail attempts that failed. */
  emailsFailed: 'publish_emails_failed',
} as const;

/** The API's metrics (prom-client, `GET /metrics` on the API port). */
export const API_METRICS = {
  /** Histogram (s) by `method`, `route` (the route template) and `status_code`. */
  requestDuration: 'http_server_request_duration_seconds',
  /** Gauge: requests being served. */
  requestsInFlight: 'http_server_requests_in_flight',
  /** Counter: status reads by `answered` (`fresh`, `refreshing`: from memory; `loaded`: waited for Temporal). */
  statusReads: 'publish_status_reads_total',
} as const;
