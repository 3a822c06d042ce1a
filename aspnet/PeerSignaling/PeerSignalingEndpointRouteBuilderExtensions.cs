using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PeerSignaling;
using PeerSignaling.Http;
using PeerSignaling.Transport;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the PeerJS signaling endpoint.</summary>
public static class PeerSignalingEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the routes of the PeerJS server under <paramref name="path"/>, as the <c>peer</c> npm package does
    /// with its <c>path</c> option: <c>GET {path}/</c>, <c>GET {path}/{key}/id</c>, <c>GET {path}/{key}/peers</c>
    /// and the WebSocket <c>{path}/peerjs?key=…&amp;id=…&amp;token=…</c>. Needs
    /// <c>builder.Services.AddPeerSignaling()</c>. The WebSocket support is included; no
    /// <c>UseWebSockets()</c> or <c>UseCors()</c> is needed in the pipeline.
    /// </summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <param name="path">Where to mount, e.g. <c>"/peerjs"</c> (the <c>path</c> a <c>peerjs</c> client is given).</param>
    /// <returns>The group of mapped endpoints, to add conventions (authorization, rate limiting…).</returns>
    public static RouteGroupBuilder MapPeerSignaling(this IEndpointRouteBuilder endpoints, string path = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(path);

        var hub = endpoints.ServiceProvider.GetService<SignalingHub>()
            ?? throw new InvalidOperationException("Call builder.Services.AddPeerSignaling() before app.MapPeerSignaling().");

        var prefix = "/" + path.Trim('/');
        var group = endpoints.MapGroup(prefix);

        group.MapGet("/", context => SignalingHttpApi.InfoAsync(context, hub));
        group.MapGet("/{key}/id", context => SignalingHttpApi.IdAsync(context, hub));
        group.MapGet("/{key}/peers", context => SignalingHttpApi.PeersAsync(context, hub));
        group.MapMethods("/", [HttpMethods.Options], context => CorsHeaders.PreflightAsync(context, hub.Options));
        group.MapMethods("/{**rest}", [HttpMethods.Options], context => CorsHeaders.PreflightAsync(context, hub.Options));

        // The WebSocket middleware runs inside this endpoint only, so the host app needs no UseWebSockets().
        var socketApp = endpoints.CreateApplicationBuilder();
        socketApp.UseWebSockets();
        socketApp.Run(context => HandleSocketAsync(context, hub));
        group.Map("/peerjs", socketApp.Build());

        return group;
    }

    private static Task HandleSocketAsync(HttpContext context, SignalingHub hub)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // Express answers 404 here too (no HTTP route at this path).
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !CorsHeaders.IsAllowed(hub.Options, origin))
        {
            // Cross-site WebSocket from a page not in AllowedOrigins. Clients without Origin (non-browsers) pass.
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return SignalingSocketSession.RunAsync(context, hub);
    }
}
