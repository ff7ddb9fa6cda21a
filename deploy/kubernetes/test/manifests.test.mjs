/**
 * deploy/kubernetes, rendered as `kubectl kustomize` renders it (the base and each overlay), checked
 *   1. against Kubernetes' schemas: each object validated by kubernetes-models (required fields,
 *      types, formats) and, strictly, compiled by tsc as its typed model, so a misspelt field fails;
 *   2. against the service: every variable the Deployment sets is one the configuration loader reads
 *      and accepts, secrets come from the Secret only, ports, probes and the grace period agree with
 *      the settings;
 *   3. by running the pod as the base describes it: the built jar with the image's JVM options
 *      (IMAGE_JAVA_OPTS, read from the Dockerfile by .ci/kubernetes.sh) under the container's
 *      limits, as its user, on a read-only root filesystem with only the emptyDir at /tmp writable,
 *      with the manifest's environment and ports; the probes answer, a session is served, and the
 *      memory the JVM can reach fits in the limit.
 * Run by .ci/kubernetes.sh, as root, in a network namespace of its own (the manifest's ports).
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createSign, generateKeyPairSync } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const kubernetes = join(root, "deploy/kubernetes");
const jar = process.env.ME_SERVICE_JAR ?? join(root, "target/me-service.jar");
const java = process.env.JAVA ?? "java";
const imageJavaOptions = (process.env.IMAGE_JAVA_OPTS ?? "").split(/\s+/).filter(Boolean);
const variants = { base: join(kubernetes, "base"), pgbouncer: join(kubernetes, "overlays/pgbouncer") };
/** Settings whose values carry credentials: only ever from a Secret. */
const SECRET_SETTINGS = /^DATABASE_(\w+_)?URL$/;
/** Main.stopWithin's bound past delay + grace: the pool's close (Database.CLOSE_SECONDS), App.stop's margin, Vert.x's close. */
const SHUTDOWN_AFTER_GRACE_SECONDS = 5 + 5 + 5;

/** apiVersion/kind to its kubernetes-models module and class. */
const MODELS = {
  "v1/ConfigMap": ["v1/ConfigMap", "ConfigMap"],
  "v1/Secret": ["v1/Secret", "Secret"],
  "v1/Service": ["v1/Service", "Service"],
  "apps/v1/Deployment": ["apps/v1/Deployment", "Deployment"],
  "policy/v1/PodDisruptionBudget": ["policy/v1/PodDisruptionBudget", "PodDisruptionBudget"],
  "autoscaling/v2/HorizontalPodAutoscaler": ["autoscaling/v2/HorizontalPodAutoscaler", "HorizontalPodAutoscaler"],
  "networking.k8s.io/v1/NetworkPolicy": ["networking.k8s.io/v1/NetworkPolicy", "NetworkPolicy"],
};

function render(directory) {
  const text = execFileSync("kubectl", ["kustomize", directory], { encoding: "utf8" });
  return parseAllDocuments(text).map((document) => document.toJS());
}

/** The Secret's shape the variant documents (secret.example.yaml: its own, else the base's). */
function exampleSecret(directory) {
  const own = join(directory, "secret.example.yaml");
  return parse(readFileSync(existsSync(own) ? own : join(variants.base, "secret.example.yaml"), "utf8"));
}

function only(objects, kind) {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
}

/** The jar's defaults (conf/config.json, built into it): what a setting is when the manifest leaves it out. */
const defaults = JSON.parse(readFileSync(join(root, "conf/config.json"), "utf8"));

/**
 * The environment the container gets: the ConfigMaps of envFrom, then env (values, or Secret keys
 * looked up in the documented Secret). Fails on any other source.
 */
