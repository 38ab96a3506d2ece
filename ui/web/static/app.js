(() => {
  const q = (sel, root = document) => root.querySelector(sel);
  const bots = () => document.querySelectorAll('#lqa-chat [data-testid="bot"]');
  // On a phone the chat is the page (style.css: its message list does not scroll): the page scrolls.
  const paged = () => {
    const wrap = q('#lqa-chat .bubble-wrap');
    return !!wrap && getComputedStyle(wrap).overflowY === 'visible';
  };
  // Our own numbers: data-turn/data-n in the sources panel, classes lqa-t3 lqa-n1 on a chip.
  const ref = (el) => {
    if (el.dataset.turn) return {turn: el.dataset.turn, n: el.dataset.n};
    const t = /(?:^| )lqa-t(\d+)(?: |$)/.exec(el.className), n = /(?:^| )lqa-n(\d+)(?: |$)/.exec(el.className);
    return t && n ? {turn: t[1], n: n[1]} : null;
  };
  const cite = (el) => {
    const r = ref(el);
    // A card may hold several numbers (a passage's merged excerpts, a grade table): data-ns lists them.
    return r && q(`#lqa-sources .lqa-sources[data-turn="${r.turn}"] .lqa-cite[data-ns~="${r.n}"]`);
  };
  document.addEventListener('mouseover', (e) => {
    const chip = e.target.closest && e.target.closest('.lqa-chip');
    // Not on a touch screen: a tap's emulated hover would scroll the page under the finger first.
    if (!chip || matchMedia('(hover: none)').matches) return;
    const target = cite(chip);
    if (!target) return;
    target.classList.add('lqa-hover');
    // Where the chat is the page, its sources lie far below it: the card is marked, the page not moved.
    if (!paged()) target.scrollIntoView({block: 'nearest'});
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
    if (paged()) return document.scrollingElement;
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
      const base = el === document.scrollingElement ? 0 : el.getBoundingClientRect().top;
      const top = asked.getBoundingClientRect().top - base + el.scrollTop - 8;
      el.scrollTop = Math.max(0, Math.min(top, el.scrollHeight - el.clientHeight));
      pinned = el.scrollTop;
    }
    following = true; marker(false);
  };
  document.addEventListener('scroll', (e) => {
    const el = scroller();
    const target = e.target === document ? document.scrollingElement : e.target;
    if (el && target === el) { following = nearBottom(el); if (following) marker(false); }
  }, true);
  // A question asked where the chat is the page: its answer is brought into view, wherever the
  // page was scrolled to (the box stays at the window's foot while the conversation scrolls).
  const asking = (e) => {
    if (!paged()) return;
    if (e.type === 'click' ? e.target.closest && e.target.closest('#lqa-ask, #lqa-examples')
      : e.key === 'Enter' && !e.shiftKey && e.target.closest && e.target.closest('#lqa-question')) following = true;
  };
  document.addEventListener('click', asking, true);
  document.addEventListener('keydown', asking, true);
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
  // --- issue 25: the Ratings chart (ratings.chart_html). A part of a bar, clicked or tapped, lists its
  // councils under the chart (a phone cannot hover); again, or another part, closes the list.
  document.addEventListener('click', (e) => {
    const seg = e.target.closest && e.target.closest('#lqa-chart .lqa-seg');
    if (!seg || !/^\d+$/.test(seg.dataset.list || '')) return;
    const chart = seg.closest('.lqa-chart'), list = q(`#lqa-chart-list-${seg.dataset.list}`, chart);
    const open = seg.getAttribute('aria-expanded') !== 'true';
    chart.querySelectorAll('.lqa-seg[aria-expanded="true"]').forEach((s) => s.setAttribute('aria-expanded', 'false'));
    chart.querySelectorAll('.lqa-chart-list').forEach((l) => { l.hidden = true; });
    if (list && open) { list.hidden = false; seg.setAttribute('aria-expanded', 'true'); list.scrollIntoView({block: 'nearest'}); }
  });
  // --- end of issue 25, the Ratings chart
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
