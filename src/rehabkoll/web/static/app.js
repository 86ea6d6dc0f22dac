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
  // A chart's value shows its text on keyboard focus as it does on hover (its <title>).
  for (const frame of document.querySelectorAll(".chart-frame")) {
    const tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.setAttribute("aria-hidden", "true");
    tip.hidden = true;
    frame.appendChild(tip);
    frame.addEventListener("focusin", (event) => {
      const mark = event.target;
      if (!(mark instanceof Element) || !mark.getAttribute("aria-label")) return;
      const box = mark.getBoundingClientRect();
      const outer = frame.getBoundingClientRect();
      tip.textContent = mark.getAttribute("aria-label");
      tip.style.left = `${box.left - outer.left + frame.scrollLeft}px`;
      tip.style.top = `${Math.max(box.top - outer.top - 30, 0)}px`;
      tip.hidden = false;
    });
    frame.addEventListener("focusout", () => { tip.hidden = true; });
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
