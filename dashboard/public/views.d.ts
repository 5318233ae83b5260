/** Types of views.js, for the server that renders the same views as HTML. */
import type { DashboardState } from '../src/state.js';

export interface ActionCell {
  text: string;
  action: 'enable' | 'disable' | 'silence' | 'unsilence' | 'trace';
  arg: string;
  cls?: string;
}
export type Cell = string | { text: string; cls?: string } | ActionCell;

export type Block =
  | { kind: 'table'; caption: string; columns: string[]; rows: Cell[][]; empty?: string; id?: string }
  | { kind: 'note'; text: string }
  | { kind: 'unavailable'; text: string; plugin: string };

export declare function when(value: string | number | undefined | null): string;
export declare function ms(value: number | undefined | null): string;
export declare function bytes(value: number | undefined | null): string;
export declare function num(value: number | undefined | null): string;

type Views = {
  [K in 'plugins' | 'services' | 'tasks' | 'alerts' | 'report' | 'routes' | 'traces' | 'models']: (section: DashboardState[K]) => Block[];
};
export declare const VIEWS: Views;
