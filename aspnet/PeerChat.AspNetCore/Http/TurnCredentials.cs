using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace PeerChat.AspNetCore.Http;

/// <summary>
/// TURN REST API credentials, as coturn's <c>use-auth-secret</c> checks them: username
/// <c>"&lt;unix expiry&gt;:&lt;user&gt;"</c>, credential <c>base64(HMAC-SHA1(secret, username))</c>.
/// </summary>
internal static class TurnCredentials
{
    /// <summary>The username and credential for <paramref name="user"/>, valid until <paramref name="expiry"/>.</summary>
    public static (string Username, string Credential) Create(string secret, string user, DateTimeOffset expiry)
    {
        var username = $"{expiry.ToUnixTimeSeconds()}:{user}";
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return (username, credential);
    }

    /// <summary>The signed-in user's name, else a random token (coturn logs it; it names no one).</summary>
    public static string UserOf(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary><c>GET {path}/ice</c>: <c>{ "iceServers": [...], "ttl": seconds }</c> for <c>&lt;peer-chat ice-servers-url&gt;</c>.</summary>
    public static Task IceAsync(HttpContext context, SignalingHub hub)
    {
        CorsHeaders.Apply(context, hub.Options);
        var turn = hub.Options.Turn;
        var user = UserOf(context.User);
        var expiry = hub.Time.GetUtcNow() + turn.CredentialLifetime;
        var (username, credential) = Create(turn.Secret!, user, expiry);
        Log.TurnCredentialsIssued(hub.Logger, user, expiry);
        context.Response.Headers.CacheControl = "no-store";
        var document = new IceServersDocument([new IceServer(turn.Urls.ToArray(), username, credential)], (long)turn.CredentialLifetime.TotalSeconds);
        return context.Response.WriteAsJsonAsync(document, TurnJsonContext.Default.IceServersDocument);
    }
}

internal sealed record IceServer(
    [property: JsonPropertyName("urls")] string[] Urls,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("credential")] string Credential);

internal sealed record IceServersDocument(
    [property: JsonPropertyName("iceServers")] IceServer[] IceServers,
    [property: JsonPropertyName("ttl")] long Ttl);

[JsonSerializable(typeof(IceServersDocument))]
internal sealed partial class TurnJsonContext : JsonSerializerContext;
