// Starts Swagger UI from local files (no CDN, no inline script) for the API docs at /docs.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
