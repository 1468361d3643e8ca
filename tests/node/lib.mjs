// What every script shares: its input is JSON on stdin ({base_url, token, ...}), its answer JSON on stdout;
// a failed check or a client error exits non-zero with the message on stderr (the Python test shows it).
import { createECDH, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

export async function run(main) {
  try {
    const answer = await main(JSON.parse(readFileSync(0, "utf8")));
    process.stdout.write(JSON.stringify(answer ?? {}));
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n${JSON.stringify(error?.response?.data ?? "")}\n`);
    process.exit(1);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function image(path) {
  return new Blob([readFileSync(path)], { type: "image/png" });
}

// A browser's Web Push keys, as apps send them in `subscription[keys]`: a P-256 public key and a 16-byte secret.
export function pushKeys() {
  const ecdh = createECDH("prime256v1");
  return { p256dh: ecdh.generateKeys("base64url"), auth: randomBytes(16).toString("base64url") };
}

export function later(minutes) {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}

// A member's browser on /oauth/authorize: log in on the consent form and authorize; the out-of-band
// redirect shows the code on the page, as a member would copy it into the app.
export async function consent(authorizeUrl, username, password) {
  const page = await fetch(authorizeUrl);
  const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const html = await page.text();
  const csrf = html.match(/name="csrf_token" value="([^"]+)"/)?.[1];
  check(csrf, `a consent form at ${authorizeUrl}`);
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  for (const [name, value] of Object.entries({ csrf_token: csrf, username, password, decision: "authorize" })) {
    form.set(name, value);
  }
  const done = await fetch(new URL("/oauth/authorize", authorizeUrl), { method: "POST", body: form,
    headers: { cookie }, redirect: "manual" });
  const code = (await done.text()).match(/<code class="code">([^<]+)<\/code>/)?.[1];
  check(code, `an authorization code (status ${done.status})`);
  return code;
}
