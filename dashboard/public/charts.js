// The charts of the page: which main series each draws, with its label and unit. Shared by the
// server (the text under each chart) and the browser (the uPlot charts).
export const CHARTS = [
  {
    id: 'traffic',
    title: 'Requests and errors per second',
    series: [
      { name: 'http.requests_per_s', label: 'requests/s', unit: '/s' },
      { name: 'http.errors_per_s', label: '5xx/s', unit: '/s' },
    ],
  },
  {
    id: 'latency',
    title: 'Latency',
    series: [
      { name: 'http.latency_p50_ms', label: 'p50', unit: 'ms' },
      { name: 'http.latency_p95_ms', label: 'p95', unit: 'ms' },
      { name: 'http.latency_p99_ms', label: 'p99', unit: 'ms' },
    ],
  },
  { id: 'cpu', title: 'CPU', series: [{ name: 'process.cpu_percent', label: 'process CPU', unit: '%' }] },
  {
    id: 'memory',
    title: 'Memory',
    series: [
      { name: 'process.memory.rss_bytes', label: 'RSS', unit: 'bytes' },
      { name: 'process.memory.heap_used_bytes', label: 'heap used', unit: 'bytes' },
      { name: 'system.memory.used_bytes', label: 'system used', unit: 'bytes' },
    ],
  },
  {
    id: 'eventloop',
    title: 'Event loop and GC',
    series: [
      { name: 'eventloop.delay_p99_ms', label: 'event-loop delay p99', unit: 'ms' },
      { name: 'gc.pause_ms_per_s', label: 'GC pause per s', unit: 'ms' },
    ],
  },
  {
    id: 'db',
    title: 'Database queries',
    series: [
      { name: 'db.query_p95_ms', label: 'query p95', unit: 'ms' },
      { name: 'db.queries_per_s', label: 'queries/s', unit: '/s' },
    ],
  },
  {
    id: 'pool',
    title: 'Connection pool',
    series: [
      { name: 'db.pool.used', label: 'in use', unit: '' },
      { name: 'db.pool.pending', label: 'waiting', unit: '' },
    ],
  },
  { id: 'cache', title: 'Cache hit rate', series: [{ name: 'cache.hit_ratio', label: 'hit rate', unit: 'ratio' }] },
  {
    id: 'batch',
    title: 'Batch queue',
    series: [
      { name: 'batch.queue_depth', label: 'queue depth', unit: '' },
      { name: 'batch.flushes_per_s', label: 'flushes/s', unit: '/s' },
      { name: 'batch.retries_per_s', label: 'retries/s', unit: '/s' },
      { name: 'batch.dead_letters', label: 'dead letters', unit: '' },
    ],
  },
];
