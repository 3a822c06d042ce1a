using Microsoft.AspNetCore.Http;

namespace PeerChat.AspNetCore.Http;

/// <summary>
/// CORS as the <c>cors</c> npm package does it for the Node server: the request's origin is echoed when
/// allowed, <c>Vary: Origin</c> always, and preflights get 204. Written by hand so that mapping the
/// endpoint needs no <c>UseCors()</c> in the application's pipeline.
/// </summary>
internal static class CorsHeaders
{
    private const string AllowedMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";

    /// <summary>
    /// Whether <paramref name="origin"/> may use the endpoint (any origin when none are configured). Scheme and host are
    /// case-insensitive, so the comparison is too.
    /// </summary>
    public static bool IsAllowed(PeerSignalingOptions options, string? origin) =>
        options.AllowedOrigins.Count == 0
        || (origin is not null && options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase));

    /// <summary>Adds the headers of a simple (non-preflight) request.</summary>
    public static void Apply(HttpContext context, PeerSignalingOptions options)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && IsAllowed(options, origin))
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
        }
        context.Response.Headers.Append("Vary", "Origin");
    }

    /// <summary>Answers an <c>OPTIONS</c> preflight.</summary>
    public static Task PreflightAsync(HttpContext context, PeerSignalingOptions options)
    {
        Apply(context, options);
        var response = context.Response;
        response.Headers.AccessControlAllowMethods = AllowedMethods;
        var requested = context.Request.Headers.AccessControlRequestHeaders.ToString();
        if (requested.Length > 0)
        {
            response.Headers.AccessControlAllowHeaders = requested;
            response.Headers.Append("Vary", "Access-Control-Request-Headers");
        }
        response.StatusCode = StatusCodes.Status204NoContent;
        response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
