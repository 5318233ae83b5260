/** Types of charts.js. */
import type { MainSeriesName } from '@plugboard/plugin-metrics';

export interface ChartSeries {
  name: MainSeriesName;
  label: string;
  /** '/s', 'ms', '%', 'bytes', 'ratio' or ''. */
  unit: string;
}

export interface ChartDef {
  id: string;
  title: string;
  series: ChartSeries[];
}

export declare const CHARTS: readonly ChartDef[];
