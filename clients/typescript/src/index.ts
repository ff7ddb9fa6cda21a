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

export type MeClient = Client<paths>;

export interface MeClientOptions extends ClientOptions {
  /** Where the service is, e.g. `https://api.example.com` or `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The Clerk session token (or an API key) sent as `Authorization: Bearer ...` on every call. */
  token?: string;
}

/**
 * A client whose paths, bodies, responses and errors are the service's own types:
 * `client.GET("/v1/me")`, `client.PATCH("/v1/me", { body })`.
 */
export function createMeClient(options: MeClientOptions): MeClient {
  const { token, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (token !== undefined) {
    client.use({
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}
