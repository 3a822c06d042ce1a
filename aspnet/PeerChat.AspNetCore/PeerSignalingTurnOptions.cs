namespace PeerChat.AspNetCore;

/// <summary>
/// A TURN relay for browsers that cannot reach each other directly (coturn with <c>use-auth-secret</c>).
/// When <see cref="Urls"/> and <see cref="Secret"/> are set, <c>MapPeerSignaling(path)</c> also maps
/// <c>GET {path}/ice</c>, which hands out short-lived TURN REST API credentials, and the tag helper points
/// <c>ice-servers-url</c> at it. See docs/turn.md.
/// </summary>
public sealed class PeerSignalingTurnOptions
{
    /// <summary>The longest <see cref="CredentialLifetime"/> allowed: one day.</summary>
    public static readonly TimeSpan MaxCredentialLifetime = TimeSpan.FromDays(1);

    /// <summary>The TURN server's URLs, each <c>turn:</c> or <c>turns:</c>, e.g. <c>turn:turn.example.org:3478</c>.</summary>
    public IList<string> Urls { get; } = new List<string>();

    /// <summary>The secret shared with the TURN server: coturn's <c>static-auth-secret</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>How long handed-out credentials are valid. Default 1 hour; at most 1 day.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>True when <see cref="Urls"/> and <see cref="Secret"/> are both set.</summary>
    public bool IsConfigured => Urls.Count > 0 && !string.IsNullOrEmpty(Secret);
}
