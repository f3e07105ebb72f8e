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

// A refused form comes back with what to fix: the reader's focus goes there (a keyboard or screen-reader user was
// left at the top of the page), the first field marked invalid, else the refusal itself.
const fix = document.querySelector("[aria-invalid='true']") || document.querySelector("[role='alert']");
if (fix) {
  if (!fix.matches("input, select, textarea, button, a[href]")) fix.setAttribute("tabindex", "-1");
  fix.focus();
}
