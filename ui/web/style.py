"""The web UI's stylesheet and its one script: one palette for grades (lqa-g1..lqa-g4) everywhere.

The script only listens (delegated listeners on the document and one MutationObserver): it
reads the numbers our own HTML carries (data-turn, data-n, data-i, data-j) and never takes text
from a letter into markup or handlers (a judgement's title is copied as text, textContent).

But: - no theme of its own: Gradio's Soft theme supplies colours and fonts, with the few of its
colours that fall under WCAG AA's 4.5:1 darkened (theme()).
"""

from qa.query import MAX_QUESTION_CHARS


def theme():
    """Gradio's Soft theme with text at WCAG 2.1 AA contrast (4.5:1, checked by axe-core in
    tests/test_web_a11y.py): its indigo-500 labels on indigo-100 are 3.6:1, white on an indigo-500
    button 4.5:1 less a little, and its grey meta text, links and placeholder about 2.5:1; each is
    one or two shades darker here (indigo-700, neutral-600)."""
    import gradio as gr

    return gr.themes.Soft().set(
        color_accent="*primary_700", border_color_accent="*primary_700",
        block_label_text_color="*primary_700", block_title_text_color="*primary_700",
        button_primary_background_fill="*primary_600", button_primary_background_fill_hover="*primary_700",
        body_text_color_subdued="*neutral_600", input_placeholder_color="*neutral_600",
        link_text_color="*primary_700", link_text_color_visited="*primary_700", link_text_color_hover="*primary_800",
    )

# Grade 4 (best) to 1: the table cells, the chart's bars and the APA grid use these.
GRADE_COLOURS = {4: "#8fd19e", 3: "#cfe79a", 2: "#f7d774", 1: "#f19a8f"}

# The Ratings table's columns (ratings.ratings_frame) and, on a phone, their order and widths (px):
# wide enough for their headers and values, the year and grade beside the council, and the table
# scrolling sideways under a council column that stays put, rather than crushing every column.
RATINGS_COLUMNS = ("council", "year", "kind", "area", "label", "grade", "letter")
MOBILE_COLUMNS = {"council": 150, "year": 64, "grade": 68, "label": 160, "kind": 124, "area": 240, "letter": 196}
MOBILE_WIDTH = 640  # px: at most this wide, the page is laid out for a phone


def _ratings_mobile() -> str:
    """CSS for the Ratings table (Gradio's virtual table, which sizes columns in inline styles) on a phone."""
    rules = []
    for order, (name, width) in enumerate(MOBILE_COLUMNS.items()):
        i = RATINGS_COLUMNS.index(name)
        size = f"width: {width}px !important; min-width: {width}px !important; max-width: {width}px !important;"
        rules.append(f'#lqa-ratings [data-heading="{i}"], #lqa-ratings .body-cell[data-col="{i}"] '
                     f"{{ {size} flex: 0 0 {width}px !important; order: {order}; }}")
    total = sum(MOBILE_COLUMNS.values())
    return (f"@media (max-width: {MOBILE_WIDTH}px) {{\n"
            f"  #lqa-ratings .header-table, #lqa-ratings .virtual-body {{ width: {total}px !important; }}\n"
            # The header row as a flex row like the body's (so the columns can be reordered); Gradio's
            # hidden sizing row would otherwise widen the header table.
            "  #lqa-ratings .header-table, #lqa-ratings .header-table thead { display: block; }\n"
            "  #lqa-ratings .header-table thead tr { display: flex; padding: 0; }\n"
            "  #lqa-ratings .header-table .sizing-body { display: none; }\n  "
            + "\n  ".join(rules) + "\n"
            '  #lqa-ratings [data-heading="0"], #lqa-ratings .body-cell[data-col="0"] { position: sticky !important;\n'
            "      left: 0; z-index: 3;\n"
            "      background: var(--table-even-background-fill, var(--background-fill-primary)); }\n"
            '  #lqa-ratings .row-odd .body-cell[data-col="0"] { background: var(--table-odd-background-fill,\n'
            "      var(--background-fill-secondary)); }\n"
            '  #lqa-ratings .body-cell[data-col="0"] .cell-wrap * { white-space: normal !important; }\n'
            "}\n")


