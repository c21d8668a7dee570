// Measures the class report's layout in the browser and writes what it found into
// <body data-layout="...">, which the test reads back from Chromium's --dump-dom.
(function () {
  function lines(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var tops = {}, rects = range.getClientRects();
    for (var i = 0; i < rects.length; i++) {
      if (rects[i].width > 0) tops[Math.round(rects[i].top)] = true;
    }
    return Object.keys(tops).length;
  }
  var root = document.documentElement;
  var found = {
    scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, scores: 0,
    wrappedScores: [], clippedLabels: [], tableScrolls: false, tallNarrow: []
  };
  var cells = document.querySelectorAll(
    "#scores td[data-column=score], #scores td[data-column=percent]");
  cells.forEach(function (cell) {
    found.scores += 1;
    if (lines(cell) > 1) found.wrappedScores.push(cell.textContent);
  });
  document.querySelectorAll("svg").forEach(function (svg) {
    var box = svg.viewBox.baseVal;
    svg.querySelectorAll("text").forEach(function (text) {
      var b = text.getBBox();
      if (b.x < -0.5 || b.x + b.width > box.width + 0.5) found.clippedLabels.push(text.textContent);
    });
    if (svg.getBoundingClientRect().right > root.clientWidth + 0.5) {
      found.clippedLabels.push("the whole chart " + svg.getAttribute("aria-label"));
    }
  });
  var table = document.getElementById("scores");
  found.tableScrolls = table.getBoundingClientRect().width > table.parentElement.clientWidth + 0.5;
  table.querySelectorAll("td, th").forEach(function (cell) {
    if (cell.getBoundingClientRect().width < 90 && lines(cell) > 3) {
      found.tallNarrow.push(cell.dataset.column || cell.textContent.slice(0, 40));
    }
  });
  document.body.setAttribute("data-layout", JSON.stringify(found));
})();
