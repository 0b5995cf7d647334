/**
 * The drift report's script, inlined into the HTML file. It only reads the table the
 * renderer wrote (each row carries data-category, data-target, data-school, data-severity
 * and data-status), filters and sorts it, and draws the two bar charts as inline SVG from
 * the rows currently shown, so the charts follow the filters. Plain ES2017, no library,
 * no network: the file must open from disk in any browser.
 */
export const DRIFT_HTML_SCRIPT = `
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var table = document.getElementById('items');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.querySelectorAll('tr[data-category]'));
  var controls = {
    category: document.getElementById('f-category'),
    target: document.getElementById('f-target'),
    school: document.getElementById('f-school'),
    severity: document.getElementById('f-severity'),
    status: document.getElementById('f-status'),
    q: document.getElementById('f-q')
  };
  var countEl = document.getElementById('shown');
  var palette = JSON.parse(document.getElementById('palette').textContent);
  var titles = JSON.parse(document.getElementById('titles').textContent);
  var sevRank = { high: 0, medium: 1, low: 2 };
  var text = rows.map(function (r) { return r.textContent.toLowerCase(); });

  function visible() {
    var q = controls.q.value.trim().toLowerCase();
    var shown = [];
    rows.forEach(function (r, i) {
      var d = r.dataset;
      var ok = (!controls.category.value || d.category === controls.category.value) &&
        (!controls.target.value || d.target === controls.target.value) &&
        (!controls.school.value || d.school === controls.school.value) &&
        (!controls.severity.value || d.severity === controls.severity.value) &&
        (!controls.status.value || d.status === controls.status.value) &&
        (!q || text[i].indexOf(q) !== -1);
      r.hidden = !ok;
      if (ok) shown.push(r);
    });
    return shown;
  }

  function el(name, attrs, txt) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (txt !== undefined) e.textContent = txt;
    return e;
  }

  function barChart(svg, entries, colorOf, labelOf, titleOf) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var longest = entries.reduce(function (m, e) { return Math.max(m, labelOf(e[0]).length); }, 4);
    var width = 560, left = Math.min(260, 16 + longest * 7), right = 44, bar = 20, gap = 8, top = 6;
    var height = Math.max(1, entries.length) * (bar + gap) + top + 4;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('height', String(height));
    if (entries.length === 0) {
      svg.appendChild(el('text', { x: 0, y: 18, 'class': 'empty' }, 'No items match the filters.'));
      return;
    }
    var max = entries.reduce(function (m, e) { return Math.max(m, e[1]); }, 1);
    entries.forEach(function (e, i) {
      var y = top + i * (bar + gap);
      var w = Math.max(2, Math.round((width - left - right) * e[1] / max));
      var label = labelOf(e[0]);
      var g = el('g', { 'data-key': e[0] });
      g.appendChild(el('title', {}, (titleOf ? titleOf(e[0]) : label) + ': ' + e[1]));
      g.appendChild(el('text', { x: left - 8, y: y + bar / 2 + 4, 'text-anchor': 'end' }, label.length > 36 ? label.slice(0, 35) + '\\u2026' : label));
      g.appendChild(el('rect', { x: left, y: y, width: w, height: bar, rx: 3, fill: colorOf(e[0], i) }));
      g.appendChild(el('text', { x: left + w + 6, y: y + bar / 2 + 4 }, String(e[1])));
      svg.appendChild(g);
    });
  }

  function countBy(shown, key) {
    var m = {};
    shown.forEach(function (r) { var k = r.dataset[key] || '(none)'; m[k] = (m[k] || 0) + 1; });
    return m;
  }

  function draw(shown) {
    var bySchool = countBy(shown, 'school');
    var schools = Object.keys(bySchool).sort().map(function (k) { return [k, bySchool[k]]; });
    barChart(document.getElementById('chart-school'), schools, function () { return '#2f4b7c'; }, function (k) { return k; });
    var byCat = countBy(shown, 'category');
    var cats = Object.keys(titles).filter(function (k) { return byCat[k]; }).map(function (k) { return [k, byCat[k]]; });
    barChart(document.getElementById('chart-category'), cats, function (k) { return palette[k] || '#888'; }, function (k) { return k; }, function (k) { return titles[k] || k; });
  }

  function update() {
    var shown = visible();
    countEl.textContent = 'Showing ' + shown.length + ' of ' + rows.length + ' item(s)';
    var none = document.getElementById('no-match');
    if (none) none.hidden = shown.length !== 0 || rows.length === 0;
    draw(shown);
  }

  var sortState = { key: null, dir: 1 };
  function sortBy(th) {
    var key = th.getAttribute('data-sort');
    sortState.dir = sortState.key === key ? -sortState.dir : 1;
    sortState.key = key;
    Array.prototype.forEach.call(table.tHead.querySelectorAll('th'), function (h) { h.classList.remove('asc', 'desc'); });
    th.classList.add(sortState.dir === 1 ? 'asc' : 'desc');
    var value = function (r) {
      if (key === 'severity') return String(sevRank[r.dataset.severity]);
      var cell = r.querySelector('[data-col="' + key + '"]');
      return cell ? cell.textContent.trim().toLowerCase() : '';
    };
    var sorted = rows.slice().sort(function (a, b) {
      var va = value(a), vb = value(b);
      return (va < vb ? -1 : va > vb ? 1 : Number(a.dataset.order) - Number(b.dataset.order)) * sortState.dir;
    });
    sorted.forEach(function (r) { tbody.appendChild(r); });
  }

  Array.prototype.forEach.call(table.tHead.querySelectorAll('th[data-sort]'), function (th) {
    th.addEventListener('click', function () { sortBy(th); });
  });
  ['category', 'target', 'school', 'severity', 'status'].forEach(function (k) { controls[k].addEventListener('change', update); });
  controls.q.addEventListener('input', update);
  Array.prototype.forEach.call(document.querySelectorAll('[data-filter-category]'), function (a) {
    a.addEventListener('click', function (ev) { ev.preventDefault(); controls.category.value = a.getAttribute('data-filter-category'); update(); });
  });
  update();
})();
`;