def _judgement_hover() -> str:
    """A judgement's own colours when hovered, over Gradio's `button:hover` (which repaints buttons)."""
    looks = {**{f"lqa-g{g}": (c, "#1f1f1f") for g, c in GRADE_COLOURS.items()},
             "lqa-jcmp": ("var(--background-fill-secondary)", "var(--body-text-color)"),
             "lqa-jneg": ("var(--background-fill-primary)", "var(--body-text-color)")}
    return "\n".join(f"#lqa-judgements .lqa-jcell.{css}:hover {{ background: {background}; color: {colour}; }}"
                     for css, (background, colour) in looks.items())


CSS = "".join(f".lqa-g{g} {{ background: {c}; }} " for g, c in GRADE_COLOURS.items()) + """
.lqa-g4, .lqa-g3, .lqa-g2, .lqa-g1 { color: #1f1f1f; }
/* Secondary text: the theme's subdued grey (#9ca3af) is 2.5:1 on its light background, under WCAG AA's
   4.5:1; one shade darker on light pages (7:1) and one lighter on dark ones. */
:root { --lqa-subdued: var(--neutral-600, #4b5563); }
.dark { --lqa-subdued: var(--neutral-400, #9ca3af); }
.lqa-cite { border-left: 3px solid var(--color-accent); padding: 2px 0 2px 10px; margin: 0 0 14px 0;
            border-radius: 0 4px 4px 0; transition: background 0.15s; }
.lqa-cite.lqa-hover { background: #fff4c2; }
.lqa-cite.lqa-hover, .lqa-cite.lqa-hover .lqa-meta { color: #1f1f1f; }
.lqa-cite-title { font-weight: 600; }
.lqa-meta { color: var(--lqa-subdued); font-size: max(12px, 0.85em); }
.lqa-excerpt { white-space: pre-wrap; margin: 4px 0 0 0; line-height: 1.45; }
.lqa-excerpt mark, .lqa-letter mark { background: #ffe08a; color: #1f1f1f; padding: 0 1px; }
.lqa-letter mark.lqa-target { outline: 2px solid #e0a800; }
.lqa-num, .lqa-chip { display: inline-block; min-width: 1.5em; padding: 0 0.35em; border-radius: 0.75em;
                      background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4338ca);
                      border: 1px solid var(--color-accent, #4338ca); font-size: max(12px, 0.8em); font-weight: 600;
                      line-height: 1.4; text-align: center; }
.lqa-chip { cursor: pointer; margin: 0 1px; }
.lqa-chip:hover, .lqa-chip:focus { background: var(--color-accent, #4338ca); color: #fff; }
.lqa-for { font-size: max(12px, 0.9em); margin: 0 0 10px 0; display: flex; gap: 8px; align-items: baseline;
           justify-content: space-between; flex-wrap: wrap; }
.lqa-copy, .lqa-open { font-size: max(12px, 0.8em); padding: 1px 8px; border-radius: 4px; cursor: pointer;
                       border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); }
.lqa-open { margin-left: 6px; }
.lqa-md { display: none; }
.lqa-pending { color: var(--lqa-subdued); font-style: italic; }
#lqa-chat { position: relative; }
/* The chat's buttons (clear, copy) in a strip of their own above the messages, not over their text. */
#lqa-chat .top-panel { position: static; align-self: flex-end; margin: 2px 4px; }
#lqa-chat .bubble-wrap { flex: 1 1 0; min-height: 0; height: auto; padding-top: var(--spacing-md); }
/* Gradio's own "Scroll down" arrow floats over the last lines; "New answer below" (the script) does its job. */
#lqa-chat button[aria-label="Scroll down"] { display: none; }
/* The question box: the count near the limit, and the line under it (refusals, notes). */
#lqa-count, #lqa-ask-note { min-height: 0; }
#lqa-counter { font-size: max(12px, 0.85em); color: var(--lqa-subdued); text-align: right; min-height: 0; }
#lqa-ask-notes:not(:has(#lqa-counter:not(:empty))):not(:has(#lqa-ask-note p)) { display: none; }
#lqa-counter.lqa-over { color: #b3261e; font-weight: 600; }
#lqa-ask-note p { margin: 0; }
/* A visible focus ring on everything that takes focus (the theme's is a faint shadow). */
#lqa-question textarea:focus, #lqa-question textarea:focus-visible {
    outline: 3px solid var(--color-accent, #4338ca) !important; outline-offset: 1px; }
*:focus-visible { outline: 3px solid var(--color-accent, #4338ca) !important; outline-offset: 2px; }
.lqa-letter mark.lqa-target:focus { outline: 3px solid var(--color-accent, #4338ca); outline-offset: 2px; }
#lqa-chat [data-lqa-selected] { outline: 2px solid var(--color-accent, #4338ca); outline-offset: 2px; }
#lqa-new-answer { position: absolute; left: 50%; bottom: 14px; transform: translateX(-50%); z-index: 20;
                  padding: 4px 14px; border-radius: 14px; border: none; cursor: pointer;
                  background: var(--color-accent, #4338ca); color: #fff; box-shadow: 0 2px 6px rgba(0,0,0,0.25); }
.lqa-hidden { display: none !important; }
#lqa-back { margin: 0 0 8px 0; padding: 4px 12px; border-radius: 6px; cursor: pointer; font: inherit;
            border: 1px solid var(--color-accent, #4338ca); color: var(--color-accent, #4338ca);
            background: var(--background-fill-primary); }
/* A grid's pages (paging.py): Previous, the line saying which rows show, Next. */
.lqa-pager { align-items: center; gap: 8px; }
.lqa-page-line { text-align: center; color: var(--lqa-subdued); font-size: max(12px, 0.9em); }
.lqa-table { border-collapse: collapse; font-size: max(12px, 0.9em); width: 100%; }
.lqa-table th, .lqa-table td { border: 1px solid var(--border-color-primary); padding: 3px 6px; text-align: left; }
.lqa-table th { background: var(--background-fill-secondary); }
/* The reader: the letter's headings and bullets drawn (render.letter_body), the rest as written. */
.lqa-letter .lqa-h { font-weight: 700; font-size: 1.1em; margin: 0.8em 0 0.3em; }
.lqa-letter .lqa-li { padding-left: 1.4em; text-indent: -0.9em; }
.lqa-letter .lqa-li::before { content: "•"; display: inline-block; width: 0.9em; text-indent: 0; }
.lqa-letter { white-space: pre-wrap; font-size: max(12px, 0.95em); line-height: 1.5; max-height: 560px;
              overflow-y: auto; border: 1px solid var(--border-color-primary); padding: 10px; }
.lqa-ok { color: #1b7a2c; } .lqa-bad { color: #b3261e; }
.lqa-empty { color: var(--lqa-subdued); }
.lqa-note { margin: 0 0 .5em; font-style: italic; }
#lqa-ratings, #lqa-ratings * { font-family: var(--font) !important; }
.lqa-scroll { overflow-x: auto; max-width: 100%; }
.lqa-council-page { margin: 0 0 6px 0; }
.lqa-steps { display: flex; flex-wrap: wrap; gap: 4px 6px; align-items: center; margin: 6px 0 10px 0; }
.lqa-step { padding: 2px 8px; border-radius: 10px; font-size: max(12px, 0.85em); white-space: nowrap; }
.lqa-step.lqa-none { border: 1px dashed var(--border-color-primary); }
.lqa-read { background: none; border: none; padding: 0; cursor: pointer; text-align: left; font: inherit;
            color: var(--color-accent, #4338ca); text-decoration: underline; overflow-wrap: anywhere; }
.lqa-council-table td.lqa-num-cell { white-space: nowrap; }
/* The Judgements matrix: councils down, services across; the header and the council column stay put. */
.lqa-jsummary { margin: 0 0 4px 0; font-size: max(12px, 0.9em); color: var(--body-text-color); }
.lqa-jlegend { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 4px 0 6px 0; font-size: max(12px, 0.85em); }
.lqa-jkey { padding: 1px 8px; border-radius: 10px; }
.lqa-jdetail { min-height: 2.9em; margin: 0 0 6px 0; padding: 4px 8px; border-left: 3px solid var(--color-accent);
               background: var(--background-fill-secondary); font-size: max(12px, 0.9em); white-space: pre-line; }
.lqa-jscroll { max-height: min(620px, 70vh); overflow: auto; border: 1px solid var(--border-color-primary); }
#lqa-judgements table.lqa-jtable { width: auto; margin: 0; padding: 0; border: none; border-collapse: separate;
                                   border-spacing: 0; }
.lqa-jtable th, .lqa-jtable td { border-width: 0 1px 1px 0; vertical-align: top; }
.lqa-jtable thead th { position: sticky; top: 0; z-index: 2; min-width: 6.5em; max-width: 9em;
                       font-size: max(12px, 0.85em); vertical-align: bottom; }
.lqa-jtable tbody th { position: sticky; left: 0; z-index: 1; font-weight: 600; min-width: 8em; max-width: 12em;
                       background: var(--background-fill-primary); overflow-wrap: anywhere; }
.lqa-jtable thead th:first-child { left: 0; z-index: 3; }
.lqa-jcell { display: block; width: 100%; margin: 0 0 2px 0; padding: 1px 6px; border-radius: 4px; cursor: pointer;
             font: inherit; font-size: max(12px, 0.9em); text-align: left; white-space: nowrap;
             border: 1px solid rgba(0, 0, 0, 0.18); }
.lqa-jcell:last-child { margin-bottom: 0; }
.lqa-jcmp { background: var(--background-fill-secondary); color: var(--body-text-color); }
.lqa-jneg { background: var(--background-fill-primary); color: var(--body-text-color); font-style: italic;
            border: 1px dashed var(--border-color-primary); }
/* Hovered or focused, a judgement keeps its colours (Gradio's button:hover would repaint it): an outline marks it. */
#lqa-judgements .lqa-jcell:hover, #lqa-judgements .lqa-jcell:focus-visible {
    outline: 2px solid var(--color-accent, #4338ca); outline-offset: 1px; transform: none; box-shadow: none; }
""" + _judgement_hover() + """
.lqa-jcell.lqa-jcmp, .lqa-jkey.lqa-jcmp { border: 1px solid var(--border-color-primary); }
.lqa-jkey.lqa-jneg { border: 1px dashed var(--border-color-primary); }
.lqa-jyear { font-size: max(12px, 0.85em); font-variant-numeric: tabular-nums; }
""" + _ratings_mobile() + """
/* Phones: the answer, its sources and the ratings it used stack under the chat, before the examples. */
""" + f"@media (max-width: {MOBILE_WIDTH}px) {{" + """
  #lqa-ask-row { flex-direction: column; flex-wrap: nowrap; align-items: stretch; }
  #lqa-ask-main, #lqa-ask-side { display: contents; }
  #lqa-ask-main > *, #lqa-ask-side > * { order: 9; width: 100%; min-width: 0; }
  #lqa-ask-row #lqa-chat { order: 1; height: min(440px, 60vh) !important; }
  #lqa-ask-row #lqa-show-all { order: 1; }
  #lqa-ask-row #lqa-ask-input, #lqa-ask-row #lqa-ask-notes { order: 2; }
  #lqa-ask-row #lqa-sources-head { order: 3; }
  #lqa-ask-row #lqa-sources { order: 4; }
  #lqa-ask-row #lqa-used-head { order: 5; }
  #lqa-ask-row #lqa-used { order: 6; }
  #lqa-ask-row #lqa-examples { order: 7; }
  #lqa-ask-row #lqa-clear { order: 8; }
  #lqa-sources-head p { display: none; }
  /* A chip is a 44 x 44 px touch target (WCAG 2.5.5), drawn at its size: an invisible square around it. */
  .lqa-chip { position: relative; }
  .lqa-chip::after { content: ""; position: absolute; left: 50%; top: 50%; width: 44px; height: 44px;
                     transform: translate(-50%, -50%); }
  /* All four tabs' names in a row at 390 px, none in Gradio's overflow menu. */
  #lqa-tabs .tab-container button { padding: 0 10px; }
  /* The small tables scroll sideways; the first column (the council, or the year) stays put. */
  .lqa-table th, .lqa-table td { white-space: nowrap; }
  .lqa-table th:first-child, .lqa-table td:first-child { position: sticky; left: 0; z-index: 1; white-space: normal;
      min-width: 7em; max-width: 9.5em; background: var(--background-fill-primary); }
  .lqa-table th:first-child { background: var(--background-fill-secondary); }
  .lqa-council-table th:first-child, .lqa-council-table td:first-child { min-width: 3.5em; }
  .lqa-jtable th:first-child { min-width: 6.5em; max-width: 7.5em; }
  .lqa-jtable thead th { white-space: normal; }
}
"""

