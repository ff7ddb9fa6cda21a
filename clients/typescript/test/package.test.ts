/**
 * The package as a dashboard app gets it: `npm pack` (whose `prepare` builds dist/), the tarball
 * installed into a scratch project with its own strict tsc, and used from there against a real
 * service. A misspelt preference key in `patchMe` fails that project's build.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type RunningService, startService } from "./support/service.js";

const packageRoot = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), "me-service-dashboard-"));
const typescriptVersion = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
}).devDependencies["typescript"]!;
let service: RunningService;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });
}

function tsc() {
  return spawnSync(process.execPath, [join(scratch, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--noEmit"],
    { cwd: scratch, encoding: "utf8" });
}

before(async () => {
  service = await startService();
  npm(["pack", "--pack-destination", scratch], packageRoot);
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"))!;
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "dashboard", private: true, type: "module" }));
  npm(["install", `./${tarball}`, `typescript@${typescriptVersion}`], scratch);
});

after(async () => {
  await service?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function project(source: string) {
  writeFileSync(join(scratch, "app.ts"), source);
  writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], strict: true, types: [] },
    files: ["app.ts"],
  }));
  return tsc();
}

test("the tarball holds the built package and nothing else", () => {
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"))!;
  const listed = execFileSync("tar", ["-tzf", join(scratch, tarball)], { encoding: "utf8" }).trim().split("\n").sort();
  assert.ok(listed.includes("package/dist/index.js") && listed.includes("package/dist/index.d.ts"), listed.join("\n"));
  assert.deepEqual(listed.filter((f) => !f.startsWith("package/dist/") && !["package/package.json", "package/README.md"].includes(f)), []);
});

test("installed, it type-checks strictly and calls the service with a session from getToken", async () => {
  const compiled = project(`
import { createMeClient, type Me, type PatchMeBody } from "@me-service/client";
declare const process: { env: Record<string, string | undefined> };

const client = createMeClient({ baseUrl: process.env["BASE_URL"]!, getToken: async () => process.env["TOKEN"] ?? null });
const body: PatchMeBody = { preferences: { timezone: "America/Los_Angeles" } };
const written = await client.patchMe(body);
const me: Me | undefined = (await client.getMe()).data?.data;
console.log(JSON.stringify({ status: written.response.status, timezone: me?.preferences.timezone }));
`);
  assert.equal(compiled.status, 0, compiled.stdout + compiled.stderr);

  execFileSync(join(scratch, "node_modules/.bin/tsc"), ["-p", "tsconfig.json", "--outDir", "out"], { cwd: scratch });
  const printed = execFileSync(process.execPath, [join(scratch, "out/app.js")], {
    cwd: scratch, encoding: "utf8", env: { ...process.env, BASE_URL: service.baseUrl, TOKEN: service.session(`user_pkg${Date.now()}`) },
  });
  assert.deepEqual(JSON.parse(printed), { status: 200, timezone: "America/Los_Angeles" });
});

test("installed, a misspelt preference key in patchMe fails the app's build", () => {
  const compiled = project(`
import { createMeClient } from "@me-service/client";

const client = createMeClient({ baseUrl: "http://127.0.0.1:8080", getToken: async () => null });
await client.patchMe({ preferences: { tz: "UTC" } });
`);
  assert.notEqual(compiled.status, 0);
  assert.match(compiled.stdout, /app\.ts\(5,39\): error TS2353: Object literal may only specify known properties, and 'tz' does not exist/);
});
