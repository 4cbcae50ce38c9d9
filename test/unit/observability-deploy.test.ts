/**
 * The metrics stack kept in the repo: the compose file's Prometheus and Grafana, the scrape
 * configuration (deploy/prometheus.yml) and the provisioned dashboard. Scrape targets must be where
 * the API and the worker listen by default; the dashboard must parse and ask only for metrics the
 * product defines (test/e2e/observability.test.ts checks them against what the endpoints export).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/env';
import { loadObservabilityConfig } from '../../config/observability';
import { API_METRICS, PRODUCT_METRICS } from '../../domain/metrics';
import { METRICS_PATH } from '../../api/metrics';
import { dashboardMetricNames, dashboards, DASHBOARD_DIR } from '../helpers/prometheus-text';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

interface Service {
  image: string;
  network_mode?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}
const services = (read('temporal-docker-compose.yml') as { services: Record<string, Service> }).services;
const prometheus = read('deploy/prometheus.yml') as { scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[] };

describe('Prometheus and Grafana in the compose file', () => {
  it('runs both on the host network, mounting files that exist', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(services[name]).toBeDefined();
      expect(services[name].network_mode).toBe('host');
      for (const v of services[name].volumes ?? []) {
        const source = v.split(':')[0];
        if (source.startsWith('./')) expect([v, fs.existsSync(path.join(ROOT, source))]).toEqual([v, true]);
      }
    }
    expect(services.prometheus.volumes).toContain('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(services.grafana.volumes).toContain('./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });

  it('scrapes the API and the worker where they listen by default', () => {
    const config = loadConfig({});
    const targets = Object.fromEntries(prometheus.scrape_configs.map((j) => [j.job_name, { path: j.metrics_path, targets: j.static_configs.flatMap((s) => s.targets) }]));
    expect(targets['offer-publishing-api']).toEqual({ path: METRICS_PATH, targets: [`${config.host}:${config.port}`] });
    expect(targets['offer-publishing-worker']).toEqual({ path: '/metrics', targets: [loadObservabilityConfig({}).workerMetricsAddress] });
  });

  it('points Grafana at that Prometheus and provisions the dashboards folder', () => {
    const listen = services.prometheus.command!.find((c) => c.startsWith('--web.listen-address='))!.split('=')[1];
    const ds = read('deploy/grafana/provisioning/datasources/prometheus.yml') as { datasources: { uid: string; url: string }[] };
    expect(ds.datasources[0].url).toBe(`http://${listen}`);
    const providers = read('deploy/grafana/provisioning/dashboards/dashboards.yml') as { providers: { options: { path: string } }[] };
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    for (const d of dashboards()) {
      for (const p of d.panels) expect({ panel: p.title, uid: p.datasource?.uid, queries: (p.targets?.length ?? 0) > 0 }).toEqual({ panel: p.title, uid: ds.datasources[0].uid, queries: true });
    }
    expect(fs.readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
  });

  it('has a dashboard that parses and queries only metrics the product and the SDK export', () => {
    const [d] = dashboards();
    expect(d.title).toBe('Offer publishing');
    const titles = d.panels.map((p) => p.title).join('\n');
    for (const topic of [/throughput|started and ended/i, /step duration/i, /failures by step/i, /overdue/i, /schedule-to-start/i, /activity failures/i]) expect(titles).toMatch(topic);
    const ours = new Set<string>([...Object.values(PRODUCT_METRICS), ...Object.values(API_METRICS)].flatMap((n) => [n, `${n}_bucket`, `${n}_count`, `${n}_sum`]));
    const unknown = dashboardMetricNames().filter((n) => !ours.has(n) && !n.startsWith('temporal_'));
    expect(unknown).toEqual([]);
  });
});
