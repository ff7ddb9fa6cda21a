/**
 * The typed client against a real me-service (the built jar on a real PostgreSQL, real RS256
 * tokens): every call below is checked by tsc against the types generated from the served
 * OpenAPI, and by the service at run time.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createMeClient, errorCodeValues, type ErrorCode, type Me, type MeClient, type PatchMeBody } from "../src/index.js";
import { type RunningService, startService } from "./support/service.js";

let service: RunningService;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

function newUser(): string {
  return `user_${randomUUID().replaceAll("-", "")}`;
}

function clientOf(token: string) {
  return createMeClient({ baseUrl: service.baseUrl, token });
}

describe("a signed-in user", () => {
  test("reads their Me payload: a stable uuid and every preference, null when unset", async () => {
    const client = clientOf(service.session(newUser()));

    const { data, error, response } = await client.GET("/v1/me");

    assert.equal(response.status, 200);
    assert.equal(error, undefined);
    const me: Me = data!.data;
    assert.match(me.user_id!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(me.org_id, null);
    assert.equal(me.is_staff, false);
    assert.deepEqual(me.preferences, { timezone: null });
    assert.equal((await client.GET("/v1/me")).data!.data.user_id, me.user_id, "the same id on every call");
  });

  test("sets the timezone and reads it back in the tz database's spelling", async () => {
    const client = clientOf(service.session(newUser()));
    const body: PatchMeBody = { preferences: { timezone: "america/los_angeles" } };

    const { data, response } = await client.PATCH("/v1/me", { body });

    assert.equal(response.status, 200);
    assert.equal(data!.success, true);
    assert.equal(data!.data.preferences.timezone, "America/Los_Angeles");
    assert.deepEqual((await client.GET("/v1/me")).data!.data, data!.data, "the PATCH answer is the new read surface");
  });

  test("clears the timezone with null", async () => {
    const client = clientOf(service.session(newUser()));
    await client.PATCH("/v1/me", { body: { preferences: { timezone: "Europe/Paris" } } });

    const { data } = await client.PATCH("/v1/me", { body: { preferences: { timezone: null } } });

    assert.equal(data!.data.preferences.timezone, null);
    assert.equal((await client.GET("/v1/me")).data!.data.preferences.timezone, null);
  });

  test("an empty body, {} and {preferences: {}} are no-ops that answer the current state", async () => {
    const client = clientOf(service.session(newUser()));
    const set = await client.PATCH("/v1/me", { body: { preferences: { timezone: "Asia/Tokyo" } } });
    const etag = set.response.headers.get("ETag");

    for (const options of [{}, { body: {} }, { body: { preferences: {} } }]) {
      const { data, response } = await client.PATCH("/v1/me", options);

      assert.equal(response.status, 200, JSON.stringify(options));
      assert.equal(data!.data.preferences.timezone, "Asia/Tokyo");
      assert.equal(response.headers.get("ETag"), etag, "nothing was written");
    }
  });

  test("an unknown timezone is 400 INVALID_TIMEZONE with its details, and nothing changes", async () => {
    const client = clientOf(service.session(newUser()));

    const { data, error, response } = await client.PATCH("/v1/me", { body: { preferences: { timezone: "EST" } } });

    assert.equal(response.status, 400);
    assert.equal(data, undefined);
    assert.equal(error!.success, false);
    const code: ErrorCode = error!.error.code;
    assert.equal(code, "INVALID_TIMEZONE");
    assert.equal(error!.error.message, "invalid timezone");
    assert.deepEqual(error!.error.details, { timezone: "unknown IANA timezone" });
    assert.equal(error!.error.request_id, response.headers.get("X-Request-Id"));
    assert.equal((await client.GET("/v1/me")).data!.data.preferences.timezone, null);
  });
});

describe("a dashboard's session (Clerk's getToken)", () => {
  test("getToken is asked before every request, and each request carries what it answered then", async () => {
    const tokens = [service.session(newUser()), service.session(newUser())];
    let asked = 0;
    const client = createMeClient({ baseUrl: service.baseUrl, getToken: async () => tokens[asked++ % 2]! });

    const ids = [];
    for (let i = 0; i < 4; i++) {
      const { data, response } = await client.getMe();
      assert.equal(response.status, 200);
      ids.push(data!.data.user_id);
    }

    assert.equal(asked, 4);
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual(ids, [ids[0], ids[1], ids[0], ids[1]]);
  });

  test("a token refreshed between calls is used from the next call on", async () => {
    let current = service.session(newUser(), { exp: Math.floor(Date.now() / 1000) - 3600 });
    const client = createMeClient({ baseUrl: service.baseUrl, getToken: () => Promise.resolve(current) });

    assert.equal((await client.getMe()).response.status, 401, "the expired one");
    current = service.session(newUser());
    assert.equal((await client.getMe()).response.status, 200, "the refreshed one");
  });

  test("a signed-out session (getToken answers null) sends no credential: 401", async () => {
    const client = createMeClient({ baseUrl: service.baseUrl, getToken: async () => null });

    const { error, response } = await client.getMe();

    assert.equal(response.status, 401);
    assert.equal(error!.error.code, "UNAUTHORIZED");
  });
});

describe("patchMe", () => {
  test("writes the preferences and answers the new Me payload", async () => {
    const client = clientOf(service.session(newUser()));

    const { data, response } = await client.patchMe({ preferences: { timezone: "Europe/Berlin" } });

    assert.equal(response.status, 200);
    assert.equal(data!.data.preferences.timezone, "Europe/Berlin");
  });

  test("with ifMatch writes only over the state it read: a stale ETag is 412 and changes nothing", async () => {
    const client = clientOf(service.session(newUser()));
    const read = await client.getMe();
    const etag = read.response.headers.get("ETag")!;
    await client.patchMe({ preferences: { timezone: "Asia/Tokyo" } }, { ifMatch: etag });

    const { error, response } = await client.patchMe({ preferences: { timezone: "Europe/Paris" } }, { ifMatch: etag });

    assert.equal(response.status, 412);
    assert.equal(error!.error.code, "PRECONDITION_FAILED");
    assert.equal((await client.getMe()).data!.data.preferences.timezone, "Asia/Tokyo");
  });

  test("refuses a misspelt key at compile time, inline or in a variable (client.PATCH lets an inline one through)", () => {
    // Never called: what is checked here is that tsc rejects each marked line.
    const calls = (client: MeClient) => {
      // @ts-expect-error an unknown preference key, inline
      void client.patchMe({ preferences: { tz: "UTC" } });
      const mixed = { preferences: { timezone: "UTC", tz: "UTC" } };
      // @ts-expect-error an unknown preference key beside a known one, in a variable
      void client.patchMe(mixed);
      // @ts-expect-error an unknown top-level member
      void client.patchMe({ timezone: "UTC" });
      // @ts-expect-error a number is not a timezone
      void client.patchMe({ preferences: { timezone: 7 } });
      void client.patchMe({ preferences: { timezone: null } });
      void client.patchMe({});
    };
    assert.equal(typeof calls, "function");
  });
});

describe("credentials", () => {
  test("no or a bad credential is 401 UNAUTHORIZED with WWW-Authenticate: Bearer", async () => {
    for (const client of [createMeClient({ baseUrl: service.baseUrl }), clientOf("not-a-token"),
      clientOf(service.session(newUser(), { exp: Math.floor(Date.now() / 1000) - 3600 }))]) {
      const { error, response } = await client.GET("/v1/me");

      assert.equal(response.status, 401);
      assert.equal(response.headers.get("WWW-Authenticate"), "Bearer");
      assert.deepEqual({ code: error!.error.code, message: error!.error.message },
        { code: "UNAUTHORIZED", message: "authentication failed" });
    }
  });

  test("an API key reads its organization's payload but PATCH is 403 FORBIDDEN", async () => {
    const org = `org_${randomUUID().replaceAll("-", "")}`;
    const client = clientOf(service.apiKey(org));

    const read = await client.GET("/v1/me");
    assert.equal(read.response.status, 200);
    assert.equal(read.data!.data.user_id, null);
    assert.notEqual(read.data!.data.org_id, null);

    const { error, response } = await client.PATCH("/v1/me", { body: { preferences: { timezone: "UTC" } } });
    assert.equal(response.status, 403);
    assert.equal(error!.error.code, "FORBIDDEN");
    assert.equal(error!.error.message, "api keys cannot update user preferences");
  });
});

describe("the generated types", () => {
  test("list every error code the service answers", () => {
    for (const code of ["UNAUTHORIZED", "FORBIDDEN", "INVALID_TIMEZONE", "VALIDATION_ERROR", "BAD_REQUEST"] as const) {
      assert.ok(errorCodeValues.includes(code), code);
    }
  });

  test("refuse what the service would refuse, at compile time", () => {
    // Each line fails `tsc` if the generated types ever accept it (the directive then has no error to expect).
    // @ts-expect-error an unknown preference key
    const unknownKey: PatchMeBody = { preferences: { tz: "UTC" } };
    // @ts-expect-error a number is not a timezone
    const wrongType: PatchMeBody = { preferences: { timezone: 7 } };
    // @ts-expect-error unknown top-level member
    const unknownMember: PatchMeBody = { timezone: "UTC" };
    assert.ok(unknownKey && wrongType && unknownMember);
  });
});
