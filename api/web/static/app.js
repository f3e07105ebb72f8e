// Progressive enhancement only: every page works without this file.
// A decision form is sent once: its button is disabled while the page waits for the answer.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
});

// A wide table or chart scrolls inside a box of its own (style.css), so the page never scrolls sideways.
// A template may write the box itself: a table already in one is left where it is.
function boxWide(selector, boxClass) {
  document.querySelectorAll(selector).forEach((wide) => {
    if (wide.parentElement.classList.contains(boxClass)) return;
    const box = document.createElement("div");
    box.className = boxClass;
    wide.before(box);
    box.append(wide);
  });
}
boxWide("table.data", "table-scroll");
boxWide("svg.chart", "chart-scroll");

// A box whose table is wider than it scrolls, so a keyboard must reach it: it takes focus (arrow keys scroll it)
// and is a region named as its table is. One that fits takes no place in the tab order.
function reachable() {
  document.querySelectorAll(".table-scroll, .chart-scroll").forEach((box) => {
    if (box.scrollWidth <= box.clientWidth + 1) { box.removeAttribute("tabindex"); return; }
    box.tabIndex = 0;
    box.setAttribute("role", "group");  // not a landmark: its section is already one, named as the table
    const inner = box.firstElementChild;
    const named = inner && (inner.getAttribute("aria-labelledby") || inner.getAttribute("aria-label"));
    if (inner && inner.getAttribute("aria-labelledby")) box.setAttribute("aria-labelledby", named);
    else if (named) box.setAttribute("aria-label", named);
    else if (inner && inner.querySelector("caption")) {
      box.setAttribute("aria-label", inner.querySelector("caption").textContent.trim());
    }
  });
}
reachable();
window.addEventListener("resize", reachable);

// A refused form comes back with what to fix: the reader's focus goes there (a keyboard or screen-reader user was
// left at the top of the page), the first field marked invalid, else the refusal itself.
const fix = document.querySelector("[aria-invalid='true']") || document.querySelector("[role='alert']");
if (fix) {
  if (!fix.matches("input, select, textarea, button, a[href]")) fix.setAttribute("tabindex", "-1");
  fix.focus();
}

// Paper shows what is folded away on screen: every closed <details> opens while the page prints, and closes after.
let openedToPrint = [];
window.addEventListener("beforeprint", () => {
  openedToPrint = [...document.querySelectorAll("details:not([open])")];
  openedToPrint.forEach((d) => { d.open = true; });
});
window.addEventListener("afterprint", () => {
  openedToPrint.forEach((d) => { d.open = false; });
  openedToPrint = [];
});
