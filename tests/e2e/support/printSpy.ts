// The page's hidden print frame for the e2e specs and the desk's browser benchmark: headless Chromium
// has no print dialog (a real print() hangs the page), so print() on a print frame records the frame's
// address in window.__printCalls instead. Plain JavaScript run before the page's own scripts; it also
// unfolds the menu, as an officer who opened it once has it (it folds to icons below 1600 px).

export const PRINT_SPY = `
  // The menu unfolded, as an officer who opened it once has it (it folds to icons below 1600 px).
  localStorage.setItem('bhxh.menu.collapsed', '0');
  window.__printCalls = [];
  const desc = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow');
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
    configurable: true,
    get() {
      const win = desc.get.call(this);
      if (win && this.dataset.printFrame) {
        const src = this.src;
        win.print = () => window.__printCalls.push(src);
      }
      return win;
    },
  });`;
