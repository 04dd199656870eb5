// Optional: the pages work without it. It only makes filtering quicker: a changed filter
// reloads at once (no "Show" click), and typing in Search hides non-matching rows as you type.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.filters")) {
    for (const field of form.querySelectorAll("select, input[type=date]")) {
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
  // The matrix's width, set here rather than in a style attribute: the pages' policy
  // (Content-Security-Policy) allows no inline style.
  if (table) table.style.width = `calc(19rem + ${Number(table.dataset.clouds) * 36}px)`;
  if (!search || !table) return;
  const rows = Array.from(table.querySelectorAll("tbody tr[data-row]"), (row) => [
    row, (row.dataset.row + " " + row.querySelector("th").textContent).toLowerCase(),
  ]);
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const [row, text] of rows) {
      row.hidden = !words.every((word) => text.includes(word));
    }
    for (const body of table.tBodies) {
      body.hidden = !body.querySelector("tr[data-row]:not([hidden])");
    }
  });
});
