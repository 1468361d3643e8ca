// Small enhancements only: every page works without this file.
"use strict";
document.addEventListener("submit", (event) => {
  // Forms that destroy something ask first: <form data-confirm="Delete this post?">
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("input", (event) => {
  // A live count of characters left: <textarea data-limit="500" aria-describedby="counter-id"
  // data-left-one="{count} character left" data-left-other="{count} characters left">, the sentences translated by
  // the template; the page's language picks the plural form and formats the number.
  const field = event.target;
  const limit = Number(field.dataset && field.dataset.limit);
  const counter = limit && document.getElementById(field.getAttribute("aria-describedby"));
  if (!counter) return;
  const left = limit - field.value.length;
  const lang = document.documentElement.lang || undefined;
  const form = new Intl.PluralRules(lang).select(left) === "one" ? "leftOne" : "leftOther";
  const sentence = field.dataset[form] || field.dataset.leftOther || "{count} characters left";
  counter.textContent = sentence.replace("{count}", left.toLocaleString(lang));
});
document.addEventListener("change", async (event) => {
  // A credential number checked (format, check digit) once typed:
  // <input data-check-url="/verification/check" data-check-output="id"> in a form with credential_type and jurisdiction.
  const field = event.target;
  const form = field.form;
  const input = form && form.querySelector("[data-check-url]");
  if (!input || !["credential_number", "credential_type", "jurisdiction"].includes(field.name) || !input.value) return;
  const output = document.getElementById(input.dataset.checkOutput);
  const body = new URLSearchParams({csrf_token: form.elements.csrf_token.value,
    credential_type: form.elements.credential_type.value, credential_number: input.value,
    jurisdiction: form.elements.jurisdiction.value});
  try {
    const response = await fetch(input.dataset.checkUrl, {method: "POST", body, credentials: "same-origin"});
    const answer = await response.json();
    output.textContent = answer.message;
    output.classList.toggle("is-valid", answer.valid);
    output.classList.toggle("is-invalid", !answer.valid);
    input.setAttribute("aria-invalid", answer.valid ? "false" : "true");
  } catch (_) {
    output.textContent = "";  // the server checks again when the form is sent
  }
});
document.addEventListener("focusin", (event) => {
  // Links to hand out (invites) select themselves for copying: <input readonly data-copyable>
  if (event.target.matches && event.target.matches("input[data-copyable]")) event.target.select();
});
