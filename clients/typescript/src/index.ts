/**
 * @me-service/client: the types of me-service's API, generated from the OpenAPI document the
 * service serves (src/generated/openapi.ts), and a typed fetch client over them (openapi-fetch).
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./generated/openapi.js";

export type { components, operations, paths };
export { errorCodeValues } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** The body of `PATCH /v1/me`: a JSON Merge Patch of the preferences (absent: unchanged, null: clear). */
export type PatchMeBody = Schemas["MePatch"];
/** The caller's Me payload: the "read surface". */
export type Me = Schemas["Me"];
/** Every known preference key, `null` when unset. */
export type Preferences = Schemas["Preferences"];
/** `{"success": true, "data": Me}`: what `GET` and `PATCH /v1/me` answer with 200. */
export type MeEnvelope = Schemas["MeEnvelope"];
/** `{"success": false, "error": {...}}`: every error anywhere. */
export type ErrorEnvelope = Schemas["ErrorEnvelope"];
/** The `error` member of an {@link ErrorEnvelope}. */
export type ApiError = Schemas["Error"];
/** Every error code the API can answer (`errorCodeValues` lists them at run time). */
export type ErrorCode = Schemas["ErrorCode"];
/** The one envelope of every body: success with `data` (and `meta` where it has content), or an error. */
export type Envelope<T> = { success: true; data: T; meta?: Schemas["Meta"] } | ErrorEnvelope;

/**
 * `Candidate` with nothing `Shape` does not have, at any depth: a key `Shape` does not know becomes
 * `never`, so tsc rejects it, also in a value built elsewhere and passed as a variable.
 */
export type Exact<Shape, Candidate> = Candidate extends object
  ? { [K in keyof Candidate]: K extends keyof Shape ? Exact<NonNullable<Shape[K]>, Candidate[K]> : never }
  : Candidate;

/**
 * The credential of each request, asked for every time: Clerk's `useAuth().getToken` (a session
 * token lives about a minute; Clerk refreshes it), or any function returning the current one.
 * `null` sends no Authorization header (signed out: the service answers 401).
 */
export type TokenProvider = () => Promise<string | null> | string | null;

/** Options of `patchMe`: `ifMatch` makes the write conditional on the ETag of an earlier read. */
export interface PatchMeOptions {
  ifMatch?: string;
  signal?: AbortSignal;
}

/** The openapi-fetch client (every path, as `client.GET`/`client.PATCH`) and the calls of this API by name. */
export type MeClient = ReturnType<typeof withCalls>;

export type MeClientOptions = ClientOptions & {
  /** Where the service is, e.g. `https://api.example.com` or `http://127.0.0.1:8080`. */
  baseUrl: string;
} & (
  | {
    /** Called before every request for the session token sent as `Authorization: Bearer ...`. */
    getToken: TokenProvider;
    token?: never;
  }
  | {
    /** A fixed credential (an API key, a script's token) sent as `Authorization: Bearer ...` on every call. */
    token?: string;
    getToken?: never;
  }
);

/**
 * A client whose paths, bodies, responses and errors are the service's own types:
 * `client.getMe()`, `client.patchMe(body)`, and every path through `client.GET`/`client.PATCH`.
 */
export function createMeClient(options: MeClientOptions): MeClient {
  const { token, getToken, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  const credential: TokenProvider | undefined = getToken ?? (token === undefined ? undefined : () => token);
  if (credential !== undefined) {
    client.use({
      async onRequest({ request }) {
        const current = await credential();
        if (current) {
          request.headers.set("Authorization", `Bearer ${current}`);
        }
        return request;
      },
    });
  }
  return withCalls(client);
}

function withCalls(client: Client<paths>) {
  return Object.assign(client, {
    /** `GET /v1/me`: the caller's Me payload. */
    getMe(init: { signal?: AbortSignal } = {}) {
      return client.GET("/v1/me", init);
    },
    /**
     * `PATCH /v1/me` with a body tsc checks exactly: a misspelt preference key fails to compile,
     * as the service would refuse it with 400 VALIDATION_ERROR (`client.PATCH("/v1/me", { body })`
     * lets an inline body's extra keys through: openapi-fetch's known gap).
     */
    patchMe<Body extends PatchMeBody>(body: Body & Exact<PatchMeBody, Body>, { ifMatch, signal }: PatchMeOptions = {}) {
      return client.PATCH("/v1/me", {
        body,
        ...(ifMatch === undefined ? {} : { params: { header: { "If-Match": ifMatch } } }),
        ...(signal === undefined ? {} : { signal }),
      });
    },
  });
}
