// Small SVG charts (no chart library): a column chart and a horizontal bar chart. Each is an
// image with an accessible name, plus a visually hidden table of its numbers for screen readers.
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { Point } from '../lib/insights.js';

/**
 * The chart's drawing width follows its box (clamped), so the SVG is drawn at about 1:1 and its
 * 12 px labels stay 12 px on a phone instead of shrinking with a fixed viewBox.
 */
function useBoxWidth(fallback: number): [RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement | null>(null);
  const [w, setW] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const cw = el.clientWidth;
      if (cw > 0) setW(Math.max(280, Math.min(900, Math.round(cw))));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

interface ChartProps {
  title: string;
  points: Point[];
  format: (v: number) => string;
  max?: number;
}

export function ColumnChart({ title, points, format }: ChartProps) {
  const [box, W] = useBoxWidth(560);
  const H = 200;
  const pad = { l: 56, r: 8, t: 12, b: 36 };
  const max = Math.max(...points.map((p) => p.value), 0) || 1;
  const bw = (W - pad.l - pad.r) / Math.max(points.length, 1);
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const every = Math.ceil(points.length / Math.max(2, Math.floor(W / 70)));
  return (
    <figure className="chart" data-chart={title} ref={box as RefObject<HTMLElement>}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} className="axis" />
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={W - pad.r} y1={y(max * f)} y2={y(max * f)} className="grid-line" />
            <text x={pad.l - 6} y={y(max * f) + 4} textAnchor="end" className="tick">
              {format(max * f)}
            </text>
          </g>
        ))}
        {points.map((p, i) => (
          <g key={p.label}>
            <rect x={pad.l + i * bw + (bw - Math.min(bw * 0.7, 48)) / 2} width={Math.min(bw * 0.7, 48)} y={y(p.value)} height={Math.max(0, H - pad.b - y(p.value))} className="bar">
              <title>{`${p.label}: ${format(p.value)}`}</title>
            </rect>
            {i % every === 0 && (
              <text x={pad.l + i * bw + bw / 2} y={H - pad.b + 16} textAnchor="middle" className="tick">
                {p.label.slice(5)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <DataTable title={title} points={points} format={format} />
    </figure>
  );
}

export function BarChart({ title, points, format, max: fixedMax }: ChartProps) {
  const [box, W] = useBoxWidth(560);
  const row = 28;
  const H = Math.max(1, points.length) * row + 8;
  const labelW = Math.min(160, Math.max(124, Math.round(W * 0.38)));
  const max = fixedMax ?? (Math.max(...points.map((p) => p.value), 0) || 1);
  return (
    <figure className="chart" data-chart={title} ref={box as RefObject<HTMLElement>}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        {points.map((p, i) => {
          const w = ((W - labelW - 90) * p.value) / max;
          return (
            <g key={p.label} transform={`translate(0 ${i * row + 4})`}>
              <text x={labelW - 8} y={row / 2 + 4} textAnchor="end" className="tick">
                {p.label}
              </text>
              <rect x={labelW} y={4} width={Math.max(1, w)} height={row - 10} className="bar">
                <title>{`${p.label}: ${format(p.value)}`}</title>
              </rect>
              <text x={labelW + Math.max(1, w) + 6} y={row / 2 + 4} className="tick">
                {format(p.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable title={title} points={points} format={format} />
    </figure>
  );
}

function DataTable({ title, points, format }: ChartProps) {
  return (
    <table className="sr-only">
      <caption>{title}</caption>
      <tbody>
        {points.map((p) => (
          <tr key={p.label}>
            <th scope="row">{p.label}</th>
            <td>{format(p.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