function podEnvironment(objects, secret) {
  const container = only(objects, "Deployment").spec.template.spec.containers[0];
  const env = {};
  const fromSecret = new Set();
  for (const source of container.envFrom ?? []) {
    assert.ok(source.configMapRef && !source.prefix, `envFrom takes whole ConfigMaps: ${JSON.stringify(source)}`);
    const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === source.configMapRef.name);
    assert.ok(configMap, `the ConfigMap ${source.configMapRef.name} is rendered with the Deployment`);
    Object.assign(env, configMap.data);
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      assert.equal(ref.name, secret.metadata.name, `${variable.name} comes from the documented Secret`);
      assert.ok(ref.key in secret.stringData, `${variable.name}: the Secret has the key ${ref.key}`);
      env[variable.name] = secret.stringData[ref.key];
      fromSecret.add(variable.name);
    } else {
      assert.ok("value" in variable && !variable.valueFrom, `${variable.name}: a value or a Secret key`);
      env[variable.name] = variable.value;
    }
  }
  return { env, fromSecret };
}

/** The names the configuration loader reads, asked of the built service; fails when it refuses a value. */
function settingsRead(env) {
  const folder = mkdtempSync(join(tmpdir(), "me-service-settings-"));
  try {
    return JSON.parse(execFileSync(java, ["-cp", `${join(root, "target/test-classes")}:${jar}`, "meservice.support.SettingsRead"],
      { cwd: folder, env: { PATH: process.env.PATH, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (error) {
    assert.fail(`the service refuses the manifest's settings: ${error.stderr ?? error}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function setting(env, name) {
  return env[name] ?? String(defaults[name]);
}

function containerPort(container, port) {
  if (typeof port === "number") {
    return port;
  }
  const named = container.ports.find((p) => p.name === port);
  assert.ok(named, `the container declares the port ${port}`);
  return named.containerPort;
}

/** Kubernetes quantities as used here: 768Mi, 1Gi, 512M; "2", 500m. */
function bytes(quantity) {
  const match = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(String(quantity));
  assert.ok(match, `a memory quantity: ${quantity}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 }[match[2]] ?? 1;
  return Number(match[1]) * unit;
}

function cpus(quantity) {
  const text = String(quantity);
  return text.endsWith("m") ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

/** -XX:Name=128m among the image's options, in bytes. */
function jvmSize(name) {
  const option = imageJavaOptions.find((o) => o.startsWith(`-XX:${name}=`));
  assert.ok(option, `the image's JVM options set ${name} (IMAGE_JAVA_OPTS: ${imageJavaOptions.join(" ")})`);
  const match = /=(\d+)([kmg])?$/i.exec(option);
  return Number(match[1]) * ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? "").toLowerCase()] ?? 1);
}

for (const [variant, directory] of Object.entries(variants)) {
  describe(`deploy/kubernetes ${variant === "base" ? "base" : `overlay ${variant}`}`, () => {
    const objects = render(directory);
    const secret = exampleSecret(directory);
    const deployment = only(objects, "Deployment");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    test("renders a Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy and its settings' ConfigMap", () => {
      assert.deepEqual(objects.map((o) => o.kind).sort(),
        ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service"]);
    });

    test("every object, and the documented Secret, is valid against Kubernetes' schemas", async () => {
      for (const object of [...objects, secret]) {
        const model = MODELS[`${object.apiVersion}/${object.kind}`];
        assert.ok(model, `a schema for ${object.apiVersion} ${object.kind}`);
        const { [model[1]]: Model } = await import(`kubernetes-models/${model[0]}`);
        assert.doesNotThrow(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`);
      }
    });

    test("the selectors of the Service, PodDisruptionBudget, NetworkPolicy and autoscaler find the Deployment's pods", () => {
      const labels = deployment.spec.template.metadata.labels;
      const selects = (selector) => Object.entries(selector).every(([k, v]) => labels[k] === v);
      assert.ok(selects(deployment.spec.selector.matchLabels));
      assert.ok(selects(only(objects, "Service").spec.selector));
      assert.ok(selects(only(objects, "PodDisruptionBudget").spec.selector.matchLabels));
      assert.ok(selects(only(objects, "NetworkPolicy").spec.podSelector.matchLabels));
      const target = only(objects, "HorizontalPodAutoscaler").spec.scaleTargetRef;
      assert.deepEqual([target.kind, target.name], ["Deployment", deployment.metadata.name]);
      assert.equal(deployment.spec.replicas, undefined, "the autoscaler owns the replica count");
    });

    test("every variable the pod gets is a setting the service reads, with a value it accepts, and credentials come from the Secret", () => {
      const { env, fromSecret } = podEnvironment(objects, secret);
      const read = settingsRead(env);

      assert.deepEqual(Object.keys(env).filter((name) => !read.includes(name)), [], "variables the service never reads");
      for (const name of Object.keys(env).filter((n) => SECRET_SETTINGS.test(n))) {
        assert.ok(fromSecret.has(name), `${name} holds a password: from the Secret, never a ConfigMap`);
      }
      for (const configMap of objects.filter((o) => o.kind === "ConfigMap")) {
        for (const [name, value] of Object.entries(configMap.data)) {
          assert.doesNotMatch(value, /:\/\/[^/@\s]*:[^/@\s]*@/, `${configMap.metadata.name} ${name} holds a password`);
        }
      }
      for (const key of Object.keys(secret.stringData)) {
        assert.ok(container.env.some((v) => v.valueFrom?.secretKeyRef?.key === key), `the Secret's ${key} reaches the pod`);
      }
    });

    test("the API port is PORT, the probes use declared ports and the health paths, the scrape port is the management port", () => {
      const { env } = podEnvironment(objects, secret);
      assert.equal(containerPort(container, "http"), Number(setting(env, "PORT")));
      assert.equal(only(objects, "Service").spec.ports[0].targetPort, "http");
      for (const [probe, path] of [["startupProbe", "/health/live"], ["livenessProbe", "/health/live"], ["readinessProbe", "/health/ready"]]) {
        assert.equal(container[probe].httpGet.path, path, probe);
        assert.equal(containerPort(container, container[probe].httpGet.port), containerPort(container, "http"), `${probe} on the API port`);
      }
      const annotations = deployment.spec.template.metadata.annotations;
      assert.equal(Number(annotations["prometheus.io/port"]), containerPort(container, "management"));
      assert.equal(annotations["prometheus.io/path"], "/metrics");
    });

    test("SIGTERM's whole shutdown fits in the grace period, and readiness fails before the server stops accepting", () => {
      const { env } = podEnvironment(objects, secret);
      const delay = Number(setting(env, "SHUTDOWN_DELAY_SECONDS"));
      const drain = Number(setting(env, "SHUTDOWN_GRACE_SECONDS"));
      assert.ok(pod.terminationGracePeriodSeconds > delay + drain + SHUTDOWN_AFTER_GRACE_SECONDS,
        `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > ${delay} + ${drain} + ${SHUTDOWN_AFTER_GRACE_SECONDS}`);
      const readiness = container.readinessProbe;
      assert.ok(readiness.periodSeconds * readiness.failureThreshold + readiness.timeoutSeconds < delay,
        `readiness fails within ${readiness.periodSeconds * readiness.failureThreshold + readiness.timeoutSeconds} s, under the ${delay} s delay`);
    });

    test("the pod runs as a non-root user on a read-only root, without privileges, capabilities or the API token", () => {
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.ok(pod.securityContext.runAsUser > 0);
      assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"]);
      assert.equal(container.securityContext.capabilities.add, undefined);
      assert.deepEqual(container.volumeMounts.map((m) => m.mountPath), ["/tmp"]);
      assert.ok(pod.volumes.every((v) => v.emptyDir && v.emptyDir.sizeLimit), "only size-limited emptyDirs");
      assert.deepEqual(pod.topologySpreadConstraints.map((c) => c.topologyKey), ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    });
  });
}

test("every object is exactly its typed model: a field Kubernetes does not know fails tsc (strict)", () => {
  const build = join(here, "build");
  mkdirSync(build, { recursive: true });
  const imports = new Map();
  const constants = [];
  for (const [variant, directory] of Object.entries(variants)) {
    [...render(directory), exampleSecret(directory)].forEach((object, index) => {
      const [module, kind] = MODELS[`${object.apiVersion}/${object.kind}`];
      imports.set(kind, `import type { I${kind} } from "kubernetes-models/${module}";`);
      constants.push(`export const ${variant}${index}: I${kind} = ${JSON.stringify(object, null, 2)};`);
    });
  }
  const file = join(build, "manifests.ts");
  writeFileSync(file, `${[...imports.values()].join("\n")}\n\n${constants.join("\n\n")}\n`);
  try {
    execFileSync(process.execPath, [join(here, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--skipLibCheck",
      "--module", "nodenext", "--moduleResolution", "nodenext", file], { cwd: here, encoding: "utf8" });
  } catch (error) {
    assert.fail(`tsc rejects the rendered manifests (${file}):\n${error.stdout}`);
  }
});

describe("the base's pod, run as it describes", () => {
  const objects = render(variants.base);
  const secret = exampleSecret(variants.base);
  const pod = only(objects, "Deployment").spec.template.spec;
  const container = pod.containers[0];
  // Under target/: on the root filesystem, so read-only for the pod; open to the postgres user and the pod's.
  const work = mkdtempSync(join(root, "target", "k8s-pod-"));
  chmodSync(work, 0o755);
  const logs = join(root, "target", "k8s-pod");
  const processes = [];
  let service;
  let output = "";
  let exit;
  let env;
  let signing;
  let jwks;

  before(async () => {
    mkdirSync(logs, { recursive: true });
    const database = await startPostgres(work, logs, processes);
    signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
    jwks = await serveJwks(signing.publicKey);
    ({ env } = podEnvironment(objects, secret));
    // What points outside the pod points at this test's stand-ins; every other value is the manifest's.
    env.DATABASE_URL = database;
    env.CLERK_JWKS_URL = `http://127.0.0.1:${jwks.address().port}/jwks.json`;
    // A loaded 2-core CI machine can take more than production's 1 s for a first connection.
    env.DB_CONNECT_TIMEOUT_MS = "10000";
    service = startPod(env);
    processes.unshift(service);
  });

  after(async () => {
    await stopAll(processes);
    jwks?.close();
    rmSync(work, { recursive: true, force: true });
  });

  function startPod(environment) {
    const app = join(work, "app");
    mkdirSync(app);
    copyFileSync(jar, join(app, "me-service.jar"));
    const uid = pod.securityContext.runAsUser;
    const gid = pod.securityContext.runAsGroup;
    // A mount namespace of the JVM's own: the root filesystem read-only (so the folder of the jar,
    // the working directory, is too) and a fresh, size-limited tmpfs for each emptyDir mounted.
    const emptyDirs = (container.volumeMounts ?? []).map((mount) => {
      const volume = pod.volumes.find((v) => v.name === mount.name);
      assert.ok(volume?.emptyDir, `${mount.mountPath}: only emptyDir volumes are run here`);
      return `mount -t tmpfs -o size=${bytes(volume.emptyDir.sizeLimit)},mode=1777 ${mount.name} ${mount.mountPath}`;
    });
    const mounts = [
      "mount -o remount,bind,ro /",
      ...emptyDirs,
      `cd ${app}`,
      "if touch . 2>/dev/null || touch /probe-rw 2>/dev/null; then echo 'the root filesystem is writable' >&2; exit 97; fi",
      `exec setpriv --reuid=${uid} --regid=${gid} --clear-groups --no-new-privs -- "$@"`,
    ].join(" && ");
    const limits = container.resources.limits;
    const command = ["env", "-i", "HOME=/", `PATH=${dirname(java)}:/usr/bin:/bin`,
      ...Object.entries(environment).map(([k, v]) => `${k}=${v}`),
      java, ...imageJavaOptions,
      // The container's limits as the JVM would read them from its cgroup.
      `-XX:MaxRAM=${bytes(limits.memory)}`, `-XX:ActiveProcessorCount=${Math.ceil(cpus(limits.cpu))}`,
      "-XX:NativeMemoryTracking=summary", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintNMTStatistics",
      "-jar", "me-service.jar", ...container.args];
    const child = spawn("unshare", ["--mount", "--propagation", "private", "--", "sh", "-c", mounts, "pod", ...command],
      { stdio: ["ignore", "pipe", "pipe"] });
    const log = createWriteStream(join(logs, "service.log"));
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk;
        log.write(chunk);
      });
    }
    exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    return child;
  }

  function url(probe) {
    return `http://127.0.0.1:${containerPort(container, probe.httpGet.port)}${probe.httpGet.path}`;
  }

  test("the startup probe passes within its budget, then liveness and readiness, with the service on epoll", async () => {
    const startup = container.startupProbe;
    await waitUntil(async () => (await fetch(url(startup))).status === 200, service,
      startup.periodSeconds * startup.failureThreshold * 1000, () => `the startup probe (${url(startup)}); output:\n${output}`);

    assert.equal((await fetch(url(container.livenessProbe))).status, 200);
    await waitUntil(async () => (await fetch(url(container.readinessProbe))).status === 200, service, 30_000,
      () => `readiness (${url(container.readinessProbe)})`);
    assert.match(output, /event loops on epoll/, "epoll's native library was unpacked into the emptyDir");
    assert.doesNotMatch(output, /vertx-cache|Read-only file system|Unable to create/i);
  });

  test("a dashboard session (the configured issuer and party) is served, reads and writes", async () => {
    const api = `http://127.0.0.1:${containerPort(container, "http")}`;
    for (let i = 0; i < 300; i++) {
      const user = `user_k8s${i % 50}`;
      const token = session(user);
      const read = await fetch(`${api}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(read.status, 200, await read.text());
      if (i % 3 === 0) {
        const write = await fetch(`${api}/v1/me`, { method: "PATCH", body: JSON.stringify({ preferences: { timezone: "Europe/Paris" } }),
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
        assert.equal(write.status, 200, await write.text());
      }
    }
  });

  test("the management port serves /metrics and the probes' paths", async (t) => {
    const known = settingsRead(env).includes("MANAGEMENT_PORT");
    if (!known) {
      t.skip("this build has no MANAGEMENT_PORT: /metrics is on the API port");
      return;
    }
    assert.equal(containerPort(container, "management"), Number(setting(env, "MANAGEMENT_PORT")));
    const management = `http://127.0.0.1:${containerPort(container, "management")}`;
    const metrics = await fetch(`${management}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^me_service_build_info\{/m);
    assert.equal((await fetch(`${management}/health/live`)).status, 200);
    assert.equal((await fetch(`${management}/health/ready`)).status, 200);
  });

  test("on SIGTERM it stops within the grace period, and the memory it can reach fits in the limit", async (t) => {
    const started = Date.now();
    service.kill("SIGTERM");
    const timer = setTimeout(() => service.kill("SIGKILL"), pod.terminationGracePeriodSeconds * 1000);
    const { code } = await exit;
    clearTimeout(timer);
    assert.equal(code, 143, `the JVM's own exit on SIGTERM, not the kubelet's SIGKILL:\n${output.slice(-2000)}`);
    t.diagnostic(`stopped ${((Date.now() - started) / 1000).toFixed(1)} s after SIGTERM`);

    // Native Memory Tracking's summary, printed at exit: reserved and committed bytes by category.
    const amount = (text) => Number(text[1]) * ({ KB: 1024, MB: 1024 ** 2 }[text[2]] ?? 1);
    const line = (label) => {
      const match = new RegExp(`^${label} \\(?reserved=(\\d+)(KB|MB)?, committed=(\\d+)(KB|MB)?`, "m").exec(output);
      return match && { reserved: amount([, match[1], match[2]]), committed: amount([, match[3], match[4]]) };
    };
    const total = line("Total:");
    const heap = line("-\\s+Java Heap");
    assert.ok(total && heap, `NMT's summary at exit:\n${output.slice(-4000)}`);
    // Everything but the heap, metaspace (Class, Metaspace), direct buffers (Other) and NMT itself:
    // code cache, threads, GC, symbols, the shared class archive, the JVM.
    const rest = ["Java Heap", "Class", "Metaspace", "Other", "Native Memory Tracking"]
      .reduce((left, name) => left - (line(`-\\s+${name}`)?.committed ?? 0), total.committed);
    const limit = bytes(container.resources.limits.memory);
    const reachable = heap.reserved + jvmSize("MaxMetaspaceSize") + jvmSize("MaxDirectMemorySize") + rest;
    const mib = (n) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
    t.diagnostic(`limit ${mib(limit)}: heap at most ${mib(heap.reserved)} + metaspace ${mib(jvmSize("MaxMetaspaceSize"))} `
      + `+ direct ${mib(jvmSize("MaxDirectMemorySize"))} + the rest as measured ${mib(rest)} = ${mib(reachable)}`);
    assert.ok(reachable <= limit, `the JVM can reach ${mib(reachable)}, over the ${mib(limit)} limit: the kernel's OOM killer would come first`);
  });

  function session(sub) {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", kid: "k8s-test" };
    const claims = { iss: env.CLERK_ISSUER, azp: env.CLERK_AUTHORIZED_PARTIES.split(",")[0].trim(), sub,
      sid: `sess_${sub}`, iat: now - 1, nbf: now - 10, exp: now + 60 };
    const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(signing.privateKey).toString("base64url")}`;
  }
});

/** Clerk's JWKS endpoint's stand-in, on loopback (which the service allows over plain http). */
async function serveJwks(publicKey) {
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k8s-test", use: "sig", alg: "RS256" };
  const server = createHttpServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** initdb and postgres (Debian's binaries, or PG_BIN) in `work`, as the postgres user: PostgreSQL refuses root. */
async function startPostgres(work, logs, processes) {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  const bin = process.env.PG_BIN ?? join("/usr/lib/postgresql", versions[0] ?? "none", "bin");
  assert.ok(existsSync(join(bin, "initdb")), `PostgreSQL's server binaries in ${bin} (apt-get install postgresql)`);
  const data = join(work, "pgdata");
  mkdirSync(data, { mode: 0o700 });
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
  chownSync(data, uid, gid);
  const asPostgres = (command, args) => ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", join(bin, command), ...args]];
  execFileSync(...asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]), { stdio: "ignore" });
  const port = await freePort();
  const server = spawn(...asPostgres("postgres", ["-D", data, "-p", String(port), "-k", data, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]),
    { stdio: ["ignore", "pipe", "pipe"] });
  processes.push(server);
  let log = "";
  const file = createWriteStream(join(logs, "postgres.log"));
  server.stderr.on("data", (chunk) => {
    log += chunk;
    file.write(chunk);
  });
  await waitUntil(() => Promise.resolve(log.includes("ready to accept connections")), server, 60_000, () => `PostgreSQL:\n${log}`);
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(condition, child, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${what()}`);
    }
    try {
      if (await condition()) {
        return;
      }
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not within ${timeoutMs / 1000} s: ${what()}`);
}

/** The service first (SIGTERM: its graceful shutdown), PostgreSQL last (SIGINT: its fast shutdown). */
async function stopAll(processes) {
  for (const [index, child] of processes.entries()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      continue;
    }
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(index === processes.length - 1 ? "SIGINT" : "SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
