/**
 * A real me-service for the node tests: PostgreSQL started here from the system's binaries
 * (Debian's /usr/lib/postgresql/N/bin, or PG_BIN) in a fresh temporary directory, and the built
 * production jar (`serve`, ME_SERVICE_JAR or ../../target/me-service.jar) verifying RS256 session
 * tokens signed by a key made here. Nothing is mocked; everything listens on loopback, on free
 * ports, and is stopped by {@link RunningService.stop}.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chownSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ISSUER = "https://clerk.me-service.test";
export const AUTHORIZED_PARTY = "http://localhost:3000";

export interface RunningService {
  baseUrl: string;
  databaseUrl: string;
  /** A Clerk-shaped RS256 session token of `sub`, valid for a minute. */
  session(sub: string, claims?: Record<string, unknown>): string;
  /** A new API key of `org`, made by the service's own CLI (`apikey create`). */
  apiKey(org: string): string;
  stop(): Promise<void>;
}

/** The repository root: npm runs the scripts in clients/typescript. */
export const repositoryRoot = resolve(process.cwd(), "../..");

export async function startService(): Promise<RunningService> {
  const jar = resolve(process.env["ME_SERVICE_JAR"] ?? join(repositoryRoot, "target/me-service.jar"));
  if (!existsSync(jar)) {
    throw new Error(`${jar} is missing: build it first (mvn -B -ntp -q package -DskipTests)`);
  }
  const work = mkdtempSync(join(tmpdir(), "me-service-ts-"));
  const logs = join(repositoryRoot, "target", "ts-client-test");
  mkdirSync(logs, { recursive: true });
  const processes: ChildProcess[] = [];
  try {
    const database = await startPostgres(work, logs, processes);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const port = await freePort();
    const env = {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      MANAGEMENT_PORT: "0",
      DATABASE_URL: database,
      CLERK_JWT_KEY: publicKey.export({ type: "spki", format: "pem" }).toString(),
      CLERK_ISSUER: ISSUER,
      CLERK_AUTHORIZED_PARTIES: AUTHORIZED_PARTY,
      // The tests make a few dozen calls for a handful of users; limiting is tested in Java.
      RATE_LIMIT_PER_SECOND: "0",
      LOG_FORMAT: "text",
      // A loaded CI machine can take seconds to open a first connection (the Java suites do the same).
      DB_CONNECT_TIMEOUT_MS: "10000",
    };
    const service = spawn("java", ["-jar", jar, "serve"], { cwd: repositoryRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    processes.push(service);
    const log = createWriteStream(join(logs, "service.log"));
    service.stdout?.pipe(log);
    service.stderr?.pipe(log);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await fetch(`${baseUrl}/health/ready`)).status === 200, service, 90_000,
      `me-service on ${baseUrl} (log: ${join(logs, "service.log")})`);
    return {
      baseUrl,
      databaseUrl: database,
      session: (sub, claims = {}) => sign(privateKey, sub, claims),
      apiKey: (org) => {
        const printed = execFileSync("java", ["-jar", jar, "apikey", "create", "--org", org, "--name", "node test"],
          { cwd: repositoryRoot, env: { ...env, LOG_LEVEL: "WARN", LOG_ROOT_LEVEL: "WARN" }, encoding: "utf8" });
        const key = /mek_[0-9A-Za-z]{43}/.exec(printed);
        if (!key) {
          throw new Error(`apikey create printed no key:\n${printed}`);
        }
        return key[0];
      },
      stop: () => stopAll(processes, work),
    };
  } catch (error) {
    await stopAll(processes, work);
    throw error;
  }
}

function sign(key: KeyObject, sub: string, extra: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: "node-test" };
  const claims = { iss: ISSUER, azp: AUTHORIZED_PARTY, sub, sid: `sess_${sub}`, iat: now - 1, nbf: now - 10, exp: now + 60, ...extra };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign("RSA-SHA256").update(input).sign(key);
  return `${input}.${signature.toString("base64url")}`;
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** initdb and postgres in `work`; as root they run as the `postgres` user, since PostgreSQL refuses root. */
async function startPostgres(work: string, logs: string, processes: ChildProcess[]): Promise<string> {
  const bin = postgresBin();
  const data = join(work, "pgdata");
  const sockets = join(work, "sockets");
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sockets);
  const asPostgres = (command: string, args: string[]): [string, string[]] => {
    if (process.getuid?.() !== 0) {
      return [join(bin, command), args];
    }
    return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", join(bin, command), ...args]];
  };
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    for (const path of [work, data, sockets]) {
      chownSync(path, uid, gid);
    }
  }
  const [initdb, initdbArgs] = asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  execFileSync(initdb, initdbArgs, { stdio: ["ignore", "ignore", "pipe"] });
  const port = await freePort();
  const [postgres, postgresArgs] = asPostgres("postgres", ["-D", data, "-p", String(port), "-k", sockets,
    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100"]);
  const server = spawn(postgres, postgresArgs, { stdio: ["ignore", "pipe", "pipe"] });
  processes.push(server);
  const log = createWriteStream(join(logs, "postgres.log"));
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  await waitUntil(() => Promise.resolve(readFileSync(join(logs, "postgres.log"), "utf8")
    .includes("database system is ready to accept connections")), server, 30_000, "PostgreSQL");
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
}

function postgresBin(): string {
  const configured = process.env["PG_BIN"];
  if (configured) {
    return configured;
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql) and PG_BIN unset");
  }
  return join(root, versions[0]!, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls `condition` (errors count as "not yet") until it holds, the process dies, or time runs out. */
async function waitUntil(condition: () => Promise<boolean>, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      if (await condition()) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
}

/** The service first (it drains and closes its pool), the database last; then the files. */
async function stopAll(processes: ChildProcess[], work: string): Promise<void> {
  for (const child of [...processes].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      continue;
    }
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    // SIGTERM: the service's graceful shutdown; SIGINT: PostgreSQL's fast shutdown.
    child.kill(child === processes[0] ? "SIGINT" : "SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(work, { recursive: true, force: true });
}