# Delegated: chips and buttons come and go with every answer. A chip's click is sent to the
# server as "turn:n:nonce" through the hidden #lqa-jump box; the server looks the citation up.
JS = r"""
(() => {
  const q = (sel, root = document) => root.querySelector(sel);
  const bots = () => document.querySelectorAll('#lqa-chat [data-testid="bot"]');
  // Our own numbers: data-turn/data-n in the sources panel, classes lqa-t3 lqa-n1 on a chip.
  const ref = (el) => {
    if (el.dataset.turn) return {turn: el.dataset.turn, n: el.dataset.n};
    const t = /(?:^| )lqa-t(\d+)(?: |$)/.exec(el.className), n = /(?:^| )lqa-n(\d+)(?: |$)/.exec(el.className);
    return t && n ? {turn: t[1], n: n[1]} : null;
  };
  const cite = (el) => {
    const r = ref(el);
    return r && q(`#lqa-sources .lqa-sources[data-turn="${r.turn}"] .lqa-cite[data-n="${r.n}"]`);
  };
  document.addEventListener('mouseover', (e) => {
    const chip = e.target.closest && e.target.closest('.lqa-chip');
    // Not on a touch screen: a tap's emulated hover would scroll the page under the finger first.
    if (!chip || matchMedia('(hover: none)').matches) return;
    const target = cite(chip);
    if (target) { target.classList.add('lqa-hover'); target.scrollIntoView({block: 'nearest'}); }
  });
  // A judgement hovered or focused: its sentence (the title, as text) in the line above the matrix.
  const detail = (e) => {
    const cell = e.target.closest && e.target.closest('.lqa-jcell');
    const line = cell && q('.lqa-jdetail', cell.closest('.lqa-jmatrix'));
    if (line) line.textContent = cell.title;
  };
  document.addEventListener('mouseover', detail);
  document.addEventListener('focusin', detail);
  document.addEventListener('mouseout', (e) => {
    const chip = e.target.closest && e.target.closest('.lqa-chip');
    if (chip) document.querySelectorAll('.lqa-cite.lqa-hover').forEach((c) => c.classList.remove('lqa-hover'));
  });
  const jump = (el) => {
    const box = q('#lqa-jump textarea') || q('#lqa-jump input');
    // A row of the council page: "c:i" (its row number); a citation: "turn:n".
    const row = el.classList.contains('lqa-read') && /^\d+$/.test(el.dataset.i || '') ? el.dataset.i : null;
    // A judgement of the Judgements matrix: "j:i" (its place in the matrix's marks).
    const judged = el.classList.contains('lqa-jcell') && /^\d+$/.test(el.dataset.j || '') ? el.dataset.j : null;
    const r = row === null && judged === null ? ref(el) : null;
    if (!box || (row === null && judged === null && !r)) return;
    box.value = judged !== null ? `j:${judged}:${Date.now()}`
      : row !== null ? `c:${row}:${Date.now()}` : `${r.turn}:${r.n}:${Date.now()}`;
    // Where "Back to the answer" returns to; and the reader's mark is scrolled to again, even when the
    // same citation is opened twice (its HTML then does not change).
    cameFrom = r;
    const old = q('#lqa-letter-text mark.lqa-target');
    if (old) old.removeAttribute('data-lqa-seen');
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  let cameFrom = null;
  // "Back to the answer": the Ask tab, the chip that opened the letter in view and focused.
  const back = () => {
    const tab = [...document.querySelectorAll('#lqa-tabs [role="tab"]')].find((t) => t.textContent.trim() === 'Ask');
    if (tab) tab.click();
    const from = cameFrom;
    setTimeout(() => {
      const chip = from && q(`#lqa-chat .lqa-chip.lqa-t${from.turn}.lqa-n${from.n}`);
      if (chip) { chip.scrollIntoView({block: 'center'}); chip.focus({preventScroll: true}); }
    }, 300);
  };
  const copy = async (button) => {
    const text = q('.lqa-md', button.closest('.lqa-sources')).value;
    try { await navigator.clipboard.writeText(text); } catch (err) {
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); area.remove();
    }
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy as markdown'; }, 1500);
  };
  document.addEventListener('click', (e) => {
    const el = e.target.closest
      && e.target.closest('.lqa-chip, .lqa-open, .lqa-read, .lqa-jcell, .lqa-copy, #lqa-new-answer, #lqa-back');
    if (!el) return;
    if (el.id === 'lqa-new-answer') { toAnswer(); return; }
    if (el.id === 'lqa-back') { back(); return; }
    e.preventDefault(); e.stopPropagation();
    if (el.classList.contains('lqa-copy')) copy(el); else jump(el);
  }, true);
  document.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target.classList && e.target.classList.contains('lqa-chip')) {
      e.preventDefault(); jump(e.target);
    }
  });

  // Following new answers unless the user scrolled away (then "New answer below" jumps there).
  const scroller = () => {
    const chat = q('#lqa-chat');
    if (!chat) return null;
    for (const el of chat.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if ((style.overflowY === 'auto' || style.overflowY === 'scroll') && el.scrollHeight > el.clientHeight) return el;
    }
    return null;
  };
  // A new answer is shown from its top: its question at the top of the chat, the answer's first lines
  // under it (a long answer no longer opens at its end). `pinned` is where that left the chat.
  let following = true, seen = 0, lastText = '', pinned = -1;
  const nearBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40
    || Math.abs(el.scrollTop - pinned) < 40;
  const marker = (show) => {
    let m = q('#lqa-new-answer');
    if (!m && show) {
      const chat = q('#lqa-chat');
      if (!chat) return;
      m = document.createElement('button');
      m.id = 'lqa-new-answer'; m.type = 'button'; m.textContent = 'New answer below';
      chat.appendChild(m);
    }
    if (m) m.classList.toggle('lqa-hidden', !show);
  };
  const toAnswer = () => {
    const el = scroller();
    const users = document.querySelectorAll('#lqa-chat [data-testid="user"]');
    const asked = users.length ? (users[users.length - 1].closest('.message-row') || users[users.length - 1]) : null;
    if (el && asked) {
      const top = asked.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop - 8;
      el.scrollTop = Math.max(0, Math.min(top, el.scrollHeight - el.clientHeight));
      pinned = el.scrollTop;
    }
    following = true; marker(false);
  };
  document.addEventListener('scroll', (e) => {
    const el = scroller();
    if (el && e.target === el) { following = nearBottom(el); if (following) marker(false); }
  }, true);
  const markSelected = () => {
    const panel = q('#lqa-sources .lqa-sources');
    const turn = panel ? Number(panel.dataset.turn) : -1;
    bots().forEach((b, i) => {
      if (i === turn) { if (!b.hasAttribute('data-lqa-selected')) b.setAttribute('data-lqa-selected', ''); }
      else if (b.hasAttribute('data-lqa-selected')) b.removeAttribute('data-lqa-selected');
    });
  };
  // The question box: a live count from 80% of the limit; over it, how far over (the server refuses
  // the question and leaves it in the box).
  const LIMIT = __LQA_MAX__, fmt = (n) => n.toLocaleString('en-GB');
  const counter = () => {
    const box = q('#lqa-question textarea'), c = q('#lqa-counter');
    if (!box || !c) return;
    const n = box.value.length, over = n > LIMIT;
    const text = n >= LIMIT * 0.8
      ? `${fmt(n)} / ${fmt(LIMIT)} characters` + (over ? `: ${fmt(n - LIMIT)} over the limit` : '') : '';
    if (c.textContent !== text) c.textContent = text;
    c.classList.toggle('lqa-over', over);
    if (box.getAttribute('aria-invalid') !== String(over)) box.setAttribute('aria-invalid', String(over));
  };
  document.addEventListener('input', (e) => { if (e.target.closest && e.target.closest('#lqa-question')) counter(); });
  // Screen readers: each turn a labelled article (Gradio labels them "user's message: <markup>").
  const roles = () => {
    for (const [sel, label] of [['[data-testid="user"]', 'Your question'], ['[data-testid="bot"]', 'Answer']]) {
      document.querySelectorAll(`#lqa-chat ${sel}`).forEach((m) => {
        if (m.getAttribute('role') !== 'article') m.setAttribute('role', 'article');
        if (m.getAttribute('aria-label') !== label) m.setAttribute('aria-label', label);
      });
    }
    // A chip's name, "Source 1: Trafford 2009, private fostering", from its title (the chat's sanitiser
    // drops aria-label; the title is text, set as text).
    document.querySelectorAll('#lqa-chat .lqa-chip[title]:not([aria-label])').forEach((chip) => {
      chip.setAttribute('aria-label', chip.title.replace(/: open it in the letter$/, ''));
    });
    // The chat's message list scrolls: it takes focus, so a keyboard can scroll it (axe's
    // scrollable-region-focusable). Gradio's empty file box names a plain div, which no role allows.
    const list = q('#lqa-chat .bubble-wrap');
    if (list && !list.hasAttribute('tabindex')) { list.setAttribute('tabindex', '0'); }
    if (list && !list.hasAttribute('aria-label')) list.setAttribute('aria-label', 'Conversation');
    document.querySelectorAll('div.empty[aria-label]:not([role])').forEach((d) => d.setAttribute('role', 'img'));
  };
  const onChange = () => {
    markSelected(); counter(); roles();
    const all = bots();
    const last = all.length ? all[all.length - 1].innerText : '';
    if (all.length === seen && last === lastText) return;
    const grew = all.length > seen || last !== lastText;
    seen = all.length; lastText = last;
    if (!all.length) { following = true; marker(false); return; }
    if (!grew) return;
    // Again once the reply's markdown has settled (Gradio renders it in steps).
    if (following) { requestAnimationFrame(toAnswer); setTimeout(() => { if (following) toAnswer(); }, 250); }
    else marker(true);
  };
  new MutationObserver(() => {
    onChange();
    // A citation opened in the reader: its sentence in view and focused (a chip opened by Enter would
    // otherwise leave the focus on <body> once its tab is hidden).
    const target = q('#lqa-letter-text mark.lqa-target:not([data-lqa-seen])');
    if (target && target.getClientRects().length) {  // once its tab shows (a hidden one takes no focus)
      target.setAttribute('data-lqa-seen', ''); target.setAttribute('tabindex', '-1');
      target.scrollIntoView({block: 'center'}); target.focus({preventScroll: true});
      const reader = q('#lqa-letter-text');
      if (cameFrom && reader && !q('#lqa-back', reader)) {
        const button = document.createElement('button');
        button.id = 'lqa-back'; button.type = 'button'; button.textContent = '← Back to the answer';
        reader.prepend(button);
      }
    }
    // A council page just chosen (from the filter or a council's name in the table): bring it into view.
    const page = q('#lqa-council .lqa-council-page:not([data-lqa-seen])');
    if (page) { page.setAttribute('data-lqa-seen', ''); page.scrollIntoView({block: 'nearest'}); }
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
})();
"""
JS = JS.replace("__LQA_MAX__", str(MAX_QUESTION_CHARS))
