import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { el } from './dom';
import type { SeriesData } from './series';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

/** A chart's data as the page shows it; also written as JSON to the container's data-series. */
export type Series = SeriesData;

export interface ChartOptions {
  kind: 'line' | 'stacked-bar';
  /** Values are rates 0..1, drawn as percentages. */
  percent?: boolean;
  yTitle?: string;
}

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777'];

export interface ChartView {
  element: HTMLElement;
  update(series: Series): void;
  destroy(): void;
}

/**
 * A Chart.js chart in a container `data-testid="chart-<id>"` whose `data-series` holds the data
 * drawn, with the same figures as a text table under it.
 */
export function chartView(id: string, title: string, options: ChartOptions): ChartView {
  const canvas = el('canvas', { 'aria-label': title, role: 'img' });
  const table = el('table', { 'data-testid': `chart-${id}-table`, class: 'series' });
  const element = el(
    'figure',
    { class: 'chart', 'data-testid': `chart-${id}` },
    el('figcaption', {}, title),
    el('div', { class: 'canvas-box' }, canvas),
    el('details', {}, el('summary', {}, 'figures'), table),
  );
  const stacked = options.kind === 'stacked-bar';
  const chart = new Chart<'bar' | 'line', Array<number | null>, string>(canvas, {
    type: stacked ? 'bar' : 'line',
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: stacked ? 'y' : 'x',
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: {
        x: { stacked, beginAtZero: stacked, ...(stacked && { ticks: { precision: 0 } }) },
        y: {
          stacked,
          beginAtZero: true,
          ...(options.percent && {
            max: 1,
            ticks: { callback: (value: string | number) => `${Math.round(Number(value) * 100)} %` },
          }),
          ...(options.yTitle && { title: { display: true, text: options.yTitle } }),
        },
      },
    },
  });
  let shown = '';
  return {
    element,
    update(series) {
      const json = JSON.stringify(series);
      if (json === shown) return;
      shown = json;
      element.setAttribute('data-series', json);
      chart.data.labels = series.labels;
      chart.data.datasets = series.datasets.map((set, i) => {
        const color = set.color ?? PALETTE[i % PALETTE.length];
        return {
          label: set.label,
          data: set.data,
          backgroundColor: color,
          borderColor: color,
          borderDash: set.target ? [6, 4] : [],
          pointRadius: set.target ? 0 : 2,
          spanGaps: true,
        };
      });
      chart.update('none');
      renderTable(table, series, options.percent === true);
    },
    destroy: () => chart.destroy(),
  };
}

function renderTable(table: HTMLTableElement, series: Series, percent: boolean) {
  const cell = (v: number | null) =>
    v === null ? 'N/A' : percent ? `${Math.round(v * 10_000) / 100} %` : String(v);
  table.replaceChildren(
    el('tr', {}, el('th', {}, ''), ...series.datasets.map((set) => el('th', {}, set.label))),
    ...series.labels.map((label, i) =>
      el(
        'tr',
        {},
        el('th', {}, label),
        ...series.datasets.map((set) => el('td', {}, cell(set.data[i] ?? null))),
      ),
    ),
  );
}
