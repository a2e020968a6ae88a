// The standalone page's input panel, which behaves as PyWebIO's: a form shown while the end of the page is out of
// sight is pinned to the bottom of the window (`set_env(input_panel_fixed=True)`, the default), in a panel
// `input_panel_init_height` px tall (or the form's height, if less); a space as tall is left at the end of the
// outputs, so that the last output can be scrolled above the panel. Scrolled to the end of the page, the panel goes
// back into the page flow, under the outputs; scrolled up until little of it shows, it is pinned again. The wheel
// (or a finger) over the pinned panel resizes it, from `input_panel_min_height` up to the whole form. Unlike
// PyWebIO's, the panel also follows its form as the form grows or shrinks (a message under a field), never grows
// past the window, and pins itself when new outputs push its form out of sight.
import type { InputPanel } from '../types';

/** The pinned panel's padding above and below its form; in the flow the panel has as much margin under it. */
const PADDING = 40;
/** The page's footer: a pinned panel scrolled this close to the end of the page goes back into the flow. */
const FOOTER = 50;
// PyWebIO's defaults and floors for `input_panel_min_height` and `input_panel_init_height`.
const MIN_HEIGHT = 300;
const MIN_HEIGHT_FLOOR = 75;
const INIT_HEIGHT = 300;
const INIT_HEIGHT_FLOOR = 175;

/**
 * Add PyWebIO's input panel (`#input-container`, the forms in its `#input-cards`) to `root`, and the space it needs
 * (`#end-space`) at the end of `outputs`. `env` is the renderer's `set_env` state, read as it changes.
 */
export function inputPanel(root: HTMLElement, outputs: HTMLElement, env: Record<string, unknown>): InputPanel {
  const endSpace = outputs.appendChild(Object.assign(document.createElement('div'), { id: 'end-space' }));
  const panel = root.appendChild(Object.assign(document.createElement('div'), { id: 'input-container' }));
  const cards = panel.appendChild(Object.assign(document.createElement('div'), { id: 'input-cards',
    className: 'container' }));
  let hasForm = false;
  let pinned = false;
  let wanted = 0; // the pinned panel's height before the form and the window bound it
  let lastScroll = window.scrollY;

  const setting = (key: string, fallback: number, floor: number) => {
    const value = env[key];
    return Math.max(typeof value === 'number' ? value : fallback, floor);
  };
  const formHeight = () => cards.offsetHeight + 2 * PADDING;
  const lowest = () => Math.min(formHeight(), setting('input_panel_min_height', MIN_HEIGHT, MIN_HEIGHT_FLOOR));
  // In the flow, whether less of the panel shows above the bottom of the window than a pinned one would.
  const outOfSight = () => window.innerHeight - panel.getBoundingClientRect().top < lowest() - PADDING;

  const size = () => {
    const height = Math.max(Math.min(wanted, formHeight(), window.innerHeight), 0);
    panel.style.height = `${height}px`;
    endSpace.style.height = `${Math.max(height - PADDING, 0)}px`;
  };
  const pin = () => {
    if (env.input_panel_fixed === false) {
      return;
    }
    pinned = true;
    wanted = setting('input_panel_init_height', INIT_HEIGHT, INIT_HEIGHT_FLOOR);
    panel.classList.add('fixed');
    size();
  };
  const unpin = () => {
    pinned = false;
    panel.classList.remove('fixed');
    panel.style.height = '';
    endSpace.style.height = '';
  };
  const place = () => {
    unpin();
    if (hasForm && outOfSight()) {
      pin();
    }
  };
  const resize = (step: number) => {
    wanted = Math.min(Math.max(panel.offsetHeight + step, lowest()), formHeight());
    size();
  };

  const onScroll = () => {
    const scroll = window.scrollY;
    if (!pinned) {
      if (hasForm && scroll < lastScroll && outOfSight()) {
        pin();
      }
    } else if (scroll > lastScroll
      && scroll + window.innerHeight > document.documentElement.scrollHeight - FOOTER) {
      unpin();
    }
    lastScroll = Math.max(window.scrollY, 0); // as it is after the panel moved
  };
  const onWheel = (event: WheelEvent) => {
    if (pinned) {
      event.preventDefault(); // the wheel resizes the pinned panel instead of scrolling the page under it
      resize(event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY * 16 : event.deltaY);
    }
  };
  let touchY = 0;
  const onTouchStart = (event: TouchEvent) => {
    if (event.changedTouches.length === 1) {
      touchY = event.changedTouches[0].screenY;
    }
  };
  const onTouchMove = (event: TouchEvent) => {
    if (pinned && event.changedTouches.length === 1) {
      event.preventDefault();
      const y = event.changedTouches[0].screenY;
      resize(touchY - y);
      touchY = y;
    }
  };
  // A window that changes its height (or first gets one: a page opened in the background may start with none)
  // places the panel again, keeping a height the wheel chose.
  const onResize = () => {
    if (hasForm) {
      const chosen = wanted;
      place();
      if (pinned) {
        wanted = chosen;
        size();
      }
    }
  };
  window.addEventListener('scroll', onScroll, { passive: true });
  window.addEventListener('resize', onResize);
  panel.addEventListener('wheel', onWheel, { passive: false });
  panel.addEventListener('touchstart', onTouchStart, { passive: true });
  panel.addEventListener('touchmove', onTouchMove, { passive: false });
  // A form that grows or shrinks resizes the pinned panel; outputs that push an unpinned form out of sight pin it.
  const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
    if (pinned) {
      size();
    } else if (hasForm && outOfSight()) {
      pin();
    }
  });
  observer?.observe(cards);
  observer?.observe(outputs);

  return {
    cards,
    shown() {
      hasForm = true;
      place();
    },
    emptied() {
      hasForm = false;
      unpin();
    },
    configured() {
      place();
    },
    dispose() {
      observer?.disconnect();
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onResize);
    }
  };
}
