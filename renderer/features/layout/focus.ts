// Keyboard focus that survives what an action does to the page. A `disabled` control loses
// the focus (Chromium hands it to the page), and so does one an action removes (Acknowledge
// once acknowledged, the add form once added): the next Tab started from the top, and a
// second Space on a source's checkbox did nothing.

/**
 * Props for a control that cannot act now (busy, nothing to save): it says so to assistive
 * technology and looks it (aria-disabled), but keeps the focus. Its handler must check too.
 */
export function unavailable(off: boolean): { 'aria-disabled'?: true } {
  return off ? { 'aria-disabled': true } : {};
}

/** A form or panel that Escape closes (the add-source and add-channel forms). */
export function closesOnEscape(close: () => void): { onKeyDown: (e: { key: string }) => void } {
  return {
    onKeyDown: (e) => {
      if (e.key === 'Escape') close();
    },
  };
}

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * When the focused control is removed or disabled and the focus falls to the page, it goes
 * to the `data-focus-home` element of the innermost `data-focus-scope` that is still there
 * (or that scope's first control). A focus the user moved away is left where they put it.
 */
export function keepFocus(doc: Document = document): void {
  let last: HTMLElement | null = null;
  let scopes: HTMLElement[] = [];
  doc.addEventListener('focusin', (e) => {
    if (!(e.target instanceof HTMLElement)) return;
    last = e.target;
    scopes = [];
    for (let s = last.closest<HTMLElement>('[data-focus-scope]'); s; s = s.parentElement?.closest<HTMLElement>('[data-focus-scope]') ?? null) scopes.push(s);
  });
  new MutationObserver(() => {
    if (!last || (doc.activeElement && doc.activeElement !== doc.body)) return;
    if (last.isConnected && !(last as HTMLButtonElement).disabled) return;
    last = null;
    // A scope still there (React may reuse its element for what replaced it: then it is not one).
    for (const scope of scopes) {
      if (!scope.isConnected || !scope.hasAttribute('data-focus-scope')) continue;
      const home = scope.querySelector<HTMLElement>('[data-focus-home]');
      const target = home?.matches(FOCUSABLE) ? home : (home ?? scope).querySelector<HTMLElement>(FOCUSABLE);
      if (!target) continue;
      target.focus();
      return;
    }
  }).observe(doc.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
}
