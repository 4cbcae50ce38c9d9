/**
 * Reading metric names: from Prometheus's text format (what an endpoint exports) and from the
 * PromQL of the Grafana dashboard kept in deploy/ (what it asks for).
 */
import fs from 'node:fs';
import path from 'node:path';

export const DASHBOARD_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards');

/** Every series name an endpoint exports, histograms' `_bucket`, `_sum` and `_count` included. */
export function exportedMetricNames(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/.exec(line);
    if (m) names.add(m[1]);
  }
  return [...names];
}

/** PromQL functions, keywords and label names that look like metric names in an expression. */
const NOT_METRICS = new Set([
  'sum', 'rate', 'irate', 'increase', 'histogram_quantile', 'by', 'without', 'avg', 'max', 'min', 'count', 'topk', 'clamp_min', 'or', 'and', 'on', 'le',
  'delta', 'deriv', 'abs', 'vector', 'offset', 'bool', 'ignoring', 'group_left', 'group_right', 'label_replace', 'sum_over_time', 'max_over_time',
]);

export interface Dashboard {
  title: string;
  panels: { title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
}

export function dashboards(): Dashboard[] {
  return fs
    .readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, f), 'utf8')) as Dashboard);
}

/** The metric names the dashboards' queries read. */
export function dashboardMetricNames(): string[] {
  const names = new Set<string>();
  for (const d of dashboards()) {
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        // Drop label matchers and grouping lists, then take what is left that looks like a name.
        const bare = t.expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '');
        for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) if (!NOT_METRICS.has(m[0]) && !/^\d/.test(m[0])) names.add(m[0]);
      }
    }
  }
  return [...names];
}
