// Renders /openapi.json with Swagger UI. Loaded as a file, not inline, so the page's CSP can
// forbid inline scripts.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "full",
  defaultModelsExpandDepth: 0,
  // The default sends the document to validator.swagger.io; this page talks to its own origin only.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
