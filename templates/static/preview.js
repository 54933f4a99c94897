// Link previews (progressive enhancement): hovering or focusing a link in the text shows what
// it points to. The generator puts the target's summary in the link's title attribute; this
// script moves it into one shared tooltip (role="tooltip", aria-describedby) that stays open
// while the pointer is on it and closes with Escape. Without JavaScript the title remains.
(function () {
  'use strict';
  var links = document.querySelectorAll('.body a[title]');
  if (!links.length) return;
  var tip = document.createElement('div');
  tip.id = 'linkvoorbeeld';
  tip.className = 'preview';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  document.body.appendChild(tip);
  var current = null;
  var timer = 0;

  function place(a) {
    var r = a.getBoundingClientRect();
    var width = Math.min(360, document.documentElement.clientWidth - 16);
    var left = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - width - 8));
    tip.style.width = width + 'px';
    tip.style.left = left + window.scrollX + 'px';
    tip.style.top = r.bottom + window.scrollY + 6 + 'px';
  }
  function show(a) {
    clearTimeout(timer);
    if (current && current !== a) current.removeAttribute('aria-describedby');
    current = a;
    tip.textContent = a.getAttribute('data-preview');
    tip.hidden = false;
    place(a);
    a.setAttribute('aria-describedby', tip.id);
  }
  function hide() {
    clearTimeout(timer);
    if (current) current.removeAttribute('aria-describedby');
    current = null;
    tip.hidden = true;
  }
  function later(fn, ms) { clearTimeout(timer); timer = setTimeout(fn, ms); }

  Array.prototype.forEach.call(links, function (a) {
    var text = a.getAttribute('title');
    if (!text) return;
    a.setAttribute('data-preview', text);
    a.removeAttribute('title');  // otherwise the browser shows a second, native tooltip
    a.addEventListener('mouseenter', function () { later(function () { show(a); }, 300); });
    a.addEventListener('mouseleave', function () { later(hide, 200); });
    a.addEventListener('focus', function () { show(a); });
    a.addEventListener('blur', hide);
  });
  // The pointer may move onto the preview to read it (WCAG 1.4.13).
  tip.addEventListener('mouseenter', function () { clearTimeout(timer); });
  tip.addEventListener('mouseleave', function () { later(hide, 200); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && current) hide();
  });
})();
