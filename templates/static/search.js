// lexicon search box: suggestions while typing (ARIA combobox), from /api/suggest when `lexicon serve`
// answers, otherwise from the static zoeken/index.json. Without JavaScript the form simply submits.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.search[action]");
  if (!forms.length || !window.fetch) return;
  var base = forms[0].getAttribute("action").replace(/zoeken\/?$/, "");
  var useStatic = false;   // set after the API turned out to be absent (static hosting)
  var staticIndex = null;  // promise of [{title, url, aliases?}]

  function fold(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var wordChar = /[\p{L}\p{N}]/u;
  // 0: the name starts with q, 1: a later word does, -1: no match (the same ranking as the server).
  function rank(name, q) {
    if (name.indexOf(q) === 0) return 0;
    for (var i = 1; i < name.length; i++) {
      if (!wordChar.test(name[i - 1]) && name.indexOf(q, i) === i) return 1;
    }
    return -1;
  }
  function loadStatic() {
    if (!staticIndex) {
      staticIndex = fetch(base + "zoeken/index.json").then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) {
          list.forEach(function (e) {
            e.folded = fold(e.title);
            e.foldedAliases = (e.aliases || []).map(fold);
          });
          return list;
        }).catch(function () { return []; });
    }
    return staticIndex;
  }
  function matchStatic(list, query, limit) {
    var q = fold(query.trim()), found = [];
    if (!q) return found;
    list.forEach(function (e, order) {
      var r = rank(e.folded, q);
      if (r >= 0) return found.push({ rank: r, order: order, title: e.title, url: e.url });
      for (var k = 0; k < e.foldedAliases.length; k++) {
        r = rank(e.foldedAliases[k], q);
        if (r >= 0) return found.push({ rank: 2 + r, order: order, title: e.title, url: e.url, alias: e.aliases[k] });
      }
    });
    found.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    return found.slice(0, limit);
  }
  function suggestions(query) {
    if (!useStatic) {
      return fetch(base + "api/suggest?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("application/json") !== 0) throw new Error();
          return r.json();
        }).catch(function () {
          useStatic = true;
          return suggestions(query);
        });
    }
    return loadStatic().then(function (list) { return matchStatic(list, query, 8); });
  }

  var counter = 0;
  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var id = "suggesties-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggesties");
    list.hidden = true;
    form.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    var items = [], active = -1, timer = 0, latest = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(i) {
      var options = list.children;
      for (var k = 0; k < options.length; k++) options[k].setAttribute("aria-selected", k === i ? "true" : "false");
      active = i;
      if (i >= 0) input.setAttribute("aria-activedescendant", options[i].id);
      else input.removeAttribute("aria-activedescendant");
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = s.title;
        if (s.alias) {
          var alias = document.createElement("span");
          alias.className = "alias";
          alias.textContent = " (" + s.alias + ")";
          li.appendChild(alias);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep focus in the box
        li.addEventListener("click", function () { location.href = s.url; });
        list.appendChild(li);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = found.length ? found.length + " suggesties; kies met de pijltjestoetsen" : "";
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value;
      if (!query.trim()) return close();
      timer = setTimeout(function () {
        var ticket = ++latest;
        suggestions(query).then(function (found) {
          if (ticket === latest && document.activeElement === input) show(found || []);
        });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && items.length > 0;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!open) return;
        e.preventDefault();
        var n = items.length, step = e.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (e.key === "Enter") {
        if (open && active >= 0) {
          e.preventDefault();
          location.href = items[active].url;
        }
      } else if (e.key === "Escape") {
        if (open) {
          e.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  Array.prototype.forEach.call(forms, setUp);

  // Hosted statically, the search page has no server-rendered results: find entries by title and alias.
  var page = document.getElementById("zoekveld-pagina");
  var query = new URLSearchParams(location.search).get("q");
  if (page && query && query.trim() && !document.querySelector(".results")) {
    page.value = query;
    var header = document.getElementById("zoekveld");
    if (header) header.value = query;
    loadStatic().then(function (list) {
      var found = matchStatic(list, query, 50);
      var section = document.createElement("section");
      section.className = "results";
      var h2 = document.createElement("h2");
      h2.textContent = found.length + (found.length === 1 ? " begrip" : " begrippen") + " voor „" + query.trim() + "”";
      section.appendChild(h2);
      if (found.length) {
        var ol = document.createElement("ol");
        ol.className = "hits";
        found.forEach(function (s) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = s.url;
          a.textContent = s.title;
          li.appendChild(a);
          if (s.alias) {
            var alias = document.createElement("span");
            alias.className = "type";
            alias.textContent = " ook: " + s.alias;
            li.appendChild(alias);
          }
          ol.appendChild(li);
        });
        section.appendChild(ol);
      } else {
        var p = document.createElement("p");
        p.textContent = "Geen begrip met die naam. Gezocht is in titels en synoniemen.";
        section.appendChild(p);
      }
      page.form.insertAdjacentElement("afterend", section);
    });
  }
})();
