// Optional: the pages work without it. It only makes filtering quicker: a changed filter
// reloads at once (no "Show" click), and typing in Search narrows this page's rows as you type
// (the server searches every page when the form is sent; a search that matches nothing on this
// page leaves the page as it is and says so, rather than blanking it).
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.filters")) {
    for (const field of form.querySelectorAll("select, input[type=date], input[type=checkbox]")) {
      field.addEventListener("change", () => {
        // Another maker has other families: a family chosen for the last one no longer applies.
        const family = form.elements.namedItem("family");
        if (field.name === "provider" && family) family.value = "";
        form.requestSubmit();
      });
    }
  }
  const search = document.querySelector("form.filters input[name=q]");
  const table = document.querySelector("table.matrix");
  const note = document.getElementById("search-note");
  if (!search || !table || !note) return;
  const rows = Array.from(table.querySelectorAll("tbody tr[data-row]"), (row) => [
    row, (row.dataset.row + " " + row.querySelector("th").textContent + " " +
          row.parentElement.dataset.provider).toLowerCase(),
  ]);
  const sent = search.value;
  const show = (keep) => {
    for (const [row, text] of rows) row.hidden = !keep(text);
    for (const body of table.tBodies) {
      body.hidden = !body.querySelector("tr[data-row]:not([hidden])");
    }
  };
  search.addEventListener("input", () => {
    const typed = search.value.trim();
    const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (text) => words.every((word) => text.includes(word));
    const found = rows.filter(([, text]) => matches(text)).length;
    if (!words.length || typed === sent.trim()) {
      show(() => true);
      note.textContent = "";
    } else if (found === 0) {
      show(() => true);
      note.textContent = `No model on this page matches "${typed}": press Enter or Show to search every page.`;
    } else {
      show(matches);
      note.textContent = `${found} on this page match "${typed}": press Enter or Show to search every page.`;
    }
  });
});
