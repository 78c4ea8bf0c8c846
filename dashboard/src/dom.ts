/** Small DOM helpers: every figure is text with a data-testid, its raw value in data-value. */

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** A figure: `<span data-testid=... data-value=...>text</span>`. */
export function figure(testId: string): HTMLSpanElement {
  return el('span', { 'data-testid': testId, class: 'figure' });
}

/** Writes a figure's text and its raw value (JSON), so tests compare both with the answer. */
export function show(node: Element, text: string, value?: unknown): void {
  if (node.textContent !== text) node.textContent = text;
  const raw = JSON.stringify(value ?? null);
  if (node.getAttribute('data-value') !== raw) node.setAttribute('data-value', raw);
}

/** A labelled figure row for a definition list. */
export function row(label: string, value: HTMLElement, note?: HTMLElement): HTMLDivElement {
  return el('div', { class: 'row' }, el('dt', {}, label), el('dd', {}, value, note && ' ', note));
}

/** A panel: a section with a heading and a body. */
export function panel(id: string, title: string, ...children: Child[]): HTMLElement {
  return el(
    'section',
    { class: 'panel', 'data-testid': `panel-${id}`, id: `panel-${id}` },
    el('h2', {}, title),
    ...children,
  );
}

/** Marks a verdict element with a class for colour: pass, fail, na. */
export function verdictClass(node: Element, text: string): void {
  node.classList.toggle('pass', text === 'PASS');
  node.classList.toggle('fail', text === 'FAIL');
  node.classList.toggle('na', text !== 'PASS' && text !== 'FAIL');
}
