// Small enhancements only: every page works without this file.
"use strict";
document.addEventListener("submit", (event) => {
  // Forms that destroy something ask first: <form data-confirm="Delete this post?">
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("input", (event) => {
  // A live count of characters left: <textarea data-limit="500" aria-describedby="counter-id">
  const field = event.target;
  const limit = Number(field.dataset && field.dataset.limit);
  const counter = limit && document.getElementById(field.getAttribute("aria-describedby"));
  if (counter) counter.textContent = `${limit - field.value.length} characters left`;
});
document.addEventListener("focusin", (event) => {
  // Links to hand out (invites) select themselves for copying: <input readonly data-copyable>
  if (event.target.matches && event.target.matches("input[data-copyable]")) event.target.select();
});
