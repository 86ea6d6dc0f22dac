// rehabkoll: small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A select marked data-autosubmit sends its form when changed (the button stays for keyboards).
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form && select.form.requestSubmit());
  }
  // Forms marked data-confirm ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm || "Är du säker?")) event.preventDefault();
    });
  }
  // Move focus to the message after a save, so screen readers hear it.
  const flash = document.querySelector(".flash");
  if (flash) { flash.setAttribute("tabindex", "-1"); flash.focus(); }
});
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.matches("[data-print]")) window.print();
  // A work-list row opens its patient, like the name link in it (keyboards use the link).
  if (!(target instanceof Element) || target.closest("a, button, input, select, label")) return;
  const row = target.closest("tr[data-href]");
  if (row instanceof HTMLElement && !String(window.getSelection() || "")) {
    window.location.assign(row.dataset.href || "");
  }
});
