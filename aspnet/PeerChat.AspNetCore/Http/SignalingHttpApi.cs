using Microsoft.AspNetCore.Http;

namespace PeerChat.AspNetCore.Http;

/// <summary>The HTTP routes of the Node server, with its bodies, content types and status codes.</summary>
internal static class SignalingHttpApi
{
    // The Node server sends its app.json verbatim.
    private const string ServerInfo =
        "{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker connections between PeerJS clients.\",\"website\":\"https://peerjs.com/\"}";

    /// <summary><c>GET {path}/</c>: server description.</summary>
    public static Task InfoAsync(HttpContext context, SignalingHub hub)
    {
        CorsHeaders.Apply(context, hub.Options);
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(ServerInfo);
    }

    /// <summary>
    /// <c>GET {path}/{key}/id</c>: a fresh id, as text/html like Express's <c>res.contentType("html")</c>.
    /// The key in the path is not checked, as in Node; the WebSocket checks it. With
    /// <see cref="PeerSignalingOptions.IdFromUser"/> it is the user's id, and 401 when the user has none.
    /// </summary>
    public static Task IdAsync(HttpContext context, SignalingHub hub)
    {
        CorsHeaders.Apply(context, hub.Options);
        var id = hub.GenerateClientId(context.User);
        if (id is null)
        {
            return UnauthorizedAsync(context);
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(id);
    }

    /// <summary><c>GET {path}/{key}/peers</c>: registered ids (of every instance) when discovery is on, else 401 "Unauthorized".</summary>
    public static async Task PeersAsync(HttpContext context, SignalingHub hub)
    {
        CorsHeaders.Apply(context, hub.Options);
        if (!hub.Options.AllowDiscovery)
        {
            await UnauthorizedAsync(context);
            return;
        }
        await context.Response.WriteAsJsonAsync(await hub.GetClientIdsAsync(context.RequestAborted));
    }

    private static Task UnauthorizedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("Unauthorized");
    }
}
