/** The charts of the page (defined in public/charts.js, which the browser loads too). */
export { CHARTS, type ChartDef, type ChartSeries } from '../public/charts.js';
