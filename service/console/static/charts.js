/*
 * Draws the indicators page's trend charts (service/console/pages/indicators.ts) with ECharts
 * (window.echarts, from /static/echarts.min.js). The data is the JSON in
 * <script type="application/json" id="trend-data">: { weeks: ['2025-W20', ...], labels: { target },
 * figures: [{ el, name, unit: '%'|'ratio'|'count'|'yuan', target, series: [{ name, main, values }] }] }.
 * Every value a chart shows is also in the table under it; the chart adds nothing a reader needs.
 */
(() => {
  const source = document.getElementById('trend-data');
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent || '{}');
  const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const grouped = (v, digits) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const format = (unit) => (v) => {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    if (unit === '%') return `${grouped(v, 1)}%`;
    if (unit === 'ratio') return `1:${grouped(v, 1)}`;
    return grouped(v, Number.isInteger(v) ? 0 : 1);
  };
  /** Round bounds around `values` and the step between ticks (about three of 1, 2 or 5 × 10^n; whole for counts), or undefined for none. */
  const niceBounds = (values, whole) => {
    if (!values.length) return undefined;
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : [Math.min(0, lo), Math.max(0, hi)];
    const raw = (hi - lo) / 3;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = Math.max(whole ? 1 : 0, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
    return { min: Math.floor(lo / step) * step, max: Math.ceil(hi / step) * step, step };
  };
  const short = (week) => week.replace(/^\d{4}-/, '');
  const charts = [];
  for (const f of data.figures || []) {
    const el = document.getElementById(f.el);
    if (!el) continue;
    const fmt = format(f.unit);
    // The axis spans the values and the target, on round numbers (the target line is not part of ECharts' extent).
    const known = f.series.flatMap((s) => s.values).filter((v) => v !== null);
    if (f.target !== null) known.push(f.target);
    const bounds = niceBounds(known, f.unit === 'count' || f.unit === 'yuan');
    const chart = window.echarts.init(el, null, { renderer: 'svg' });
    const many = f.series.length > 1;
    chart.setOption({
      animation: !still,
      grid: { left: 8, right: 16, top: 16, bottom: many ? 56 : 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: fmt, confine: true },
      legend: many ? { type: 'scroll', bottom: 0, textStyle: { fontSize: 11 }, itemWidth: 14, itemHeight: 8 } : undefined,
      xAxis: { type: 'category', data: data.weeks.map(short), boundaryGap: false, axisLabel: { fontSize: 11 } },
      yAxis: {
        type: 'value',
        scale: true,
        min: bounds?.min,
        max: bounds?.max,
        interval: bounds?.step,
        axisLabel: { fontSize: 11, formatter: fmt },
      },
      series: f.series.map((s, i) => ({
        name: s.name,
        type: 'line',
        data: s.values,
        connectNulls: false,
        symbol: s.main ? 'circle' : 'none',
        symbolSize: 6,
        z: s.main ? 3 : 2,
        lineStyle: { width: s.main ? 3 : 1.2, opacity: s.main ? 1 : 0.7 },
        color: s.main ? '#1d4ed8' : undefined,
        markLine:
          i === 0 && f.target !== null
            ? {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#b91c1c', width: 1.5 },
                label: { formatter: `${data.labels.target} ${fmt(f.target)}`, position: 'insideEndTop', fontSize: 11, color: '#7f1d1d' },
                data: [{ yAxis: f.target }],
              }
            : undefined,
      })),
    });
    charts.push(chart);
  }
  window.addEventListener('resize', () => {
    for (const c of charts) c.resize();
  });
})();
