package meservice;

import meservice.auth.AuthHandler;
import meservice.config.AppConfig;
import meservice.http.RateLimiter;
import meservice.me.MeHandler;
import meservice.ops.Docs;
import meservice.ops.Health;
import meservice.ops.Metrics;
import meservice.ops.OpenApi;

/** The shared, thread-safe parts every event loop's router is built from. */
public record Services(AppConfig config, AuthHandler auth, RateLimiter rateLimiter, MeHandler me,
    Health health, Metrics metrics, OpenApi openApi, Docs docs) {}
