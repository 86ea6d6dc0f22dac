// rehabkoll: starts Swagger UI on /api/docs (the bundle comes from fastapi-offline's files, no CDN).
"use strict";
window.addEventListener("load", () => {
  window.SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: false });
});
