// Types for make-tables.mjs (plain JavaScript so it runs without a build step).
import type { Canvas } from '@napi-rs/canvas';

export interface TableTruth {
  style: 'grid' | 'booktabs' | 'plain' | 'grouped' | 'wrapped' | 'columns' | 'shaded' | 'stacked';
  headerRows: number;
  rows: number;
  cols: number;
  cells: { row: number; col: number; rowSpan: number; colSpan: number; text: string }[];
}
export function makeTable(style: TableTruth['style']): TableTruth;
/** The truth as a reader writes it: the lines of a wrapped cell ("\n" in `text`) joined by a space. */
export function truthOf(table: TableTruth): TableTruth;
/** `ink`: the colour of text and rules (CSS), black by default. */
export function drawTable(table: TableTruth, family: string, size: number, ink?: string): Canvas;
