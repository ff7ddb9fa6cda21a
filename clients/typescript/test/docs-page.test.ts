/**
 * GET /docs in a real headless Chromium (Debian's `chromium`; CHROMIUM overrides the path; never a
 * downloaded browser): the page renders the served OpenAPI with no console error, no failed request
 * and no request to another origin, and shows the PATCH operation with the seed's description;
 * "Try it out" calls the service that serves the page. A screenshot is saved as target/docs-page.png.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { repositoryRoot, type RunningService, startService } from "./support/service.js";

let service: RunningService;
let browser: BrowserContext;
const profile = mkdtempSync(join(tmpdir(), "me-service-chromium-"));

before(async () => {
  service = await startService();
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env["CHROMIUM"] ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(profile, { recursive: true, force: true });
});

test("the reference page renders the PATCH operation and its description, all from this origin, with no console error", async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  const origins = new Set<string>();
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`${response.status()} for ${response.url()}`);
    }
  });
  page.on("request", (request) => origins.add(new URL(request.url()).origin));

  const response = await page.goto(`${service.baseUrl}/docs`, { waitUntil: "networkidle" });
  assert.equal(response?.status(), 200);
  const patch = page.locator("#operations-me-patchMe");
  await patch.waitFor({ state: "visible", timeout: 30_000 });

  const operation = await patch.innerText();
  assert.match(operation, /PATCH/);
  assert.match(operation, /\/v1\/me/);
  assert.match(operation, /Update the current user's preferences/);
  assert.match(operation, /future per-user preference keys land here without a new route/);
  assert.match(operation, /API-key principals receive 403 FORBIDDEN/);
  assert.match(operation, /America\/Los_Angeles/, "the request example");
  assert.match(operation, /TypeScript Definitions/);
  assert.match(operation, /import type \{ PatchMeBody \} from "@me-service\/client"/);
  assert.match(operation, /unknown IANA timezone/, "the INVALID_TIMEZONE example");
  assert.match(await page.locator(".info .title").innerText(), /me-service/);

  mkdirSync(join(repositoryRoot, "target"), { recursive: true });
  const screenshot = join(repositoryRoot, "target", "docs-page.png");
  // The PATCH operation at the top of the picture: its summary, description and request body.
  await patch.evaluate((element) => element.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);

  assert.deepEqual(problems, []);
  assert.deepEqual([...origins], [service.baseUrl], "every request went to the service itself");
});

test("Try it out sends GET /v1/me with the token given to Authorize to this origin, and shows the answer and the curl that made it", async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  const token = service.session(`user_docs${Date.now()}`);
  await page.goto(`${service.baseUrl}/docs`, { waitUntil: "networkidle" });

  await page.getByRole("button", { name: "Authorize" }).first().click();
  const dialog = page.locator(".dialog-ux");
  const clerk = dialog.locator(".auth-container").filter({ hasText: "clerkJWT" });
  await clerk.locator("input").fill(token);
  await clerk.locator("button.authorize").click();
  await clerk.locator("h6", { hasText: "Authorized" }).waitFor();
  await dialog.locator("button.close-modal").click();
  const get = page.locator("#operations-me-getMe");
  await get.getByRole("button", { name: "Try it out" }).click();
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.url() === `${service.baseUrl}/v1/me`),
    get.getByRole("button", { name: "Execute" }).click(),
  ]);

  assert.equal(answer.status(), 200);
  assert.equal(answer.request().headers()["authorization"], `Bearer ${token}`);
  const live = get.locator(".live-responses-table");
  await live.waitFor({ state: "visible", timeout: 30_000 });
  assert.match(await live.locator("tbody .response-col_status").first().innerText(), /^200/);
  assert.match(await live.innerText(), /"success": true/);
  const curl = await get.locator(".curl-command").innerText();
  assert.match(curl, new RegExp(`curl -X 'GET' \\\\?\\s*'${service.baseUrl}/v1/me'`), curl);
  assert.ok(curl.includes(`-H 'Authorization: Bearer ${token}'`), curl);
  await live.evaluate((element) => element.scrollIntoView({ block: "center" }));
  await page.screenshot({ path: join(repositoryRoot, "target", "docs-try-it-out.png") });
  assert.deepEqual(problems, []);
});
