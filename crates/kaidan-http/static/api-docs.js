// The API reference (issue 21): Swagger UI on the binary's own OpenAPI
// document. Calls made by "Try it out" go with the session cookie; a change
// also needs the session's CSRF token, which the page puts in a meta tag.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    docExpansion: "none",
    filter: true,
    requestInterceptor: function (req) {
      if (req.method && req.method.toUpperCase() !== "GET" && csrf) {
        req.headers["X-CSRF-Token"] = csrf;
      }
      return req;
    }
  });
})();
