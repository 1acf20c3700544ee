/* global document */
// The funnel as a plain SVG bar chart: one row per step, stacked collective/individual when the split is
// known. Scales with its container (viewBox); every number is also text, so it reads without colours.
import { formatNumber, t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child);
  return node;
}

/**
 * `steps`: [{key, label, total, collective?, individual?}], largest first. `split`: draw the two kinds.
 * Each row is a `<g data-step=key data-value=total>`.
 */
export function funnelChart(steps, { split = false } = {}) {
  const labelWidth = 200;
  const barWidth = 330;
  const valueWidth = 110;
  const rowHeight = 34;
  const gap = 12;
  const top = split ? 30 : 6;
  const width = labelWidth + barWidth + valueWidth;
  const height = top + steps.length * (rowHeight + gap);
  const max = Math.max(1, ...steps.map((s) => s.total));
  const summary = steps.map((s) => `${s.label} ${formatNumber(s.total)}`).join(', ');
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'funnel-chart',
    role: 'img',
    'aria-label': t('funnel.aria', { summary }),
    preserveAspectRatio: 'xMinYMin meet',
  });
  if (split) {
    chart.append(
      svg('rect', { x: labelWidth, y: 6, width: 14, height: 14, class: 'bar-collective' }),
      svg('text', { x: labelWidth + 20, y: 18, class: 'legend' }, t('funnel.collective')),
      svg('rect', { x: labelWidth + 120, y: 6, width: 14, height: 14, class: 'bar-individual' }),
      svg('text', { x: labelWidth + 140, y: 18, class: 'legend' }, t('funnel.individual')),
    );
  }
  steps.forEach((step, i) => {
    const y = top + i * (rowHeight + gap);
    const middle = y + rowHeight / 2;
    const scale = (n) => (barWidth * n) / max;
    const row = svg('g', { 'data-step': step.key, 'data-value': step.total, class: 'funnel-row' });
    const tooltip = split
      ? `${step.label}: ${formatNumber(step.total)} (${t('funnel.collective')} ${formatNumber(step.collective)}, ${t('funnel.individual')} ${formatNumber(step.individual)})`
      : `${step.label}: ${formatNumber(step.total)}`;
    row.append(
      svg('title', {}, tooltip),
      svg(
        'text',
        {
          x: labelWidth - 10,
          y: middle,
          'text-anchor': 'end',
          'dominant-baseline': 'middle',
          class: 'label',
        },
        step.label,
      ),
      svg('rect', { x: labelWidth, y, width: barWidth, height: rowHeight, class: 'bar-track' }),
    );
    if (split) {
      row.append(
        svg('rect', {
          x: labelWidth,
          y,
          width: scale(step.collective),
          height: rowHeight,
          class: 'bar-collective',
        }),
        svg('rect', {
          x: labelWidth + scale(step.collective),
          y,
          width: scale(step.individual),
          height: rowHeight,
          class: 'bar-individual',
        }),
      );
    } else {
      row.append(
        svg('rect', { x: labelWidth, y, width: scale(step.total), height: rowHeight, class: 'bar-total' }),
      );
    }
    const valueText = split
      ? `${formatNumber(step.total)} (${formatNumber(step.collective)}/${formatNumber(step.individual)})`
      : formatNumber(step.total);
    row.append(
      svg(
        'text',
        { x: labelWidth + scale(step.total) + 8, y: middle, 'dominant-baseline': 'middle', class: 'value' },
        valueText,
      ),
    );
    chart.append(row);
  });
  return chart;
}
