using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PeerChat.AspNetCore;
using PeerChat.AspNetCore.Http;
using PeerChat.AspNetCore.Transport;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the PeerJS signaling endpoint.</summary>
public static class PeerSignalingEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the routes of the PeerJS server under <paramref name="pattern"/>, as the <c>peer</c> npm package does
    /// with its <c>path</c> option: <c>GET {path}/</c>, <c>GET {path}/{key}/id</c>, <c>GET {path}/{key}/peers</c>
    /// and the WebSocket <c>{path}/peerjs?key=…&amp;id=…&amp;token=…</c>; with <see cref="PeerSignalingOptions.Turn"/>
    /// configured, also <c>GET {path}/ice</c> (short-lived TURN credentials). Needs
    /// <c>builder.Services.AddPeerSignaling()</c>. The WebSocket support is included; no
    /// <c>UseWebSockets()</c> or <c>UseCors()</c> is needed in the pipeline. The WebSocket is exempt from
    /// request timeouts. The <c>&lt;peer-chat&gt;</c> tag helper points the element at the first pattern mapped.
    /// </summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <param name="pattern">Where to mount, e.g. <c>"/peerjs"</c> (the <c>path</c> a <c>peerjs</c> client is given).</param>
    /// <returns>
    /// The group of mapped endpoints, to add conventions, e.g. <c>.RequireAuthorization()</c> (CORS preflights stay
    /// anonymous, as browsers send them without credentials).
    /// </returns>
    public static RouteGroupBuilder MapPeerSignaling(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);

        var hub = endpoints.ServiceProvider.GetService<SignalingHub>()
            ?? throw new InvalidOperationException("Call builder.Services.AddPeerSignaling() before app.MapPeerSignaling().");

        var prefix = "/" + pattern.Trim('/');
        endpoints.ServiceProvider.GetRequiredService<PeerSignalingEndpoint>().Map(prefix);
        // An API for scripts: with RequireAuthorization() a cookie scheme answers 401, not a redirect to a login page.
        var group = endpoints.MapGroup(prefix).DisableCookieRedirect();

        group.MapGet("/", context => SignalingHttpApi.InfoAsync(context, hub));
        group.MapGet("/{key}/id", context => SignalingHttpApi.IdAsync(context, hub));
        group.MapGet("/{key}/peers", context => SignalingHttpApi.PeersAsync(context, hub));
        if (hub.Options.Turn.IsConfigured)
        {
            // Short-lived TURN credentials for <peer-chat ice-servers-url>; RequireAuthorization() on the group covers it.
            group.MapGet("/ice", context => TurnCredentials.IceAsync(context, hub));
        }
        group.MapMethods("/", [HttpMethods.Options], context => CorsHeaders.PreflightAsync(context, hub.Options)).AllowAnonymous();
        group.MapMethods("/{**rest}", [HttpMethods.Options], context => CorsHeaders.PreflightAsync(context, hub.Options)).AllowAnonymous();

        // The WebSocket middleware runs inside this endpoint only, so the host app needs no UseWebSockets().
        var socketApp = endpoints.CreateApplicationBuilder();
        // No ping timer per socket: peerjs clients send HEARTBEAT every 5 s and the alive check drops silent
        // ones (the Node server sends no pings either).
        socketApp.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        socketApp.Run(context => HandleSocketAsync(context, hub));
        // A signaling socket lives as long as the page: a request timeout would cut every client.
        group.Map("/peerjs", socketApp.Build()).DisableRequestTimeout();

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
            Log.OriginRejected(hub.Logger, origin);
            hub.Metrics.Rejected(RejectionReasons.OriginRejected);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return SignalingSocketSession.RunAsync(context, hub);
    }
}
