/**
 * Estimates where a field of a form starts, in pixels from the top of the form, as the form-js 2.x
 * viewer with its default stylesheet lays the form out in a 1280 px wide window. It lets a plain
 * unit test keep the decision of a manual-task form near the top without a browser.
 *
 * The metrics were read in Chromium from the rendered forms (a text row of one line is 73 px, a
 * group adds 44 px above its rows and 17 px below, about 150 characters of body text fit across
 * the full 16-column grid). The estimate follows form-js's layout rules: components sharing a
 * `layout.row` sit side by side and the row is as tall as its tallest component; `layout.columns`
 * takes that many of 16 columns, and components without it share what is left equally.
 */

/** The part of a form-js component the estimate reads. */
export interface LayoutComponent {
  id: string;
  type: string;
  text?: unknown;
  layout?: { row?: unknown; columns?: unknown };
  components?: LayoutComponent[];
  [property: string]: unknown;
}

/** What the estimate cannot know from the schema alone. */
export interface LayoutContext {
  /** Whether a component is hidden for the data being shown (form-js renders nothing for it). */
  isHidden(component: LayoutComponent): boolean;
  /** The text a `{{...}}` template expression renders to for that data. */
  renderTemplate(expression: string): string;
}

/** Pixel metrics of the default form-js stylesheet at 1280 px. */
export const formLayoutMetrics = {
  gridColumns: 16,
  charactersPerFullLine: 150,
  lineHeight: 20,
  /** Top and bottom padding of a row (9 px each). */
  rowPadding: 18,
  /** Field wrapper margins and padding around a component. */
  fieldChrome: 7,
  paragraphMargin: 14,
  headingMargin: 19,
  /** A level-1 heading's characters are about this much wider than body text. */
  headingWidthFactor: 1.8,
  /** From the top of a group's row to its first inner row (row padding, group padding, label). */
  groupHeader: 44,
  groupFooter: 17,
  /** From the top of a row to the top of the field in it. */
  fieldOffset: 13,
  /** Label, control and description of an input field. */
  inputField: 90,
} as const;

const m = formLayoutMetrics;

interface Row {
  components: LayoutComponent[];
}

function rowsOf(components: LayoutComponent[], context: LayoutContext): Row[] {
  const rows = new Map<string, Row>();
  for (const component of components) {
    if (context.isHidden(component)) continue;
    // A component without a row is a row of its own, as form-js places it.
    const key = typeof component.layout?.row === 'string' ? component.layout.row : `#${component.id}`;
    const row = rows.get(key) ?? { components: [] };
    row.components.push(component);
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** Share of the parent's width each component of a row takes (fixed columns first, the rest split). */
function widthShares(row: Row): number[] {
  const fixed = row.components.map((component) => (typeof component.layout?.columns === 'number' ? component.layout.columns : undefined));
  const used = fixed.reduce<number>((sum, columns) => sum + (columns ?? 0), 0);
  const auto = fixed.filter((columns) => columns === undefined).length;
  return fixed.map((columns) => (columns ?? Math.max(1, m.gridColumns - used) / Math.max(1, auto)) / m.gridColumns);
}

function textHeight(text: string, width: number, context: LayoutContext): number {
  const rendered = text.replace(/\{\{([\s\S]*?)\}\}/g, (_, expression: string) => context.renderTemplate(expression));
  const blocks = rendered.split(/\n\s*\n/).filter((block) => block.trim() !== '');
  const perLine = Math.max(1, Math.floor(m.charactersPerFullLine * width));
  let height = 0;
  let previousMargin = 0;
  for (const block of blocks) {
    const heading = block.startsWith('#');
    const characters = block.replace(/^#+\s*/, '').replace(/\*\*|`/g, '').length * (heading ? m.headingWidthFactor : 1);
    const margin = heading ? m.headingMargin : m.paragraphMargin;
    // Vertical margins of neighbouring blocks collapse into the larger one.
    height += Math.max(previousMargin, margin) + Math.max(1, Math.ceil(characters / perLine)) * m.lineHeight;
    previousMargin = margin;
  }
  return height + previousMargin + m.fieldChrome;
}

function componentHeight(component: LayoutComponent, width: number, context: LayoutContext): number {
  if (component.type === 'text') return textHeight(typeof component.text === 'string' ? component.text : '', width, context);
  if (component.components) return m.groupHeader + rowsHeight(component.components, width, context) + m.groupFooter;
  return m.inputField;
}

function rowsHeight(components: LayoutComponent[], width: number, context: LayoutContext): number {
  return rowsOf(components, context).reduce((sum, row) => sum + rowHeight(row, width, context), 0);
}

function rowHeight(row: Row, width: number, context: LayoutContext): number {
  const shares = widthShares(row);
  return m.rowPadding + Math.max(...row.components.map((component, index) => componentHeight(component, width * shares[index]!, context)));
}

function contains(component: LayoutComponent, id: string): boolean {
  return component.id === id || (component.components ?? []).some((child) => contains(child, id));
}

function offsetIn(components: LayoutComponent[], id: string, width: number, context: LayoutContext): number | undefined {
  let top = 0;
  for (const row of rowsOf(components, context)) {
    const shares = widthShares(row);
    const index = row.components.findIndex((component) => contains(component, id));
    if (index < 0) {
      top += rowHeight(row, width, context);
      continue;
    }
    const component = row.components[index]!;
    const within = component.id === id ? 0 : offsetIn(component.components ?? [], id, width * shares[index]!, context);
    return within === undefined ? undefined : top + (component.id === id ? m.fieldOffset : m.groupHeader) + within;
  }
  return undefined;
}

/**
 * Estimated distance in pixels from the top of the form to the top of component `id` (undefined
 * when it is not shown).
 */
export function estimateTopOf(components: LayoutComponent[], id: string, context: LayoutContext): number | undefined {
  return offsetIn(components, id, 1, context);
}
