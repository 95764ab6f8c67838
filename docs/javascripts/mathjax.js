// MathJax for the equations written with pymdownx.arithmatex (generic mode).
// The configuration is set first; MathJax itself is then loaded from a CDN, so
// building the site never fetches anything: the browser does, when a page is read.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

(function () {
  var script = document.createElement("script");
  script.src = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js";
  script.async = true;
  script.id = "MathJax-script";
  document.head.appendChild(script);
})();

// With mkdocs-material's instant navigation, typeset each newly loaded page.
if (typeof document$ !== "undefined") {
  document$.subscribe(function () {
    if (window.MathJax && window.MathJax.typesetPromise) {
      window.MathJax.typesetPromise();
    }
  });
}
