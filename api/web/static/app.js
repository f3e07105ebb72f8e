// Progressive enhancement only: every page works without this file.
// A decision form is sent once: its button is disabled while the page waits for the answer.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
});
